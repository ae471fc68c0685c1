# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the migration means for the programs that write tables (``_discovery/writers``), decided once.

- A writer that runs postmap/postalias on a bare path builds ``default_database_type``: the migration switches it
  to the new type, so the writer keeps building what the migrated references read (checked on Postfix 3.11:
  ``postmap /x`` after ``postconf default_database_type=lmdb`` writes ``/x.lmdb``). Where the table is excluded
  (it stays ``hash:``), the writer's updates would go to the new file while Postfix reads the old one: refused.
- A writer that names ``hash:``/``btree:`` keeps working on 3.11+ only at ``enable-redirect``/``enable-reindex``
  (``postmap hash:/x`` is redirected to ``default_database_type``). At ``disable`` it writes a ``.db`` the migrated
  configuration no longer reads, and fails once Berkeley DB is gone: refused, naming the setting to change.
  Without levels (3.10 and older, 3.8 built without Berkeley DB) nothing redirects: the setting to change is
  reported (file, line, new value); the migration itself goes ahead.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.writers import LEGACY_RE

REDIRECTING_LEVELS = ("enable-redirect", "enable-reindex")
LEGACY = ("hash", "btree")


def new_types(instance):
    """(table type, cache type) a bare postmap builds after the migration: the default types, switched if legacy."""
    table = instance.get("default_database_type")
    cache = instance.get("default_cache_db_type")
    return (instance["target_database_type"] if table in LEGACY or not table else table,
            instance["target_cache_db_type"] if cache in LEGACY or not cache else cache)


def _where(writer):
    where = "%s line %s" % (writer["file"], writer["line"]) if writer.get("line") else "%s (not set: the default)" % (
        writer["file"])
    return where + (" (through %s)" % writer["via"] if writer.get("via") else "")


def change(writer, types):
    """The exact setting to change: {file, line, setting, value} naming the new type instead of hash:/btree:."""
    def swap(text):
        return LEGACY_RE.sub(lambda m: "%s:%s" % (types[0] if m.group(1) == "hash" else types[1], m.group(2)), text)
    if writer.get("via"):
        path, line = writer["via"].rsplit(":", 1)
        return {"file": path, "line": int(line), "setting": None, "value": None,
                "note": "in this script, replace hash:/btree: by %s:/%s:" % types}
    command = swap(writer["command"])
    if writer["program"] == "mailman3":
        value = "postmap_command: %s" % command
    elif writer["program"] == "mailman2":
        value = "%s = %r" % (writer["setting"], command)
    else:
        value = command
    return {"file": writer["file"], "line": writer.get("line"), "setting": writer.get("setting"), "value": value}


def _shown(writer):
    what = "%s %s" % (writer["program"], writer["setting"]) if writer.get("setting") else writer["program"]
    return "%s at %s runs '%s'" % (what, _where(writer), writer["command"])


def judge_one(writer, has_levels, level, types, kept_paths):
    """(verdict, refusal or None) of one writer at the level the host runs at afterwards."""
    verdict = dict(writer)
    tables = ", ".join(writer.get("tables") or []) or "its tables"
    verdict.update({"builds": None, "change": None})
    if not writer["types"]:
        verdict["builds"] = types[0]
        stale = [path for path in writer.get("tables") or [] if path in kept_paths]
        if stale:
            verdict["outcome"] = "stale"
            verdict["note"] = ("%s on a bare path: after the switch of default_database_type it builds %s:%s, but %s"
                               " is excluded and Postfix keeps reading the old .db"
                               % (_shown(writer), types[0], stale[0], stale[0]))
            return verdict, verdict["note"] + ": do not exclude %s" % ", ".join(stale)
        verdict["outcome"] = "keeps_working"
        verdict["note"] = ("%s on a bare path: it builds default_database_type, %s after the migration, which is what"
                           " the migrated references to %s read" % (_shown(writer), types[0], tables))
        return verdict, None
    verdict["change"] = change(writer, types)
    remedy = _remedy(verdict["change"])
    if has_levels and level in REDIRECTING_LEVELS:
        verdict.update(outcome="redirected", builds=types[0])
        verdict["note"] = ("%s, naming %s: explicitly: at level %s Postfix redirects it to %s:; keep the level at"
                           " enable-redirect or enable-reindex while this caller exists, or %s"
                           % (_shown(writer), "/".join(writer["types"]), level, types[0], remedy))
        return verdict, None
    verdict["outcome"] = "breaks"
    if has_levels:
        verdict["note"] = ("%s, naming %s: explicitly: at level %s it writes a .db that the migrated configuration no"
                           " longer reads (and fails once Berkeley DB is gone)"
                           % (_shown(writer), "/".join(writer["types"]), level or "disable"))
        return verdict, verdict["note"] + ": use migrate_level: enable-redirect, or %s" % remedy
    verdict["note"] = ("%s, naming %s: explicitly: this Postfix has no migration levels (no redirect), so after the"
                       " migration its updates of %s are not what Postfix reads (or fail without Berkeley DB): %s"
                       % (_shown(writer), "/".join(writer["types"]), tables, remedy))
    return verdict, None


def _remedy(item):
    if item.get("value") is None:
        return "change %s line %s: %s" % (item["file"], item["line"], item["note"])
    at = "%s line %s" % (item["file"], item["line"]) if item.get("line") else "%s (add it)" % item["file"]
    return "change %s at %s to: %s" % (item.get("setting") or "the command", at, item["value"])


def judge(discovery, kept_tables, level_after):
    """(verdicts, refusals) for discovery's ``writers``; level_after None: the current level, nothing refused."""
    writers = discovery.get("writers") or []
    instances = discovery["instances"]
    if not writers or not instances:
        return [], []
    default = instances[0]
    level = level_after or default.get("migration_level")
    kept_paths = {name.split(":", 1)[1] for name in kept_tables if ":" in name}
    verdicts, refusals = [], []
    for writer in writers:
        verdict, refusal = judge_one(writer, discovery["postfix"]["has_levels"], level, new_types(default), kept_paths)
        verdicts.append(verdict)
        if refusal and level_after is not None:
            refusals.append(refusal)
    return verdicts, refusals
