# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read what the security checks need: levels, prefixes, file and directory ownership, posture."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import os
import pwd
import re
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
REINDEX_SERVICE = "nbdb_reindex/unix"
# Tables kept in files (their source, or the file itself for regexp/pcre/cidr/texthash).
FILE_TYPES = ("hash", "btree", "lmdb", "cdb", "dbm", "sdbm", "texthash", "regexp", "pcre", "cidr")
TLS_KEY_PARAMETER = re.compile(r"(^|_)tls_(d|ec)?key_file$|(^|_)tls_chain_files$")
KEY_MARKER = b"PRIVATE KEY-----"
READ_LIMIT = 1 << 20
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def path_facts(path):
    """uid, gid, mode of a path (lstat), or None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return {"path": path, "uid": info.st_uid, "gid": info.st_gid, "mode": stat.S_IMODE(info.st_mode),
            "is_dir": stat.S_ISDIR(info.st_mode), "is_link": stat.S_ISLNK(info.st_mode), "mtime": info.st_mtime,
            "dev": info.st_dev, "ino": info.st_ino}


def config_trust(config_dir):
    """What _planning.security.config_refusals judges for one instance: its main.cf, master.cf and directories."""
    return {"config_dir": config_dir,
            "config_files": {name: path_facts(os.path.join(config_dir, name)) for name in ("main.cf", "master.cf")},
            "config_dirs": [path_facts(config_dir)] + [path_facts(p) for p in ancestors(config_dir)]}


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


def all_texts(snapshot):
    texts = list(snapshot.main_expanded.values())
    for options in snapshot.master_expanded.values():
        texts.extend(options.values())
    return texts


def file_table_paths(snapshot):
    """Absolute paths of every table kept in a file (any of FILE_TYPES, after migration too), caches aside."""
    caches = host.used_paths(snapshot, tables.CACHE_PARAMETERS)
    paths = set(leaf.name for leaf in host._leaves(all_texts(snapshot))
                if leaf.map_type in FILE_TYPES and leaf.name.startswith("/"))
    return sorted(paths - caches)


def read_regular(path, limit=READ_LIMIT):
    """The first bytes of a regular file opened without following a symlink, or None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit)
    finally:
        os.close(fd)


def sni_files(path):
    """File names in the values of a tls_server_sni_maps source (postmap -F replaces them by their content)."""
    data = read_regular(path)
    names = []
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            words = line.replace(",", " ").split()
            # a line starting with whitespace continues the previous value: all its words are file names
            names.extend(word for word in (words if line[0].isspace() else words[1:]) if word.startswith("/"))
    return names


def tls_key_files(snapshot):
    """{path: {"parameters": [...], "named_as_key": bool}} of key_file, chain_files and SNI-table files."""
    found = {}

    def add(path, where, named_as_key):
        entry = found.setdefault(path, {"parameters": [], "named_as_key": False})
        entry["parameters"].append(where)
        entry["named_as_key"] = entry["named_as_key"] or named_as_key

    settings = [(name, value, name) for name, value in snapshot.main_expanded.items()]
    for service, options in snapshot.master_expanded.items():
        settings.extend(("%s -o %s" % (service, name), value, name) for name, value in options.items())
    for where, value, name in settings:
        if TLS_KEY_PARAMETER.search(name):
            for word in value.replace(",", " ").split():
                if word.startswith("/"):
                    add(word, where, name.endswith("key_file"))
    for table in host.used_paths(snapshot, ("tls_server_sni_maps",)):
        if table.startswith("/"):
            for word in sni_files(table):
                add(word, "tls_server_sni_maps (%s)" % table, False)
    for path, entry in found.items():
        entry["facts"] = path_facts(path)
        data = read_regular(path) if entry["facts"] and not entry["facts"]["is_link"] else None
        entry["has_key"] = None if data is None else KEY_MARKER in data  # content never leaves this function
    return found


def _gid(name):
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None


def _user_gid(name):
    try:
        return pwd.getpwnam(name).pw_gid
    except KeyError:
        return None


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
    state.update(config_trust(config_dir))
    state.update({
        "proxied": host.proxied_paths(snapshot),
        "mail_owner_gid": _user_gid(snapshot.main_expanded.get("mail_owner", "postfix").strip()),
        "ssl_cert_gid": _gid("ssl-cert"),
        "queue_directory": snapshot.main_expanded.get("queue_directory", "").strip(),
        "tables": {path: dict(table_state(path), lmdb_lock=path_facts(path + ".lmdb-lock"))
                   for path in file_table_paths(snapshot)},
        "service_prefixes": {name: value for name, value in snapshot.master_expanded.get(REINDEX_SERVICE, {}).items()
                             if name in PREFIX_PARAMETERS},
        "tls_keys": tls_key_files(snapshot),
        "prefix_parents": {},
    })
    entries = [v for v, d in state["prefixes"].values()] + list(state["service_prefixes"].values())
    for entry in " ".join(value or "" for value in entries).replace(",", " ").split():
        state["prefix_dirs"][entry] = path_facts(entry)
        state["prefix_parents"][entry] = [path_facts(p) for p in ancestors(entry)] \
            if entry.startswith("/") else []
    if level == "enable-reindex":
        state["reindex_since"] = reindex_since(config_dir)
    return state
