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
