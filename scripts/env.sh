# shellcheck shell=sh
# Shared settings of the scripts (sourced). Every value can be overridden from the environment.
: "${NBDB_PYTHON:=python3}"
: "${NBDB_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/mailops-nbdb}"
: "${NBDB_VENV:=$NBDB_CACHE/venv}"
: "${NBDB_BUILD:=$top/.build}"
: "${NBDB_EXTRA_DEBS:=}"
CONTAINERS_CONF="$top/tests/containers.conf"
ANSIBLE_COLLECTIONS_PATH="$NBDB_BUILD/collections"
PATH="$NBDB_VENV/bin:$PATH"
export NBDB_PYTHON NBDB_CACHE NBDB_VENV NBDB_BUILD CONTAINERS_CONF ANSIBLE_COLLECTIONS_PATH PATH
# The script that builds a recipe: from upstream source when it names a SOURCE tarball, else from Debian's packages.
nbdb_image_script() { if grep -q '^SOURCE=' "$1"; then echo build-source-image.sh; else echo build-image.sh; fi; }
# Image names (same tags as images/build-image.sh and build-source-image.sh; bootstrap keeps these, molecule uses them).
for _recipe in sid sid-systemd trixie bookworm sid-nodb311 sid-nodb38; do
    _var=$(echo "NBDB_IMAGE_$_recipe" | tr 'a-z-' 'A-Z_')
    _conf="$top/images/pf-$_recipe.conf"
    _tarball=$(sed -n 's/^SOURCE=//p' "$_conf")
    _tag=$(cat "$top/images/$(nbdb_image_script "$_conf")" "$_conf" ${_tarball:+"$top/images/vendor/$_tarball"} | sha256sum | cut -c1-12)
    export "$_var=localhost/nbdb-pf-$_recipe:$_tag"
done
unset _recipe _var _conf _tarball _tag
