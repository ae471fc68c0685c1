# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Switch an instance's database types: plan, write atomically, verify with Postfix, or restore."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import PostfixCommandError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host, references
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import config_write
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import reindex, rewrite


class SwitchError(NbdbError):
    """The new configuration failed verification; the original files were restored."""


def check_types(map_types, database_type, cache_db_type):
    for wanted in (database_type, cache_db_type):
        if wanted not in map_types:
            raise reindex.PlanError("this Postfix does not support %s: tables (postconf -m lacks it); install the %s"
                                    " package" % (wanted, reindex.PACKAGES.get(wanted, "postfix-" + wanted)))
    if cache_db_type not in rewrite.UPDATABLE_CACHE_TYPES:
        raise reindex.PlanError("cache_db_type %s cannot hold caches (Postfix must update them); use lmdb" % cache_db_type)


def leftover(postfix, config_dir, exclude):
    """Legacy references postconf still shows, excluded ones aside."""
    refs, unresolved = references.find_references(host.read_snapshot(postfix, config_dir))
    left = [ref["expanded"] + " (" + ref["used_by"]["parameter"] + ")" for ref in refs
            if not rewrite.is_excluded(ref, exclude)]
    return left + [item["reason"] for item in unresolved]


def plan_switch(postfix, config_dir, database_type, cache_db_type, exclude=()):
    """Read one instance and plan its switch: snapshot, references, plan, and main.cf/master.cf text
    before and after ({path: text}). Nothing is written."""
    check_types(postfix.postconf(config_dir, "-m").split(), database_type, cache_db_type)
    snapshot = host.read_snapshot(postfix, config_dir)
    refs = references.find_references(snapshot)[0]
    planned = rewrite.plan(snapshot, refs, database_type, cache_db_type, exclude)
    before = {path: config_write.read(path) for path in (snapshot.main_cf, snapshot.master_cf)}
    after = {
        snapshot.main_cf: config_write.apply_main(
            before[snapshot.main_cf], [r for r in planned["replacements"] if r["service"] is None],
            planned["settings"]),
        snapshot.master_cf: config_write.apply_master(
            before[snapshot.master_cf], [r for r in planned["replacements"] if r["service"] is not None]),
    }
    return snapshot, refs, planned, before, after


def switch_types(postfix, config_dir, database_type, cache_db_type, exclude=(), make_backup=False, check_mode=False):
    config_dir = host.config_dir_or_default(postfix, config_dir)
    snapshot, dummy, planned, before, after = plan_switch(postfix, config_dir, database_type, cache_db_type, exclude)
    changed_files = [path for path in before if before[path] != after[path]]
    replacements = sorted(planned["replacements"], key=lambda r: (r["file"], r["line"] or 0, r["old"]))
    rewritten = [dict(item, references=sorted(set(item["references"]))) for item in replacements] + [
        {"file": snapshot.main_cf, "line": snapshot.main_lines.get(name), "parameter": name, "service": None,
         "old": snapshot.main_raw.get(name), "new": value, "references": []}
        for name, value in sorted(planned["settings"].items())]
    result = {
        "changed": bool(changed_files),
        "config_dir": config_dir,
        "rewritten": rewritten,
        "excluded": [ref["expanded"] for ref in planned["excluded"]],
        "backup_files": [],
        "diff": [{"before_header": path, "after_header": path, "before": before[path], "after": after[path]}
                 for path in changed_files],
    }
    if not changed_files or check_mode:
        return result
    if make_backup:
        result["backup_files"] = [config_write.backup(path) for path in changed_files]
    config_write.write_all_or_none([(path, after[path]) for path in changed_files], before)
    try:
        left = leftover(postfix, config_dir, exclude)
        if left:
            raise SwitchError("legacy references left after the rewrite: %s" % ", ".join(left))
        postfix.run("postfix", ["check"], config_dir, what="checking the new configuration")
    except (SwitchError, PostfixCommandError, host.DiscoveryError) as exc:
        for path in changed_files:
            config_write.write_atomic(path, before[path])
        raise SwitchError("%s; the original %s restored" % (exc, " and ".join(changed_files)))
    return result
