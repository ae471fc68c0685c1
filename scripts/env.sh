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
# Image names for molecule (same tags as images/build-image.sh).
for _recipe in sid sid-systemd trixie bookworm; do
    _var=$(echo "NBDB_IMAGE_$_recipe" | tr 'a-z-' 'A-Z_')
    _tag=$(cat "$top/images/build-image.sh" "$top/images/pf-$_recipe.conf" | sha256sum | cut -c1-12)
    export "$_var=localhost/nbdb-pf-$_recipe:$_tag"
done
unset _recipe _var _tag
