#!/bin/sh
# Virtualmin (virtualmin-config-system, plugin Postfix) on Debian 12, then two virtual servers
# (example.com, example.net with its own IP) created in Virtualmin: Webmin's postfix module
# writes the virtual/bcc/dependent tables and runs postmap on them (postfix_map_type hash).
set -eu
useradd -m -s /bin/sh jane.example 2>/dev/null || true
useradd -m -s /bin/sh bob.example 2>/dev/null || true
P=/etc/postfix
for t in virtual bcc dependent; do postmap hash:$P/$t 2>/dev/null; done
# postfix::regenerate_aliases -> newaliases
newaliases 2>/dev/null
