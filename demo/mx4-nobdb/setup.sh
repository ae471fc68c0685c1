#!/bin/sh
# Runs inside the demo container (upstream Postfix 3.11.6 built with -DNO_DB on Debian sid: the OS upgrade removed
# Berkeley DB) after the old release's .db files were carried in (legacy.sh): hash: aliases with their source, an
# orphan hash: sender access table (only its .db), Debian's btree: TLS session cache.
set -eu
echo mx4.example.org >/etc/mailname  # (upstream Postfix does not read it: myorigin stays $myhostname)
id alice >/dev/null 2>&1 || useradd -m -s /bin/bash alice
