# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a migration changes and what it keeps, decided once from discovery and ``migrate_exclude``.

Every phase of the role (need, prebuild, switch, verification, record) uses this one answer. An excluded
reference keeps its legacy type, so its table must still open afterwards; the host is refused (with the reason
and the remedy) where it would not:

- its type comes from ``default_database_type``/``default_cache_db_type``, which the migration always switches
  (``rewrite.plan``);
- the level after the migration redirects ``hash:``/``btree:`` opens (``enable-redirect``, ``enable-reindex``):
  Postfix would open it as the new type, whose file is not built.

The programs that write tables (Mailman, scripts) are judged by ``_planning/writers`` in the same plan.

An exclusion entry that matches nothing is reported (a typing error would otherwise migrate the table).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._planning.rewrite import DEFAULT_TYPE_PARAMETERS, is_excluded
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import writers as table_writers

REDIRECTING_LEVELS = ("enable-redirect", "enable-reindex")


def _names(ref):
    names = {ref["expanded"], ref["path"], ref["used_by"]["parameter"]}
    if ref.get("definition_site"):
        names.add(ref["definition_site"]["parameter"])
    return names


def level_after(level, levels_before, has_levels):
    """The migration level the host runs at afterwards (None without levels): level, or the current one for keep."""
    if not has_levels:
        return None
    if level == "keep":
        return next((item for item in levels_before if item in REDIRECTING_LEVELS), levels_before[0] if levels_before else None)
    return "enable-redirect" if level == "enable-reindex" else level if level else None


def _where(ref):
    site = ref.get("definition_site") or {}
    if site.get("service"):
        return "%s, service %s, -o %s" % (site.get("file"), site["service"], site["parameter"])
    if site.get("line"):
        return "%s line %s" % (site.get("file"), site["line"])
    return "parameter %s" % ref["used_by"]["parameter"]


def _refusals(kept, level):
    refusals = []
    for ref in kept:
        site = ref.get("definition_site") or {}
        if ref.get("definition_kind") == "type_parameter" and site.get("parameter") in DEFAULT_TYPE_PARAMETERS:
            refusals.append(
                "%s (used by %s) is excluded, but its type comes from %s, which the migration switches: write its type"
                " explicitly (%s) at %s to keep it, or do not exclude it"
                % (ref["expanded"], ref["used_by"]["parameter"], site["parameter"], ref["expanded"], _where(ref)))
    if kept and level in REDIRECTING_LEVELS:
        shown = sorted({ref["expanded"] for ref in kept})
        refusals.append(
            "%s %s excluded, but at level %s Postfix redirects hash:/btree: opens to the new type, whose file is not"
            " built for an excluded table: use migrate_level: disable, or do not exclude %s"
            % (", ".join(shown), "is" if len(shown) == 1 else "are", level, "it" if len(shown) == 1 else "them"))
    return refusals


def decide(discovery, exclude=(), level=None):
    """The migration's plan of what changes: see nbdb_info's RETURN ``plan``.

    discovery is nbdb_info's result (references, tables, instances, postfix, summary); level the role's
    migrate_level (None: not judged)."""
    exclude = list(exclude or [])
    references = discovery["references"]
    kept = [ref for ref in references if is_excluded(ref, exclude)]
    migrate = [ref for ref in references if ref not in kept]
    users = {}
    for ref in references:
        users.setdefault((ref["config_dir"], ref["type"], ref["path"]), []).append(ref)
    build, kept_tables = [], []
    for table in discovery["tables"]:
        refs = users.get((table["config_dir"], table["type"], table["path"]), [])
        named = table["path"] in exclude or table["name"] in exclude
        if named or (refs and all(ref in kept for ref in refs)):
            kept_tables.append(table["name"])
        else:
            build.append(table)
    instances = discovery["instances"]
    legacy_defaults = discovery["summary"]["instances_with_legacy_defaults"]
    after = level_after(level, [item["migration_level"] for item in instances], discovery["postfix"]["has_levels"])
    known = set()
    for ref in references:
        known |= _names(ref)
    for table in discovery["tables"]:
        known |= {table["name"], table["path"]}
    by_dir = {}
    for table in build:
        entry = by_dir.setdefault(table["config_dir"], {"build": [], "verify": []})
        if table["role"] != "cache":
            entry["build"].append(table["name"])
            entry["verify"].append(table["target"])
    verdicts, writer_refusals = table_writers.judge(discovery, kept_tables, after if level else None)
    return {
        "needed": bool(migrate) or bool(legacy_defaults),
        "references_migrated": sorted({ref["expanded"] for ref in migrate}),
        "references_kept": sorted({ref["expanded"] for ref in kept}),
        "tables_migrated": [table["target"] for table in build],
        "tables_kept": kept_tables,
        "instances": dict((item["config_dir"], by_dir.get(item["config_dir"], {"build": [], "verify": []}))
                          for item in instances),
        "level_after": after,
        "refusals": _refusals(kept, after) + writer_refusals,
        "writers": verdicts,
        "exclude_unmatched": [item for item in exclude if item not in known],
    }
