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

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import indexed

QUERY_BATCH = 50000


class BuildError(Exception):
    """The build or its verification failed; the previous table is untouched."""


def build(postfix, config_dir, table, tool, target_type, expected, fold_case=True, sensitive=False,
          flags=()):
    """Build target_type:table from its source; returns facts about the installed file."""
    directory, name = os.path.split(table)
    info = os.stat(table)
    work = tempfile.mkdtemp(prefix=".nbdb-build-", dir=directory)
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
        verify(postfix, config_dir, tool, target_type, table, spec, expected, fold_case)
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


def verify(postfix, config_dir, tool, target_type, table, spec, expected, fold_case=True):
    """Every key of the source must look up to its value through the real Postfix."""
    keys = list(expected)
    query = ["-q", "-"] if fold_case else ["-f", "-q", "-"]
    found = {}
    for start in range(0, len(keys), QUERY_BATCH):
        batch = keys[start:start + QUERY_BATCH]
        rc, out, err = postfix.run(tool, query + [spec], config_dir, check=False, binary=True,
                                   data=b"\n".join(batch) + b"\n", what="verifying %s:%s" % (target_type, table))
        if rc not in (0, 1):
            raise BuildError("verifying %s:%s: %s -q failed: %s" % (target_type, table, tool, err.strip()))
        found.update(indexed.parse_dump(out, alias=tool == "postalias"))
    wrong = [key for key in keys if found.get(key) != expected[key]]
    if wrong:
        sample = ", ".join(repr(key.decode("utf-8", "replace")) for key in wrong[:5])
        raise BuildError("verifying %s:%s: %d of %d keys do not look up to the source's value (e.g. %s);"
                         " the old table was left in place" % (target_type, table, len(wrong), len(keys), sample))
    return len(keys)
