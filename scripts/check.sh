#!/bin/sh
# make check: the one-minute inner loop (no container): pep8, unit tests, ansible-doc of every module and the role,
# a syntax check of every playbook by its collection name. Prints each step's time.
# make lint (NBDB_CHECK_LINT=1): ansible-lint (production), its own target since it alone takes 20-45 s.
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
if [ "${NBDB_CHECK_LINT:-0}" = 1 ]; then
    step ansible-lint ansible-lint --offline --profile production -q
    exit 0
fi
# pep8 as ansible-test sanity runs it (same pycodestyle, ignores and line length), on every tracked Python file.
ignores=$(grep -v -e "^#" -e "^$" "$NBDB_VENV"/lib/python*/site-packages/ansible_test/_util/controller/sanity/pep8/current-ignore.txt | paste -sd, -)
# shellcheck disable=SC2046 # a list of files
step pep8 pycodestyle --max-line-length 160 --ignore "$ignores" $(git ls-files '*.py')
step unit python -m pytest tests/unit tests/recorded -q -p no:cacheprovider
# shellcheck disable=SC2086 # lists of names
step ansible-doc python scripts/check_docs.py $modules
syntax() { ANSIBLE_LOCALHOST_WARNING=false ansible-playbook -i localhost, --syntax-check "$@" >/dev/null; }
# shellcheck disable=SC2086
step syntax syntax $playbooks
elapsed "all passed" "$total"
