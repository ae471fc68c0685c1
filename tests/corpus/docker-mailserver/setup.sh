#!/bin/sh
# docker-mailserver (Debian 13 image) after its start-up scripts with one account provisioner
# FILE, SPOOF_PROTECTION=1 and a postfix-regexp.cf: texthash: everywhere except /etc/aliases,
# which helpers/aliases.sh builds with "postalias /etc/aliases" (hash on Debian 13).
set -eu
chmod 0644 /etc/postfix/virtual /etc/postfix/vmailbox /etc/postfix/vhost /etc/postfix/regexp
postalias hash:/etc/aliases 2>/dev/null
