# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build an indexed table with the host's postmap/postalias, verify it, and put it in place.

The new file is built from a copy of the source in a private directory next to the table (same
file system, same owner and mode, so postmap applies its usual owner/mode rules), every key is
looked up through the real Postfix, and only then is the file renamed over the old one: a reader
sees the old table or the complete new one, and a failed build leaves the old table serving.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import stat
import tempfile

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import indexed

QUERY_BATCH = 200000
WORK_PREFIX = ".nbdb-build-"


class BuildError(NbdbError):
    """The build or its verification failed; the previous table is untouched."""


def build(postfix, config_dir, table, tool, target_type, expected, fold_case=True, sensitive=False,
          flags=()):
    """Build target_type:table from its source; returns facts about the installed file."""
    directory, name = os.path.split(table)
    info = os.stat(table)
    remove_abandoned(directory)
    work = tempfile.mkdtemp(prefix="%s%d-" % (WORK_PREFIX, os.getpid()), dir=directory)
    try:
        os.chown(work, info.st_uid, info.st_gid)
        os.chmod(work, 0o700)
        copy = os.path.join(work, name)
        shutil.copyfile(table, copy)
        os.chown(copy, info.st_uid, info.st_gid)
        os.chmod(copy, stat.S_IMODE(info.st_mode))
        options = list(flags) + ([] if fold_case else ["-f"])
        spec = "%s:%s" % (target_type, copy)
        postfix.run(tool, options + [spec], config_dir, what="building %s:%s" % (target_type, table))
        built = indexed.indexed_path(target_type, copy)
        wrong = lookup_mismatches(postfix, config_dir, tool, target_type, table, spec, expected, fold_case)
        if wrong:
            hint = ""
            if len(wrong) == len(expected):
                free = os.statvfs(directory)
                hint = " (postmap reports no error on a full disk: %d bytes are free in %s)" % (
                    free.f_bavail * free.f_frsize, directory)
            raise BuildError("verifying %s:%s: %s%s; the old table was left in place"
                             % (target_type, table, describe_mismatch(wrong, len(expected)), hint))
        if sensitive:
            mode = stat.S_IMODE(os.stat(built).st_mode)
            os.chmod(built, mode & ~0o007)
        final = indexed.indexed_path(target_type, table)
        os.rename(built, final)
        return final
    except OSError as exc:
        raise BuildError("building %s:%s: %s" % (target_type, table, exc))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def remove_abandoned(directory):
    """Remove build directories of module runs that were killed (named after a process that no longer exists)."""
    try:
        entries = os.listdir(directory)
    except OSError:
        return  # the build itself reports an unreadable directory
    for entry in entries:
        pid = entry[len(WORK_PREFIX):].split("-")[0] if entry.startswith(WORK_PREFIX) else ""
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(os.path.join(directory, entry), ignore_errors=True)


def _alive(pid):
    """Whether the process exists and is not a zombie (an unreaped killed process is gone for our purpose)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (IOError, OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def describe_mismatch(wrong, total):
    sample = ", ".join(repr(key.decode("utf-8", "replace")) for key in wrong[:5])
    return "%d of %d keys do not look up to the source's value (e.g. %s)" % (len(wrong), total, sample)


def lookup_mismatches(postfix, config_dir, tool, target_type, table, spec, expected, fold_case=True, keys=None):
    """Keys (all, or the given ones) whose lookup through the real Postfix differs from expected."""
    keys = list(expected) if keys is None else list(keys)
    query = ["-q", "-"] if fold_case else ["-f", "-q", "-"]
    found = {}
    for start in range(0, len(keys), QUERY_BATCH):
        batch = keys[start:start + QUERY_BATCH]
        rc, out, err = postfix.run(tool, query + [spec], config_dir, check=False, binary=True,
                                   data=b"\n".join(batch) + b"\n", what="verifying %s:%s" % (target_type, table))
        if rc not in (0, 1):
            raise BuildError("verifying %s:%s: %s -q failed: %s" % (target_type, table, tool, err.strip()))
        found.update(indexed.parse_dump(out, alias=tool == "postalias"))
    return [key for key in keys if found.get(key) != expected[key]]
