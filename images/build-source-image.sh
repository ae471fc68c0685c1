#!/bin/sh
# Build one Postfix test image from upstream source (images/vendor/) without Berkeley DB (-DNO_DB).
# Usage: build-source-image.sh NAME   (reads images/NAME.conf; tags localhost/nbdb-NAME:<hash>)
# The tag is a hash of this script, the recipe and the source tarball: the build (minutes) runs only
# when one of them changes. Postfix is compiled in a throw-away sid root with the build packages and
# installed (postfix-install, real users) into a clean minbase root: the image has no compiler.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
name=$1
conf="$here/$name.conf"
[ -r "$conf" ] || { echo "build-source-image: no recipe $conf" >&2; exit 2; }
SUITE='' SOURCE='' PACKAGES='' BUILD_PACKAGES=''
# shellcheck source=/dev/null
. "$conf"
tarball="$here/vendor/$SOURCE"
tag=$(cat "$here/build-source-image.sh" "$conf" "$tarball" | sha256sum | cut -c1-12)
image="localhost/nbdb-$name:$tag"
if podman image exists "$image"; then
    echo "image $image is up to date"
    exit 0
fi
(cd "$here/vendor" && grep " $SOURCE\$" SHA256SUMS | sha256sum -c --quiet -) || {
    echo "build-source-image: $tarball does not match images/vendor/SHA256SUMS" >&2; exit 1; }
started=$(date +%s)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/nbdb-src-$name.XXXXXX")
cleanup() {
    # debootstrap mounts proc/sys inside the roots; never let rm walk into them.
    grep -o " $work/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
bootstrap_root() {  # DIR PACKAGES
    debootstrap --variant=minbase --include="$2" "$SUITE" "$1" "$mirror" >"$1.log" 2>&1 || {
        tail -20 "$1.log" >&2; echo "build-source-image: debootstrap of $SUITE failed" >&2; exit 1; }
}
add_postfix_users() {  # DIR: postfix-install needs the postfix user and the postfix/postdrop groups
    chroot "$1" groupadd -r postfix
    chroot "$1" groupadd -r postdrop
    chroot "$1" useradd -r -g postfix -d /var/spool/postfix -s /usr/sbin/nologin postfix
}

echo "building $image from $SOURCE (debootstrap $SUITE)"
build="$work/build"
bootstrap_root "$build" "$BUILD_PACKAGES"
mkdir -p "$build/usr/src"
tar -C "$build/usr/src" -xzf "$tarball"
src=/usr/src/${SOURCE%.tar.gz}
# The build facts of images/vendor/README.md. -std=gnu17: sid's GCC defaults to C23, where 3.8's
# "typedef int bool" no longer compiles.
cat >"$build/build.sh" <<'BUILD'
set -eu
cd "$1"
make makefiles CCARGS="-std=gnu17 -DNO_DB -DNO_NIS -DHAS_LMDB -DHAS_CDB -DUSE_TLS -DHAS_PCRE=2 $(pkg-config --cflags libpcre2-8)" \
    AUXLIBS="-lssl -lcrypto" AUXLIBS_LMDB="-llmdb" AUXLIBS_CDB="-lcdb" AUXLIBS_PCRE="-lpcre2-8" \
    default_database_type=lmdb default_cache_db_type=lmdb shared=no dynamicmaps=no
make -j2
# The Debian packages of the shared libraries the programs need (the runtime root installs them).
ldd bin/* libexec/* 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u |
    xargs -r dpkg -S 2>/dev/null | cut -d: -f1 | sort -u | grep -v '^libc6$' >/runtime-packages
BUILD
chroot "$build" sh /build.sh "$src" >"$work/make.log" 2>&1 || {
    tail -30 "$work/make.log" >&2; echo "build-source-image: build of $SOURCE failed" >&2; exit 1; }
runtime_packages=$(paste -sd, "$build/runtime-packages")

root="$work/root"
bootstrap_root "$root" "$PACKAGES,$runtime_packages"
add_postfix_users "$root"
mkdir -p "$root/usr/src"
cp -a "$build$src" "$root/usr/src/"
# shellcheck disable=SC2016 # $1 is expanded by the inner shell, on purpose
chroot "$root" sh -c 'cd "$1" && sh postfix-install -non-interactive' sh "$src" >"$work/install.log" 2>&1 || {
    tail -30 "$work/install.log" >&2; echo "build-source-image: postfix-install failed" >&2; exit 1; }
rm -rf "$root$src"
# Same conventions as the Debian images: a stable host name (postalias records it in
# YP_MASTER_NAME), a log file instead of syslog.
chroot "$root" postconf -e myhostname=mx.example.test maillog_file=/var/log/postfix.log
echo mx.example.test >"$root/etc/mailname"
# An alias table, as every distribution has (Debian's postinst writes this one and runs newaliases).
printf 'postmaster:    root\n' >"$root/etc/aliases"
chroot "$root" newaliases
# What a distribution's package adds to the programs: a service script (ansible.builtin.service and the migrate
# role find Postfix through it, as on the Debian images).
cat >"$root/etc/init.d/postfix" <<'INIT'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          postfix
# Required-Start:    $local_fs $remote_fs $network
# Required-Stop:     $local_fs $remote_fs $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Postfix Mail Transport Agent
### END INIT INFO
running() { /usr/sbin/postfix status >/dev/null 2>&1; }
case "$1" in
    start) running || exec /usr/sbin/postfix start ;;
    stop) ! running || exec /usr/sbin/postfix stop ;;
    restart) ! running || /usr/sbin/postfix stop; exec /usr/sbin/postfix start ;;
    reload|force-reload) exec /usr/sbin/postfix reload ;;
    status) exec /usr/sbin/postfix status ;;
    *) echo "usage: $0 {start|stop|restart|reload|force-reload|status}" >&2; exit 3 ;;
esac
INIT
chmod 755 "$root/etc/init.d/postfix"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
tar -C "$root" -c . | podman import --change 'CMD=["sleep","infinity"]' - "$image" >/dev/null
podman tag "$image" "localhost/nbdb-$name:latest"
version=$(podman run --rm --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 "$image" postconf -dh mail_version 2>/dev/null || echo '?')
echo "built $image in $(( $(date +%s) - started )) s: Postfix $version from $SOURCE"
