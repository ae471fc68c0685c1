#!/bin/sh
# modoboa-installer (Debian 12, PostgreSQL, Dovecot, rspamd) after scripts/postfix.py: main.cf
# and master.cf from its templates; post_run: chroot files, "postalias /etc/aliases".
set -eu
mkdir -p /var/spool/postfix/etc
cp /etc/services /etc/resolv.conf /var/spool/postfix/etc/ 2>/dev/null || true
for f in sql-aliases sql-domain-aliases sql-domains sql-maintain sql-relay-recipient-verification \
         sql-relaydomains sql-sender-login-map sql-spliteddomains-transport sql-transport; do
    # generate_postfix_maps writes these; placeholder with a fake password
    printf 'user = modoboa\npassword = examplepassword\ndbname = modoboa\nhosts = 127.0.0.1\nquery = SELECT 1\n' > /etc/postfix/$f.cf
    chmod 0640 /etc/postfix/$f.cf; chown root:postfix /etc/postfix/$f.cf
done
: > /etc/postfix/postscreen_spf_whitelist.cidr
postalias hash:/etc/aliases 2>/dev/null
