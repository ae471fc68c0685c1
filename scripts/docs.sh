#!/bin/sh
# make docs: the module and role reference (antsibull-docs, from the plugins' own documentation) into
# docs/reference/, and the changelog of the coming release (dated in the temporary copy only) built from changelogs/fragments into docs/CHANGELOG.rst.
# Usage: scripts/docs.sh [DEST]   (DEST defaults to docs/; the quality test builds into a temporary folder
# and compares, so the committed docs never drift from the code).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
dest=$(cd "${1:-$top/docs}" && pwd)
version=$(python -c "import yaml; print(yaml.safe_load(open('$top/galaxy.yml'))['version'])")

rm -rf "$dest/reference"
mkdir -m 755 "$dest/reference"
antsibull-docs collection --use-current --fail-on-error --output-format simplified-rst --squash-hierarchy \
    --no-add-antsibull-docs-version --dest-dir "$dest/reference" mailops.nbdb >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$top/changelogs" "$top/galaxy.yml" "$work/"
(cd "$work" && antsibull-changelog lint && antsibull-changelog release --version "$version" --date 2026-01-01 \
    >/dev/null 2>&1) || { echo "docs: antsibull-changelog failed on changelogs/fragments" >&2; exit 1; }
cp "$work/CHANGELOG.rst" "$dest/CHANGELOG.rst"
echo "docs: $dest/reference/ and $dest/CHANGELOG.rst (version $version, from changelogs/fragments)"
