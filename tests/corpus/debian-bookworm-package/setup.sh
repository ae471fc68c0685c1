#!/bin/sh
# Debian 12 "bookworm" postfix 3.7.11-0+deb12u1 as its postinst leaves it for "Internet Site"
# (debconf: mailname mx.example.test): main.cf/master.cf/aliases copied in from rootfs, then
# what the postinst itself runs: newaliases (alias_database = hash:/etc/aliases).
set -eu
chmod 0644 /etc/postfix/main.cf /etc/postfix/master.cf /etc/aliases /etc/mailname
# postinst: "newaliases" -> postalias of every alias_database entry
postalias hash:/etc/aliases 2>/dev/null
