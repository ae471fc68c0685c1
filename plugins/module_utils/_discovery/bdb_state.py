# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether Berkeley DB works on a host: decided by an actual open of a hash: table, never by ``postconf -m``
(a 3.11 built without Berkeley DB still lists hash and btree there).

classify() is the pure part: Postfix's answer to an open -> one of STATES. The three ways Berkeley DB is gone:
  - ``missing_311``: Postfix 3.11+ built with -DNO_DB, "Berkeley DB support for 'hash:/x' is not available for
    this OS distribution" (later releases: "for this build");
  - ``unsupported_type``: older releases built without it (RHEL 10's 3.8, Alpine, openSUSE),
    "unsupported dictionary type: hash";
  - ``db_missing`` (one table, Berkeley DB itself works): "open database /x.db: No such file or directory".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import tempfile

from ansible_collections.mailops.nbdb.plugins.module_utils._commands import cool_down, postfix_error_line

AVAILABLE = "available"
MISSING_311 = "missing_311"
UNSUPPORTED_TYPE = "unsupported_type"
DB_MISSING = "db_missing"
UNKNOWN = "unknown"
STATES = (AVAILABLE, MISSING_311, UNSUPPORTED_TYPE, DB_MISSING, UNKNOWN)
UNAVAILABLE = (MISSING_311, UNSUPPORTED_TYPE)  # Berkeley DB cannot be read on this host

# What Postfix says; the quoted table name and the trailing pointer to NON_BERKELEYDB_README vary.
NOT_AVAILABLE_RE = re.compile(r"Berkeley DB support for '[^']*' is not available for this (OS distribution|build)")
UNSUPPORTED_RE = re.compile(r"unsupported dictionary type: (hash|btree)\b")
DB_MISSING_RE = re.compile(r"open database (.*\.db): No such file or directory")
# The probe table: a path that never exists, so an open where Berkeley DB works fails with DB_MISSING_RE.
PROBE_TABLE = "hash:/nonexistent/nbdb-bdb-probe"
PROBE_KEY = "nbdb-bdb-probe"
NOTES = {
    AVAILABLE: "Berkeley DB works: legacy .db files can be read",
    MISSING_311: "Postfix was built without Berkeley DB: hash: and btree: tables cannot be opened (postconf -m"
                 " still lists them); tables are built from their sources alone",
    UNSUPPORTED_TYPE: "this Postfix has no hash:/btree: support at all (built without Berkeley DB, no migration"
                      " levels); tables are built from their sources alone",
    DB_MISSING: "the legacy .db file does not exist",
}


def classify(rc, output):
    """(state, Postfix's telling line or None) of one ``postmap -q``/``-s`` of a hash:/btree: table.

    rc 0 (found) or 1 without a fatal line (not found) means the table opened; a missing .db where Berkeley DB
    works is DB_MISSING; anything else is UNKNOWN with its line.
    """
    text = output or ""
    line = postfix_error_line(text) or None
    if NOT_AVAILABLE_RE.search(text):
        return MISSING_311, _line_of(text, NOT_AVAILABLE_RE)
    if UNSUPPORTED_RE.search(text):
        return UNSUPPORTED_TYPE, _line_of(text, UNSUPPORTED_RE)
    if DB_MISSING_RE.search(text):
        return DB_MISSING, _line_of(text, DB_MISSING_RE)
    if rc == 0 or (rc == 1 and "fatal:" not in text):
        return AVAILABLE, None
    return UNKNOWN, line


def probe_state(rc, output):
    """(state, line) of the probe: its table never exists, so DB_MISSING means Berkeley DB opened it."""
    state, line = classify(rc, output)
    return (AVAILABLE, line) if state == DB_MISSING else (state, line)


def _line_of(text, pattern):
    for line in text.splitlines():
        if pattern.search(line):
            return line.strip()
    return None


def describe(state, line=None, note=None):
    """The result dict nbdb_info returns for one instance (see its RETURN)."""
    return {"state": state, "readable": state == AVAILABLE, "message": line,
            "note": note or NOTES.get(state, "the probe's answer was not understood: %s" % line)}


def probe(postfix, config_dir, main_cf_lines, level):
    """describe() of an actual open of PROBE_TABLE on this instance.

    At a migration level that redirects (enable-redirect/-reindex) hash: opens go to the new type, so the probe
    runs through a scratch config directory holding the instance's main.cf without non_bdb_migration_level.
    """
    args = ["-q", PROBE_KEY, PROBE_TABLE]
    if level not in ("enable-redirect", "enable-reindex"):
        rc, out, err = postfix.run("postmap", args, config_dir, check=False)
        return describe(*probe_state(rc, err + out))
    scratch = tempfile.mkdtemp(prefix="nbdb-scratch-")
    try:
        path = os.path.join(scratch, "main.cf")
        with open(path, "w") as handle:
            handle.write("".join(line + "\n" for line in main_cf_lines
                                 if not line.startswith("non_bdb_migration_level")))
        cool_down(path)
        rc, out, err = postfix.run("postmap", args, scratch, check=False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return describe(*probe_state(rc, err + out))


def host_state(instance_states):
    """The host's state from its instances' (one binary; an instance whose probe failed otherwise wins)."""
    for item in instance_states:
        if item["state"] != AVAILABLE:
            return item["state"]
    return AVAILABLE


def table_state(instance_state, table):
    """One table of nbdb_info: the instance's state, or DB_MISSING where Berkeley DB works but the .db is gone
    (caches keep the instance's: Postfix recreates them)."""
    if instance_state == AVAILABLE and table["role"] != "cache" and not (table.get("files") or {}).get("db"):
        return DB_MISSING
    return instance_state
