#!/bin/sh
# Runs in a helper container of the old release (Debian sid, Postfix with Berkeley DB) before the demo host
# starts: builds the legacy .db files the host's past left behind, with the real postalias/postmap. The files
# named in legacy-files are then carried onto the host (owners and modes kept), as an OS upgrade leaves them.
set -eu
postalias hash:/etc/aliases 2>/dev/null
printf 'spammer@example.com REJECT\nnewsletter@example.net REJECT unsolicited\n' >/etc/postfix/sender_access
postmap hash:/etc/postfix/sender_access 2>/dev/null
rm /etc/postfix/sender_access  # an orphan: only its .db is left
