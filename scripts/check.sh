#!/bin/sh
# make check: the one-minute inner loop (no container): unit tests, ansible-doc of every module and the role,
# a syntax check of every playbook by its collection name, ansible-lint (production). Prints each step's time.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
elapsed() { ms=$((($(date +%s%N) - $2) / 1000000)); printf 'check: %-14s %3d.%01d s\n' "$1" $((ms / 1000)) $((ms % 1000 / 100)); }
step() {
    name=$1; shift
    start=$(date +%s%N)
    "$@" || { echo "check: $name FAILED" >&2; exit 1; }
    elapsed "$name" "$start"
}
modules=$(for f in plugins/modules/*.py; do n=$(basename "$f" .py); echo "mailops.nbdb.$n"; done)
playbooks=$(for f in playbooks/*.yml; do n=$(basename "$f" .yml); echo "mailops.nbdb.$n"; done)
total=$(date +%s%N)
step unit python -m pytest tests/unit tests/recorded -q -p no:cacheprovider
# shellcheck disable=SC2086 # lists of names
step ansible-doc python scripts/check_docs.py $modules
syntax() { ANSIBLE_LOCALHOST_WARNING=false ansible-playbook -i localhost, --syntax-check "$@" >/dev/null; }
# shellcheck disable=SC2086
step syntax syntax $playbooks
step ansible-lint ansible-lint --offline --profile production -q
elapsed "all passed" "$total"
