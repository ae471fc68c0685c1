# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read what the security checks need: levels, prefixes, file and directory ownership, posture."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host, references, tables

PREFIX_PARAMETERS = ("non_bdb_migration_allow_root_prefixes", "non_bdb_migration_allow_user_prefixes")
# TLS and milter parameters whose defaults changed around 3.10/3.11 (see the facts file): reported, not enforced.
POSTURE_PARAMETERS = ("smtp_tls_security_level", "smtpd_tls_security_level", "smtp_tls_enforce_sts_mx_patterns",
                      "tls_eecdh_auto_curves", "milter_default_action", "requiretls_enable", "smtp_requiretls_policy")
SENSITIVE_PARAMETERS = host.SENSITIVE_PARAMETERS
REINDEX_SINCE_DIR = "/var/lib/mailops-nbdb"
MAILMAN_HINTS = ("/var/lib/mailman", "/var/lib/mailman3", "/usr/lib/mailman", "/etc/mailman3/mailman.cfg")


def path_facts(path):
    """uid, gid, mode of a path (lstat), or None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return {"path": path, "uid": info.st_uid, "gid": info.st_gid, "mode": stat.S_IMODE(info.st_mode),
            "is_dir": stat.S_ISDIR(info.st_mode), "is_link": stat.S_ISLNK(info.st_mode), "mtime": info.st_mtime}


def ancestors(path):
    """Parent directories of path up to /, nearest first."""
    found = []
    current = os.path.dirname(path)
    while True:
        found.append(current)
        if current in ("/", ""):
            return found
        current = os.path.dirname(current)


def table_state(path):
    files = {kind: path_facts(path + suffix) for kind, suffix in tables.SUFFIXES.items()}
    return {"path": path, "files": files, "parents": [path_facts(p) for p in ancestors(path)]}


def reindex_marker(config_dir):
    """File where mailops.nbdb.nbdb_level records when it turned enable-reindex on."""
    return os.path.join(REINDEX_SINCE_DIR, "reindex-since" + config_dir.replace("/", "_"))


def reindex_since(config_dir):
    """(unix time, how it was determined) of when enable-reindex was turned on; (None, why) when not recorded.

    main.cf's modification time is no substitute: every postconf -e and postfix non-bdb run rewrites main.cf."""
    marker = reindex_marker(config_dir)
    try:
        with open(marker) as handle:
            return float(handle.read().strip()), "recorded by mailops.nbdb.nbdb_level in %s" % marker
    except (IOError, OSError, ValueError):
        return None, "not recorded (no readable %s: enable-reindex was not turned on by mailops.nbdb.nbdb_level)" % marker


def posture(postfix, config_dir, snapshot, name):
    """Set value, its effect, and the default's effect on this host (the default's ${...} expression is
    expanded by postconf at this host's compatibility_level, by lending it to a known parameter)."""
    default = snapshot.defaults[name]
    effective_default = postfix.postconf(config_dir, "-xh", "-o", "smtpd_banner=" + default, "smtpd_banner").strip()
    return {"set": snapshot.main_raw[name], "effective": snapshot.main_expanded.get(name, "").strip(),
            "default": default, "effective_default": effective_default}


def gather(postfix, config_dir, sensitive_extra=()):
    """Everything the security rules look at, for one instance."""
    snapshot = host.read_snapshot(postfix, config_dir)
    version = postfix.postconf(config_dir, "-dh", "mail_version").strip()
    level = host.migration_level(postfix, config_dir, version)[0]
    refs = references.find_references(snapshot)[0]
    caches = host.used_paths(snapshot, tables.CACHE_PARAMETERS)  # daemons recreate these; nothing reindexes them
    legacy_paths = sorted({ref["path"] for ref in refs if ref["path"].startswith("/") and ref["path"] not in caches})
    sensitive = sorted(host.used_paths(snapshot, SENSITIVE_PARAMETERS) | set(sensitive_extra))
    migrated = [p for p in host.indexed_table_paths(snapshot) if p not in legacy_paths and os.path.exists(p + ".db")
                and (os.path.exists(p + ".lmdb") or os.path.exists(p + ".cdb"))]
    state = {
        "config_dir": config_dir, "version": version, "has_levels": host.has_levels(version), "level": level,
        "now": time.time(),
        "reindex_service": any(s == ["nbdb_reindex", "unix"] for s in snapshot.services),
        "references": refs,
        "prefixes": {name: (snapshot.main_expanded.get(name), snapshot.defaults.get(name)) for name in PREFIX_PARAMETERS
                     if name in snapshot.defaults},
        "posture": {name: posture(postfix, config_dir, snapshot, name) for name in POSTURE_PARAMETERS
                    if name in snapshot.defaults and name in snapshot.main_raw},
        "legacy_tables": {path: table_state(path) for path in legacy_paths},
        "sensitive_tables": {path: table_state(path) for path in sensitive},
        "stale_db": migrated,
        "mailman": [hint for hint in MAILMAN_HINTS if os.path.exists(hint)],
        "prefix_dirs": {},
    }
    for name, (value, default) in state["prefixes"].items():
        for entry in (value or "").replace(",", " ").split():
            state["prefix_dirs"][entry] = path_facts(entry)
    if level == "enable-reindex":
        state["reindex_since"] = reindex_since(config_dir)
    return state
