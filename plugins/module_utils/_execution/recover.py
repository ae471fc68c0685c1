# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recover the source of an orphan table (only its legacy .db is left) while Berkeley DB works."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import descriptors

WHITESPACE = b" \t\r\n\f\v"


class RecoverError(NbdbError):
    pass


def source_text(content, alias, table, reader="postmap -s", why="the original source was missing"):
    """Source file bytes that postmap/postalias turn back into exactly this content (reader: what read the .db;
    why: the end of the first comment line)."""
    lines = [("# Recovered by mailops.nbdb from the legacy %s.db (read with %s): %s.\n"
              % (table.split(":", 1)[-1], reader, why)).encode("utf-8", "surrogateescape")]
    for key in sorted(content):
        value = content[key]
        bad = (not key or any(c in key for c in (b" ", b"\t", b"\n", b"\r")) or key.startswith(b"#")
               or b"\n" in value or value != value.strip(WHITESPACE) or not value)
        if bad or (alias and (b":" in key or b"@" in key or b'"' in key)):
            raise RecoverError("%s: entry %r cannot be written back as a source line; recover this table"
                               " by hand (postmap -s)" % (table, key.decode("utf-8", "replace")))
        lines.append(key + (b": " if alias else b" ") + value + b"\n")
    return b"".join(lines)


def write_source(table, data, uid, gid, mode=0o600):
    """Write the recovered source atomically, owned like the .db, mode 0600 (or mode).

    It is written in a private directory and renamed into place by descriptors (see descriptors): by root where
    only root can change the directory, else by a child running as the .db's owner; a directory that anyone else
    can write is refused."""
    directory, name = os.path.split(table)
    what = "recovering the source of %s" % table
    try:
        with descriptors.Directory(directory) as parent:
            parent.require_safe_for(uid, gid, what)
            parent.install(name, data, uid, gid, mode, prefix=".nbdb-recover-")  # as root or as the owner
    except (descriptors.UnsafePathError, descriptors.ActingError) as exc:
        raise RecoverError(str(exc))
    except OSError as exc:
        raise RecoverError("%s: %s" % (what, exc))
