#!/bin/sh
# mailcow-dockerized's postfix-mailcow container, as data/Dockerfiles/postfix/postfix.sh leaves it
# before "postfix -c /opt/postfix/conf start": the configuration directory is /opt/postfix/conf
# (bind-mounted data/conf/postfix), not /etc/postfix.
set -eu
C=/opt/postfix/conf
# Certificates of data/assets/ssl (mounted at /etc/ssl/mail): throwaway self-signed ones here.
mk() { # dir cn (kept when present: the test writes them in, its images have no openssl)
    mkdir -p "$1"
    [ -s "$1/key.pem" ] && [ -s "$1/cert.pem" ] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$2" \
        -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}
mk /etc/ssl/mail mail.example.org
mk /etc/ssl/mail/mail.example.org mail.example.org
mk /etc/ssl/mail/mail.example.net mail.example.net
chmod 0600 /etc/ssl/mail/key.pem /etc/ssl/mail/*/key.pem
# "Fix Postfix permissions" of postfix.sh
chown -R root:postfix $C/sql/ $C/custom_transport.pcre
chmod 640 $C/sql/*.cf $C/custom_transport.pcre
# postfix.sh: cat > /etc/aliases; newaliases (through /etc/postfix/main.cf of the trixie image,
# alias_database = hash:/etc/aliases there; written with the type here, see provenance.md)
postalias hash:/etc/aliases 2>/dev/null
# postfix.sh: the sni map generated from /etc/ssl/mail/*/domains, then built with -F
postmap -F hash:$C/sni.map 2>/dev/null
postfix -c $C set-permissions 2>/dev/null || true
