#!/bin/sh
# Runs inside the demo container (Debian trixie, Postfix 3.10) to make it a virtual-mailbox host
# in the Postfixadmin/Dovecot style, but with flat hash: files: mailbox domains and maps, virtual
# aliases, sender login maps for submission, a TLS policy map, and postscreen in front of smtpd
# (whose btree: cache is the 3.10 default). Dovecot itself is not installed: SASL and LMTP point
# at its sockets, which is enough for "postfix check" and for Postfix to start.
# shellcheck disable=SC2016 # $name in single quotes is Postfix syntax, not the shell's
set -eu

echo mx2.example.com >/etc/mailname
id admin >/dev/null 2>&1 || useradd -m -s /bin/bash admin
# the mail store Dovecot would own
getent group vmail >/dev/null || groupadd --gid 5000 vmail
id vmail >/dev/null 2>&1 || useradd --uid 5000 -g vmail -d /var/vmail -s /usr/sbin/nologin vmail
mkdir -p /var/vmail && chown vmail:vmail /var/vmail && chmod 0770 /var/vmail

# master.cf: postscreen on port 25, submission for the users (Dovecot SASL)
postconf -M# smtp/inet
postconf -Me \
  'smtp/inet=smtp inet n - y - 1 postscreen' \
  'smtpd/pass=smtpd pass - - y - - smtpd' \
  'dnsblog/unix=dnsblog unix - - y - 0 dnsblog' \
  'tlsproxy/unix=tlsproxy unix - - y - 0 tlsproxy' \
  'submission/inet=submission inet n - y - - smtpd -o syslog_name=postfix/submission -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o smtpd_sender_restrictions=$mua_sender_restrictions -o milter_macro_daemon_name=ORIGINATING'

postalias hash:/etc/aliases
for t in domains mailboxes aliases sender_login recipient_bcc; do
    postmap hash:/etc/postfix/vmail/$t
done
postmap /etc/postfix/tls_policy
