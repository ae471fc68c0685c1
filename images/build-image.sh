#!/bin/sh
# Build one Postfix test image from Debian's packages: debootstrap + podman import.
# Usage: build-image.sh NAME   (reads images/NAME.conf; tags localhost/nbdb-NAME:<recipe hash>)
# The tag is a hash of this script and the recipe, so an image is rebuilt only when its recipe changes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
name=$1
conf="$here/$name.conf"
[ -r "$conf" ] || { echo "build-image: no recipe $conf" >&2; exit 2; }
SUITE='' PACKAGES='' SYSTEMD=no
# shellcheck source=/dev/null
. "$conf"
tag=$(cat "$here/build-image.sh" "$conf" | sha256sum | cut -c1-12)
image="localhost/nbdb-$name:$tag"
if podman image exists "$image"; then
    echo "image $image is up to date"
    exit 0
fi
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d "${TMPDIR:-/var/tmp}/nbdb-root-$name.XXXXXX")
cleanup() {
    # debootstrap mounts proc/sys inside the root; never let rm walk into them.
    grep -o " $root/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT
echo "building $image (debootstrap $SUITE)"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -20 "$root.log" >&2; echo "build-image: debootstrap of $SUITE failed (log: $root.log)" >&2; exit 1; }
rm -f "$root.log"
# A stable host name instead of the build machine's (postalias records it in YP_MASTER_NAME).
chroot "$root" postconf -e myhostname=mx.example.test
echo mx.example.test >"$root/etc/mailname"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
if [ "$SYSTEMD" = yes ]; then
    # systemd needs a cgroup2 mount on this cgroup-v1 host (see container-setup.md).
    cat >"$root/usr/local/sbin/container-init" <<'INIT'
#!/bin/sh
if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" != "cgroup2fs" ]; then
    umount -R /sys/fs/cgroup 2>/dev/null || umount -l /sys/fs/cgroup 2>/dev/null
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
fi
exec /sbin/init "$@"
INIT
    chmod 755 "$root/usr/local/sbin/container-init"
    tar -C "$root" -c . | podman import --change 'CMD=["/usr/local/sbin/container-init"]' \
        --change 'STOPSIGNAL=SIGRTMIN+3' - "$image" >/dev/null
else
    # Without syslog in the container, Postfix logs to a file.
    chroot "$root" postconf -e maillog_file=/var/log/postfix.log
    tar -C "$root" -c . | podman import --change 'CMD=["sleep","infinity"]' - "$image" >/dev/null
fi
podman tag "$image" "localhost/nbdb-$name:latest"
echo "built $image: $(podman run --rm --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 "$image" postconf -dh mail_version 2>/dev/null || echo '?')"
