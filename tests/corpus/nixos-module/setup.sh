#!/bin/sh
# NixOS services.postfix (nixos/modules/services/mail/postfix.nix) rendered for one host, laid down on Debian:
# the postfix-setup unit's steps with Debian paths and regular files for the Nix store links (see provenance.md).
set -eu
# meta_directory is the package's own (postfix-files); on Debian that depends on the release
sed -i "s|^meta_directory = .*|meta_directory = $(postconf -dh meta_directory)|" /etc/postfix/main.cf
# NixOS links its maps in statically (shlib_directory = no); Debian's lmdb/cdb are plugins from shlib_directory
sed -i "s|^shlib_directory = .*|shlib_directory = $(postconf -dh shlib_directory)|" /etc/postfix/main.cf
mkdir -p /var/lib/postfix/queue/pid /var/lib/postfix/queue/public /var/lib/postfix/queue/maildrop /var/lib/postfix/data
chmod 0755 /var/lib/postfix
chown root:root /var/lib/postfix
# store files are 0444 root:root; postalias/postmap -o -p keep that mode for the .db
for file in aliases transport virtual local_recipients client_access header_checks sender_login; do
    chmod 0444 /etc/postfix/$file
done
postalias -o -p hash:/etc/postfix/aliases 2>/dev/null
for map in transport virtual local_recipients client_access header_checks sender_login; do
    postmap -o -p hash:/etc/postfix/$map 2>/dev/null
done
mkdir -p /var/spool/mail
chown root:root /var/spool/mail
chmod a+rwxt /var/spool/mail
postfix set-permissions config_directory=/etc/postfix 2>/dev/null
