#!/bin/sh
# Runs after "postfix start": the day after the upgrade mail waits. A message to info@ (an alias) is deferred
# because hash:/etc/aliases no longer opens ("alias database unavailable"); wait until it is in the deferred queue.
set -eu
printf 'Subject: the day after the upgrade\n\nThis waited in the deferred queue.\n' | sendmail info
for _ in $(seq 1 100); do
    if postqueue -j | grep -q '"queue_name": *"deferred"'; then exit 0; fi
    sleep 0.3
done
echo "mx4: the message was not deferred" >&2
exit 1
