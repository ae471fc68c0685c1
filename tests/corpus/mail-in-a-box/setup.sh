#!/bin/sh
# Mail-in-a-Box (setup/mail-postfix.sh, setup/mail-users.sh) applied to the distribution's postfix package
# configuration: main.cf/master.cf as its tools/editconf.py leaves them (see provenance.md), then what the
# package's postinst runs (newaliases). The legacy tables are the package's; MIAB's own maps are sqlite:.
set -eu
chmod 0644 /etc/postfix/main.cf /etc/postfix/master.cf /etc/aliases /etc/mailname
mkdir -p /home/user-data/ssl /home/user-data/mail
# setup/ssl.sh: a self-signed certificate until Let's Encrypt; dh4096.pem is not made here (postfix check does not read it)
if [ ! -e /home/user-data/ssl/ssl_certificate.pem ] && command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=box.example.org \
        -keyout /home/user-data/ssl/ssl_private_key.pem -out /home/user-data/ssl/ssl_certificate.pem 2>/dev/null
fi
chmod 0600 /home/user-data/ssl/ssl_private_key.pem
postalias hash:/etc/aliases 2>/dev/null
