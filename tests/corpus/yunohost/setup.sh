#!/bin/sh
# YunoHost 12 (Debian 12): the state hooks/conf_regen/19-postfix leaves after "yunohost tools
# regen-conf postfix" with an SMTP relay, a backup-MX domain and two apps that send mail.
set -eu
id vmail >/dev/null 2>&1 || useradd --system -g mail -d /var/mail -s /usr/sbin/nologin vmail
# certificates of the two mail domains (yunohost domain cert ...): throwaway self-signed ones
for d in example.org example.net; do
    mkdir -p /etc/yunohost/certs/$d
    [ -s /etc/yunohost/certs/$d/key.pem ] ||
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$d" \
            -keyout /etc/yunohost/certs/$d/key.pem -out /etc/yunohost/certs/$d/crt.pem 2>/dev/null
    chown root:root /etc/yunohost/certs/$d/key.pem; chmod 0600 /etc/yunohost/certs/$d/key.pem
done
P=/etc/postfix
# do_pre_regen: relay_recipients built while still root's (postmap without a type = hash on Debian 12)
postmap hash:$P/relay_recipients 2>/dev/null
# do_post_regen
chown postfix $P
chmod 750 $P/sasl_passwd
chown postfix:root $P/sasl_passwd
postmap hash:$P/sasl_passwd 2>/dev/null        # runs as the source's owner: .db is postfix's
chmod 750 $P/relay_recipients*
chown postfix:root $P/relay_recipients*
postmap -F hash:$P/sni 2>/dev/null
# regen_mail_app_user_config_for_dovecot_and_postfix(only="postfix")
chmod 0440 $P/app_senders_login_maps
chown postfix:root $P/app_senders_login_maps
postmap hash:$P/app_senders_login_maps 2>/dev/null
chmod 0640 $P/app_senders_login_maps.db
chown postfix:root $P/app_senders_login_maps.db
# Debian's newaliases
postalias hash:/etc/aliases 2>/dev/null
