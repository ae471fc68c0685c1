#!/bin/sh
# One idempotent set-up step for `make demo` and `make test` on a fresh Debian 12 machine (root):
# Debian packages (only when missing; chromium renders the fleet report in a test), the pinned Python venv, the ansible-test pip stand-in,
# the collection link for Ansible, and the Postfix container images (only when their recipe changed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"

log() { printf 'bootstrap: %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
need=""
for pkg in podman runc debootstrap uidmap slirp4netns git make ca-certificates shellcheck chromium $NBDB_EXTRA_DEBS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need="$need $pkg"
done
python_ok=yes
"$NBDB_PYTHON" -m venv --help >/dev/null 2>&1 || python_ok=no
[ "$python_ok" = yes ] || need="$need python3-venv"
if [ -n "$need" ]; then
    [ "$(id -u)" = 0 ] || { echo "bootstrap: needs root to install:$need" >&2; exit 1; }
    log "installing Debian packages:$need"
    apt-get update -qq
    # shellcheck disable=SC2086 # $need is a list of package names
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null  # with Recommends: netavark, iptables, ...
fi
# crun cannot run containers on this cgroup-v1 host; our containers.conf selects runc.

# --- Python venv (pinned) --------------------------------------------------------------------
stamp="$NBDB_VENV/.nbdb-constraints"
want=$(cat "$top/requirements/dev.in" "$top/requirements/constraints.txt" | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "creating venv $NBDB_VENV"
    rm -rf "$NBDB_VENV"
    "$NBDB_PYTHON" -m venv "$NBDB_VENV"
    mkdir -p "$NBDB_BUILD"
    "$NBDB_VENV/bin/pip" install -q --disable-pip-version-check \
        -c "$top/requirements/constraints.txt" -r "$top/requirements/dev.in" >"$NBDB_BUILD/pip.log" 2>&1 || {
        tail -30 "$NBDB_BUILD/pip.log" >&2; echo "bootstrap: pip install failed" >&2; exit 1; }
    echo "$want" >"$stamp"
fi

# --- ansible-test: stand-in for get-pip.py (its download host is unreachable here) -------------
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
# 24_2: the pip version ansible-core 2.19 (pinned in constraints.txt) bootstraps.
install -m 644 "$top/scripts/get_pip_standin.py" "$cache/get_pip_24_2.py"

# --- the collection, where Ansible looks for it -------------------------------------------------
mkdir -p "$NBDB_BUILD/collections/ansible_collections/mailops"
ln -sfn "$top" "$NBDB_BUILD/collections/ansible_collections/mailops/nbdb"

# --- container images ------------------------------------------------------------------------
if [ -n "${NBDB_SKIP_IMAGES:-}" ]; then log "ready (images not checked)"; exit 0; fi
pids=""
for conf in "$top"/images/*.conf; do
    name=$(basename "$conf" .conf)
    "$top/images/$(nbdb_image_script "$conf")" "$name" >"$NBDB_BUILD/image-$name.log" 2>&1 &
    pids="$pids $!:$name"
done
failed=""
for p in $pids; do
    wait "${p%%:*}" || failed="$failed ${p#*:}"
    tail -1 "$NBDB_BUILD/image-${p#*:}.log"
done
[ -z "$failed" ] || { echo "bootstrap: image build failed:$failed (logs in $NBDB_BUILD)" >&2; exit 1; }
# Tags of older recipes stay: another checkout on this machine (CI, a worktree) may be using them.
# `make clean-images` drops them.
log "ready"
