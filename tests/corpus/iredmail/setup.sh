#!/bin/sh
# iRedMail (MySQL backend, Debian) after functions/postfix.sh: samples/postfix/main.cf +
# main.cf.mysql + main.cf.postscreen with its PH_ placeholders replaced, POSTFIX_DEFAULT_DB_TYPE=hash.
set -eu
P=/etc/postfix
id vmail >/dev/null 2>&1 || { groupadd -g 2000 vmail; useradd -u 2000 -g vmail -d /var/vmail -s /usr/sbin/nologin vmail; }
mkdir -p $P/mysql /var/vmail
for f in transport_maps_user transport_maps_maillist transport_maps_domain sender_dependent_relayhost_maps \
         sender_login_maps virtual_mailbox_domains relay_domains virtual_mailbox_maps virtual_alias_maps \
         domain_alias_maps catchall_maps domain_alias_catchall_maps sender_bcc_maps_user sender_bcc_maps_domain \
         recipient_bcc_maps_user recipient_bcc_maps_domain; do
    printf 'user = vmail\npassword = examplepassword\nhosts = 127.0.0.1\ndbname = vmail\nquery = SELECT 1\n' > $P/mysql/$f.cf
done
chown root:postfix $P/mysql/*.cf; chmod 0640 $P/mysql/*.cf
touch $P/header_checks $P/body_checks.pcre $P/sender_access.pcre $P/postscreen_dnsbl_reply
chown root:postfix $P/helo_access.pcre $P/header_checks $P/body_checks.pcre $P/sender_access.pcre
chmod 0640 $P/helo_access.pcre $P/header_checks $P/body_checks.pcre $P/sender_access.pcre
[ -s $P/postscreen_access.cidr ] || : > $P/postscreen_access.cidr
# add_postfix_alias ...; then newaliases (alias_database = hash:/etc/postfix/aliases)
postalias hash:$P/aliases 2>/dev/null
# postfix_config_postscreen: an empty hash: postscreen cache made in the chroot's data directory
d=/var/spool/postfix/var/lib/postfix
mkdir -p $d; chown postfix:root $d; chmod 0700 $d
cd $d && touch postscreen_cache && postmap hash:postscreen_cache 2>/dev/null && rm postscreen_cache
chown postfix:postfix $d/postscreen_cache.*; chmod 0700 $d/postscreen_cache.*
