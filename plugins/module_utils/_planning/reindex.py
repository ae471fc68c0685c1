# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan table rebuilds: pure decisions over discovered state (no I/O)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import posixpath
import re

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.values import LEGACY_TYPES

PACKAGES = {"lmdb": "postfix-lmdb", "cdb": "postfix-cdb", "pcre": "postfix-pcre", "mysql": "postfix-mysql",
            "pgsql": "postfix-pgsql", "ldap": "postfix-ldap", "sqlite": "postfix-sqlite"}
BUILDABLE_TYPES = ("lmdb", "cdb")
SENSITIVE_WORDS = ("passwd", "password", "sasl", "secret", "credential")
MAX_DIFF_KEYS = 2000
FILE_NAME_SEPARATORS = b", \t\r\n"  # CHARS_COMMA_SP, as dict_file_to_buf() splits a value


class PlanError(NbdbError):
    """A table request that cannot be carried out; str() names the table."""


def parse_table(spec):
    """``type:path`` or a bare path -> (type or None, path)."""
    if ":" in spec and not spec.startswith("/"):
        map_type, path = spec.split(":", 1)
        return map_type, path
    return None, spec


def check_path(path, table):
    """Refuse relative paths and ``..`` components (Postfix would resolve them elsewhere)."""
    if not path.startswith("/"):
        raise PlanError("%s: table path %r is relative; give an absolute path" % (table, path))
    if ".." in path.split("/"):
        raise PlanError("%s: table path %r contains '..'" % (table, path))
    if path != posixpath.normpath(path):
        raise PlanError("%s: table path %r is not in normal form (use %s)" % (table, path, posixpath.normpath(path)))


def check_symlink(path, real_path, table):
    """A source that is a symlink must stay in its own directory."""
    if real_path != path and posixpath.dirname(real_path) != posixpath.dirname(path):
        raise PlanError("%s: source %s is a symlink to %s, outside its directory; refusing to follow it"
                        % (table, path, real_path))


def target_type(source_type, requested, database_type, cache_db_type, map_types, table):
    """Type to build: requested, else the table's own type when it is already lmdb:/cdb: (the role verifies the built
    ``target`` so: a btree: map built as the cache type lmdb must not be looked for as cdb), else btree ->
    default_cache_db_type, else default_database_type."""
    if requested:
        wanted = requested
    elif source_type in BUILDABLE_TYPES:
        wanted = source_type
    elif source_type == "btree":
        wanted = cache_db_type
    else:
        wanted = database_type
    if not wanted or wanted in LEGACY_TYPES:
        raise PlanError("%s: the resolved default type is %r (Berkeley DB); set target_type or switch the"
                        " defaults first (mailops.nbdb.db_types)" % (table, wanted))
    if wanted not in BUILDABLE_TYPES:
        raise PlanError("%s: target type %r is not an indexed file type this module builds (%s)"
                        % (table, wanted, ", ".join(BUILDABLE_TYPES)))
    if wanted not in map_types:
        raise PlanError("%s: this Postfix does not support %s: tables (postconf -m lacks it); install the %s"
                        " package" % (table, wanted, PACKAGES.get(wanted, "postfix-" + wanted)))
    return wanted


def file_names(value):
    """The file names of a -F value, in order."""
    return [name for name in re.split(b"[" + FILE_NAME_SEPARATORS + b"]+", value) if name]


def file_value(contents):
    """What postmap -F stores for a value naming these files: their contents joined by a newline, base64-encoded
    (dict_file_to_b64(); checked on 3.11.7: "KEY1\\n" and "CERT1\\n" give base64 of "KEY1\\n\\nCERT1\\n")."""
    return base64.b64encode(b"\n".join(contents))


def needs_file_values(requested, used_by_file_parameter, built, candidate):
    """Whether to build with -F: as requested; else when a parameter of FILE_VALUE_PARAMETERS uses the table; else
    when a built form of the table (the legacy .db, or the installed new file) holds exactly candidate, the -F values
    of its source (someone built it with -F by hand). candidate is None when the values do not all name files."""
    if requested is not None:
        return requested
    if used_by_file_parameter:
        return True
    return bool(candidate) and any(content == candidate for content in built if content)


_BASE64_RE = re.compile(b"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


def base64_values(built):
    """Whether a built form of the table (one of built, {key: value} or None) holds only base64 values: the only
    case in which the files its source names are worth reading to see whether it was built with -F."""
    return any(content and all(value and _BASE64_RE.match(value) for value in content.values()) for content in built)


def build_flags(file_values):
    return ["-F"] if file_values else []


def is_sensitive(path, sensitive_paths):
    name = posixpath.basename(path).lower()
    return path in sensitive_paths or any(word in name for word in SENSITIVE_WORDS)


def table_mode(source_mode, sensitive, proxied=False):
    """Mode of a built table file: postmap's (source mode & 0644) for ordinary tables; for a sensitive one 0600 at
    most, or 0640 at most when it is used through proxy: (proxymap reads it unprivileged, as group postfix: the
    ``0640 root:postfix`` the security check accepts there)."""
    mode = source_mode & 0o644
    if sensitive:
        mode &= 0o640 if proxied else 0o600
    return mode


def delta(expected, actual):
    """{added, removed, changed}: key lists (in no particular order) between what the source defines and the target."""
    if not actual or expected == actual:  # one comparison for the common cases (new table, unchanged table)
        return {"added": list(expected) if not actual else [], "removed": [], "changed": []}
    return {
        "added": [key for key in expected if key not in actual],
        "removed": [key for key in actual if key not in expected],
        "changed": [key for key in expected if key in actual and actual[key] != expected[key]],
    }


def decide(expected, actual, force, change=None):
    """(action, reason) for one table; action is "build" or "none". change: delta(expected, actual) if known."""
    if actual is None:
        return "build", "target file does not exist"
    change = delta(expected, actual) if change is None else change
    if any(change.values()):
        return "build", "content differs: %d added, %d removed, %d changed" % (
            len(change["added"]), len(change["removed"]), len(change["changed"]))
    if force:
        return "build", "force"
    return "none", "content matches the source"


def listing(content, keys, masked, other=None):
    """Text lines ``key value`` for a diff; sensitive values hidden (marked when they change)."""
    lines = []
    for key in keys:
        value = content[key]
        if masked:
            changed = other is not None and key in other and other[key] != value
            value = b"<hidden, changed>" if changed else b"<hidden>"
        lines.append("%s %s\n" % (key.decode("utf-8", "replace"), value.decode("utf-8", "replace")))
    return "".join(lines)


def diff(table, target_file, expected, actual, masked, change=None):
    """One Ansible diff entry: the target's content before and after, as sorted key lines (at most MAX_DIFF_KEYS
    keys: then only changed ones). change: delta(expected, actual) if known."""
    actual = actual or {}
    big = max(len(expected), len(actual)) > MAX_DIFF_KEYS  # no union set of a million keys
    keys = None if big else set(expected) | set(actual)
    if big or len(keys) > MAX_DIFF_KEYS:
        change = delta(expected, actual) if change is None else change
        keys = set(change["added"] + change["removed"] + change["changed"])
        keys = set(sorted(keys)[:MAX_DIFF_KEYS])
    before_keys = sorted(key for key in keys if key in actual)
    after_keys = sorted(key for key in keys if key in expected)
    return {
        "before_header": "%s (%s)" % (target_file, "absent" if not actual else "%d entries" % len(actual)),
        "after_header": "%s (%d entries from %s)" % (target_file, len(expected), table),
        "before": listing(actual, before_keys, masked),
        "after": listing(expected, after_keys, masked, actual),
    }
