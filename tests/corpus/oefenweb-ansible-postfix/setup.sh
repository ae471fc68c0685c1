#!/bin/sh
# Oefenweb.postfix (Ansible Galaxy role) applied with its defaults and the README's examples:
# templates main.cf, sasl_passwd, aliases; lineinfile for virtual, sender_canonical_maps,
# transport_maps, sender_dependent_relayhost_maps; its handlers then run postmap/newaliases
# with {{ postfix_default_database_type }} = hash.
set -eu
P=/etc/postfix
chmod 0600 $P/sasl_passwd
# handlers: "postmap {{ postfix_default_database_type }}:{{ file }}"
for t in virtual sasl_passwd sender_canonical_maps transport_maps sender_dependent_relayhost_maps; do
    postmap hash:$P/$t 2>/dev/null
done
# handler "new aliases": newaliases (alias_database = hash:/etc/aliases)
newaliases 2>/dev/null
