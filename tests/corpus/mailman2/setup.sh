#!/bin/sh
# Mailman 2.1 on Debian (package mailman, paths /var/lib/mailman) wired to Postfix as
# README.POSTFIX prescribes: MTA = 'Postfix', POSTFIX_STYLE_VIRTUAL_DOMAINS = ['lists.example.org'].
# bin/genaliases writes data/aliases and data/virtual-mailman and runs postalias/postmap on them
# as the list user (setgid list, umask 002).
set -eu
mkdir -p /var/lib/mailman/data /var/lib/mailman/mail
chown -R root:list /var/lib/mailman
chmod 2775 /var/lib/mailman/data
chown root:list /var/lib/mailman/data/aliases /var/lib/mailman/data/virtual-mailman
chmod 0664 /var/lib/mailman/data/aliases /var/lib/mailman/data/virtual-mailman
# Mailman/MTA/Postfix.py: POSTALIAS_CMD + " " + file, POSTMAP_CMD + " " + file (no type: hash
# was every Debian's default_database_type when Mailman 2 shipped)
postalias hash:/var/lib/mailman/data/aliases 2>/dev/null
postmap hash:/var/lib/mailman/data/virtual-mailman 2>/dev/null
chown root:list /var/lib/mailman/data/aliases.db /var/lib/mailman/data/virtual-mailman.db
chmod 0664 /var/lib/mailman/data/aliases.db /var/lib/mailman/data/virtual-mailman.db
newaliases 2>/dev/null
