# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reindex one table: read its state, plan, and (unless checking) recover, build and verify."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd
import stat

from ansible_collections.mailops.nbdb.plugins.module_utils._commands import PostfixCommandError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb, bdb_state, indexed, table_source
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import build, recover
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import disagreement as sides
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import reindex as plan
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.values import LEGACY_TYPES


class Request:
    """One table as asked for, resolved against the instance's context."""

    def __init__(self, spec, context, role="auto", target_type=None, fold_case=None, sensitive=(), file_values=None,
                 disagreement=None):
        self.spec = spec
        self.disagreement = disagreement or {}  # {path: "source" | "db"}: who wins where source and .db disagree
        self.prebuilt_settled = False  # nbdb_switch: a table the prebuild built is not compared with its .db again
        self.source_type, self.path = plan.parse_table(spec)
        plan.check_path(self.path, spec)
        self.context = context
        self.cache = role == "cache" or (self.source_type == "btree" and self.path in context["cache_paths"])
        self.alias = role == "alias" or (role == "auto" and self.path in context["alias_paths"])
        self.tool = "postalias" if self.alias else "postmap"
        self.fold_case = fold_case
        self.sensitive = plan.is_sensitive(self.path, set(context["sensitive_paths"]) | set(sensitive))
        self.proxied = self.path in context.get("proxied_paths", ())
        self.file_values = file_values  # postmap -F; None: decided in reindex() (plan.needs_file_values)
        self.file_parameter = self.path in context["sni_paths"]
        self.target_type = None if self.cache else plan.target_type(
            self.source_type, target_type, context["default_database_type"], context["default_cache_db_type"],
            context["map_types"], spec)


def cache_type(request):
    """The type a cache becomes: the instance's cache type (lmdb, the only one Postfix can update, when legacy)."""
    wanted = request.context["default_cache_db_type"]
    return "lmdb" if wanted in LEGACY_TYPES else wanted


def legacy_type(request, legacy_file):
    """The legacy type of a .db: the requested one, else (a verification names the new type) its access method."""
    if request.source_type in LEGACY_TYPES:
        return request.source_type
    try:
        return bdb.detect(legacy_file) or "hash"
    except (OSError, bdb.BdbFormatError):
        return "hash"  # the dump names the file in its error


def read_legacy(request, postfix):
    """(content or None, Berkeley DB state) of the legacy .db, read with the real postmap -s/postalias -s.

    Where Berkeley DB is gone (bdb_state.UNAVAILABLE, told by Postfix's own answer to that open) the content is
    None: a table with a source is built from its source alone."""
    map_type = legacy_type(request, request.path + ".db")
    try:
        return indexed.legacy_dump(postfix, request.context["config_dir"], map_type, request.path,
                                   request.alias), bdb_state.AVAILABLE
    except PostfixCommandError as exc:
        out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        state = bdb_state.classify(exc.rc, (exc.stderr or "") + out)[0]
        if state not in bdb_state.UNAVAILABLE:
            raise
        return None, state


def read_orphan(request, state):
    """Content of an orphan's .db where Berkeley DB is gone: the pure-Python reader (bdb.read_db), which refuses
    (naming the file) what it cannot decode."""
    legacy_file = request.path + ".db"
    try:
        return indexed.clean_items(bdb.read_db(legacy_file), request.alias)
    except bdb.BdbError as exc:
        raise plan.PlanError("%s: orphan (no source) and Berkeley DB is unavailable here (%s); the pure-Python"
                             " reader cannot decode %s: %s" % (request.spec, state, legacy_file, exc))


def read_source(request, postfix):
    """(source bytes, legacy content or None, orphan?, Berkeley DB state or None when the .db was not read)."""
    path, spec = request.path, request.spec
    legacy_file = path + ".db"
    legacy = None
    if os.path.lexists(path):
        real = os.path.realpath(path)
        plan.check_symlink(path, real, spec)
        owner = os.lstat(path).st_uid
        if owner == 0 and real != path:
            owner = os.stat(real).st_uid  # a link root made may point to any owner's file
        try:
            # the file judged is the file read: no symlink followed on the final open, a regular file, and a
            # symlinked source (inside its directory) must point to a file of the link's owner or root
            fd = indexed.open_checked(real, owner)
        except indexed.IndexedFileError as exc:
            raise plan.PlanError("%s: source %s" % (spec, exc))
        except (IOError, OSError) as exc:
            raise plan.PlanError("%s: cannot read source %s: %s" % (spec, path, exc))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read()
        orphan = False
    elif os.path.exists(legacy_file):
        data = None
        orphan = True
    else:
        raise plan.PlanError("%s: source %s does not exist (and there is no %s to recover it from)"
                             % (spec, path, legacy_file))
    state = None
    if os.path.exists(legacy_file) and (orphan or request.fold_case is None or request.source_type in LEGACY_TYPES):
        legacy, state = read_legacy(request, postfix)
        if orphan and legacy is None:
            legacy = read_orphan(request, state)
    if orphan:
        data = recover.source_text(legacy, request.alias, spec,
                                   reader="postmap -s" if state == bdb_state.AVAILABLE else "mailops.nbdb's reader")
    return data, legacy, orphan, state


def db_content(request, legacy, orphan, state):
    """What the legacy .db answers, to compare with its source: postmap -s's dump where Berkeley DB works, else the
    pure-Python reader's (a .db it cannot decode: the error's text instead). None without a .db or for an orphan."""
    if orphan or not os.path.exists(request.path + ".db") or request.source_type not in LEGACY_TYPES:
        return None
    if legacy is not None or state not in bdb_state.UNAVAILABLE:
        return legacy
    try:
        return indexed.clean_items(bdb.read_db(request.path + ".db"), request.alias)
    except (bdb.BdbError, OSError) as exc:
        return "%s: %s" % (request.path + ".db", exc)


def settle_disagreement(request, entries, compared):
    """(winner or None, difference or None) for a table about to be built; DisagreementError (its result kept on it
    by the caller) when source and .db disagree and request.disagreement names no winner."""
    if isinstance(compared, str):  # the .db could not be decoded: only "source" may go on
        if sides.chosen_side(request.disagreement, request.path, request.spec) == sides.SOURCE:
            return sides.SOURCE, None
        raise sides.DisagreementError(
            "%s: the legacy .db cannot be read to compare it with the source (%s); set %s: {%r: source} to build"
            " from the source anyway" % (request.spec, compared, sides.ROLE_VARIABLE, request.path))
    return sides.decide(request.spec, request.path, entries, compared, request.disagreement)


def rewrite_source(request, legacy, reader):
    """The .db wins: the source becomes the .db's content (recovered text); the previous file is kept next to it."""
    data = recover.source_text(legacy, request.alias, request.spec, reader=reader,
                               why="it replaced a source that disagreed with the .db (the .db won, as asked);"
                                   " the previous source is %s%s" % (request.path, SOURCE_KEPT))
    return data


SOURCE_KEPT = ".nbdb-before-db"


def infer_fold_case(request, legacy, utf8):
    """Keys in the legacy table that case folding would change mean it was built with -f."""
    if request.fold_case is not None:
        return request.fold_case
    if not legacy:
        return True
    keys = b"\n".join(legacy)
    if keys.isascii():  # one scan: ASCII folding is lower case
        return keys.lower() == keys
    return all(key == table_source.fold(key, utf8) for key in legacy)


def _readable_by(info, uid, groups):
    if info.st_uid == uid:
        return bool(info.st_mode & 0o400)
    if info.st_gid in groups:
        return bool(info.st_mode & 0o040)
    return bool(info.st_mode & 0o004)


def _groups_of(uid, gid):
    try:
        return set(os.getgrouplist(pwd.getpwuid(uid).pw_name, gid))
    except KeyError:
        return {gid}


def file_values(request, source, required):
    """{key: what postmap -F stores} for the source's values read as file names (plan.file_value).

    postmap run by root on a source owned by another user reads the files as that user: a file that user could not
    read is refused, never read as root into the table. None when not required and a value does not name existing
    absolute files; when required, a missing or unreadable file is the error, with its line."""
    owner = os.stat(request.path)
    groups = None if owner.st_uid == 0 else _groups_of(owner.st_uid, owner.st_gid)
    result = {}
    for key, value in source.entries.items():
        contents = []
        names = plan.file_names(value)
        for name in names or [b""]:
            path = name.decode("utf-8", "surrogateescape")
            where = "%s: %s, line %d (%s)" % (request.spec, request.path, source.lines[key], key.decode("utf-8", "replace"))
            try:
                if not path.startswith("/"):
                    raise plan.PlanError("%s names %r, not an absolute file name" % (where, path))
                info = os.stat(path)
                if not stat.S_ISREG(info.st_mode):
                    raise plan.PlanError("%s names %s, which is not a regular file" % (where, path))
                if groups is not None and not _readable_by(info, owner.st_uid, groups):
                    raise plan.PlanError("%s names %s, which the source's owner (uid %d) cannot read; postmap -F"
                                         " would not put it in the table" % (where, path, owner.st_uid))
                with open(path, "rb") as handle:
                    contents.append(handle.read())
            except (IOError, OSError) as exc:
                if not required:
                    return None
                raise plan.PlanError("%s names %s, which cannot be read (%s); postmap -F would skip the entry"
                                     % (where, path, exc.strerror or exc))
            except plan.PlanError:
                if not required:
                    return None
                raise
        result[key] = plan.file_value(contents)
    return result


def sample_keys(keys, size):
    """All keys (size < 0), none (0), or an even spread of size keys."""
    if size < 0 or size >= len(keys):
        return list(keys)
    step = float(len(keys)) / size if size else 0
    return [keys[int(i * step)] for i in range(size)]


def reindex(postfix, request, check_mode=False, force=False, strict=True, lookup_sample=0, want_diff=True):
    """Result dict for one table (see table_reindex RETURN) and its diff entry (None unless want_diff)."""
    spec = request.spec
    if request.cache:
        return {"table": spec, "path": request.path, "role": "cache", "action": "none", "changed": False,
                "target": "%s:%s" % (cache_type(request), request.path),
                "reason": "daemon-maintained cache: recreated empty under the new type when Postfix starts"}, None
    if not check_mode:
        build.remove_abandoned(os.path.dirname(request.path))  # private leftovers of a killed run
    utf8 = request.context["utf8"]
    data, legacy, orphan, berkeley_db = read_source(request, postfix)
    try:
        actual, reader = indexed.read_content(postfix, request.target_type, request.path, request.alias,
                                              request.context["config_dir"])
    except indexed.IndexedFileError as exc:
        raise plan.PlanError("%s: %s (remove it and run again to rebuild it)" % (spec, exc))
    # Without a readable .db, case folding follows the table already built (an earlier run), else the default.
    fold_case = infer_fold_case(request, legacy if berkeley_db in (None, bdb_state.AVAILABLE) or orphan else actual,
                                utf8)
    source = table_source.parse(data, request.alias, fold_case, utf8)
    entries = source.entries
    rejected = [(line, text) for line, text in source.warnings if not text.startswith("duplicate")]
    if strict and rejected:
        raise plan.PlanError("%s: %s rejects %s" % (spec, request.tool, "; ".join(
            "%s, line %d: %s" % (request.path, line, text) for line, text in rejected)))
    # -F: an orphan's recovered source already holds the stored (base64) values, copied as they are
    required = not orphan and (request.file_values or (request.file_values is None and request.file_parameter))
    candidate = not orphan and request.file_values is None and plan.base64_values((legacy, actual))
    encoded = file_values(request, source, required) if (required or candidate) and not request.alias else None
    use_files = not orphan and plan.needs_file_values(request.file_values, request.file_parameter, (legacy, actual),
                                                      encoded)
    if use_files:
        entries = encoded
    flags = plan.build_flags(use_files)
    change = plan.delta(entries, actual)
    action, reason = plan.decide(entries, actual, force, change)
    # a table already built here by the prebuild had its disagreement settled there (nbdb_switch's late rebuild)
    settled = request.prebuilt_settled and actual is not None
    compared = db_content(request, legacy, orphan, berkeley_db) if action == "build" and not settled else None
    winner, difference, refused, previous = None, None, None, None
    try:
        winner, difference = settle_disagreement(request, entries, compared)
    except sides.DisagreementError as exc:
        refused = exc
    if winner == sides.DB:
        previous = data
        data = rewrite_source(request, compared, "postmap -s" if berkeley_db == bdb_state.AVAILABLE
                              else "mailops.nbdb's reader")
        entries, flags = dict(compared), []  # the .db's stored values, as an orphan's
        change = plan.delta(entries, actual)
        action, reason = plan.decide(entries, actual, force, change)
        reason += "; built from the legacy .db, which disagreed with the source (%s: db); the source is rewritten" \
                  " from it, the previous one kept as %s%s" % (sides.ROLE_VARIABLE, request.path, SOURCE_KEPT)
    elif winner == sides.SOURCE:
        reason += "; built from the source, which disagreed with the legacy .db (%s: source): lookups now answer" \
                  " as the source says" % sides.ROLE_VARIABLE
    if orphan:
        action, reason = "build", "orphan: source recovered from the legacy .db (%d entries%s)" % (
            len(legacy), "" if berkeley_db == bdb_state.AVAILABLE else ", read without Berkeley DB")
    elif berkeley_db in bdb_state.UNAVAILABLE:
        reason += "; the legacy .db was not read (Berkeley DB unavailable: %s)" % berkeley_db
    target_file = indexed.indexed_path(request.target_type, request.path)
    result = {
        "table": spec, "path": request.path, "role": "orphan" if orphan else ("alias" if request.alias else "map"),
        "tool": request.tool, "target": "%s:%s" % (request.target_type, request.path), "target_file": target_file,
        "action": action, "reason": reason, "changed": action == "build", "entries": len(entries),
        "added": len(change["added"]), "removed": len(change["removed"]), "changed_keys": len(change["changed"]),
        "duplicates": source.duplicates, "fold_case": fold_case, "sensitive": request.sensitive,
        "warnings": ["%s, line %d: %s" % (request.path, line, text) for line, text in source.warnings],
        "reader": reader, "verified": 0, "recovered_source": None,
        "matches_legacy": None if legacy is None or orphan else legacy == entries, "flags": flags,
        "berkeley_db": berkeley_db,
        "disagreement": None if difference is None or sides.agrees(difference) else sides.describe(difference, winner),
    }
    if refused is not None:
        result.update(action="refused", changed=False, reason=str(refused),
                      disagreement=None if isinstance(compared, str) else sides.describe(
                          sides.compare(entries, compared)))
        refused.result = result
        raise refused
    entry = None
    if action == "build" and want_diff:
        entry = plan.diff(spec, target_file, entries, actual, request.sensitive, change)
    change = None
    if action == "build" and not check_mode:
        if previous is not None:  # the .db won: keep the old source, write the .db's content as the source
            info = os.stat(request.path)
            recover.write_source(request.path + SOURCE_KEPT, previous, info.st_uid, info.st_gid,
                                 stat.S_IMODE(info.st_mode))
            recover.write_source(request.path, data, info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode))
        if orphan:
            info = os.stat(request.path + ".db")
            # without Berkeley DB the source takes the .db's own mode (the rule); with it, 0600 as before
            mode = 0o600 if berkeley_db == bdb_state.AVAILABLE else stat.S_IMODE(info.st_mode)
            recover.write_source(request.path, data, info.st_uid, info.st_gid, mode)
            result["recovered_source"] = request.path
        build.build(postfix, request.context["config_dir"], request.path, request.tool, request.target_type,
                    entries, fold_case, request.sensitive, request.proxied, flags=flags)
        result["verified"] = len(entries)
    elif action == "none" and lookup_sample:
        keys = sample_keys(source.order, lookup_sample)
        spec_installed = "%s:%s" % (request.target_type, request.path)
        wrong = build.lookup_mismatches(postfix, request.context["config_dir"], request.tool, request.target_type,
                                        request.path, spec_installed, entries, fold_case, keys)
        if wrong:
            raise build.BuildError("%s: the installed %s answers wrongly: %s" % (
                spec, spec_installed, build.describe_mismatch(wrong, len(keys))))
        result["verified"] = len(keys)
    return result, entry
