# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the lookup content of indexed tables: the one place that reads lmdb/cdb files.

``.lmdb`` with the ``lmdb`` package (read-only, LMDB's own locking off, a shared fcntl lock as
Postfix's LMDB_README asks), ``.cdb`` with ``pure-cdb`` or, where the target lacks it, a small
reader of the cdb format (``postmap -s`` cannot list cdb tables before Postfix 3.8); ``.lmdb``
without the ``lmdb`` package, and ``hash``/``btree``, with the real ``postmap -s``/``postalias -s``
(for legacy tables through a scratch config directory, see legacy_dump). Content is {key: value} as bytes, with
Postfix's NUL terminators and postalias's own entries (``@``, ``YP_*``) removed.

An indexed file is read only if it is what it claims (open_checked): opened with ``O_NOFOLLOW`` (a symlink is
refused, never followed: a ``x.cdb`` planted as a link to ``sasl_passwd.cdb`` would otherwise show another
table's secrets under this table's name), a regular file, owned by root or by the owner of its source. lmdb
gets the descriptor we checked (through ``/proc/self/fd``), not the path again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import os
import shutil
import struct
import tempfile

from ansible_collections.mailops.nbdb.plugins.module_utils import _files
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import cool_down
from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError

try:
    import lmdb
    HAS_LMDB = True
except ImportError:
    HAS_LMDB = False

try:
    import cdblib
    HAS_CDB = True
except ImportError:
    HAS_CDB = False

SUFFIX = {"lmdb": ".lmdb", "cdb": ".cdb", "hash": ".db", "btree": ".db"}
ALIAS_EXTRAS = (b"@", b"YP_LAST_MODIFIED", b"YP_MASTER_NAME")


class IndexedFileError(NbdbError):
    """An indexed file that is not what it claims (symlink, not a regular file, foreign owner); not read."""


def source_owner(path):
    """uid owning a table's source (its .db for an orphan), or None when neither exists."""
    for candidate in (path, path + ".db"):
        try:
            return os.lstat(candidate).st_uid
        except OSError:
            continue
    return None


def open_checked(path, owner=None):
    """A read-only descriptor of path, refused (IndexedFileError) unless it is a regular file, not a symlink,
    owned by root or by owner (the source's uid)."""
    return _files.open_checked(path, IndexedFileError, owners={0} if owner is None else {0, owner})[0]


def indexed_path(map_type, path):
    return path + SUFFIX.get(map_type, "." + map_type)


def clean_items(pairs, alias):
    """{key: value} without NUL terminators (and postalias's own entries); the first of duplicate keys wins."""
    items = [(key[:-1] if key.endswith(b"\0") else key, value[:-1] if value.endswith(b"\0") else value)
             for key, value in pairs]
    content = dict(items)
    if len(content) != len(items):  # duplicates (cdb can hold them): the first wins
        content = {}
        for key, value in items:
            content.setdefault(key, value)
    if alias:
        for extra in ALIAS_EXTRAS:
            content.pop(extra, None)
    return content


def _fd_path(fd, path):
    """A name that opens exactly the file behind fd (Linux /proc), else path itself after checking that it
    still names the same file."""
    proc = "/proc/self/fd/%d" % fd
    if os.path.exists(proc):
        return proc
    opened, now = os.fstat(fd), os.lstat(path)
    if (opened.st_dev, opened.st_ino) != (now.st_dev, now.st_ino):
        raise IndexedFileError("%s was replaced while being opened; refusing to read it" % path)
    return path


def read_lmdb(path, alias=False, owner=None):
    with os.fdopen(open_checked(path, owner), "rb") as handle:
        fcntl.lockf(handle.fileno(), fcntl.LOCK_SH)
        env = lmdb.open(_fd_path(handle.fileno(), path), subdir=False, readonly=True, lock=False, max_dbs=0)
        try:
            with env.begin(buffers=False) as txn:
                return clean_items(txn.cursor().iternext(keys=True, values=True), alias)
        finally:
            env.close()


def cdb_items(data):
    """(key, value) records of a cdb file, in file order (D. J. Bernstein's format: a 2048-byte
    table of hash-table pointers, then klen/dlen/key/data records up to the first hash table)."""
    if len(data) < 2048:
        raise ValueError("not a cdb file (shorter than its 2048-byte header)")
    pointers = struct.unpack("<512L", data[:2048])
    end = min(pointers[0::2]) if any(pointers[1::2]) else len(data)
    items, offset = [], 2048
    while offset < end:
        klen, dlen = struct.unpack("<LL", data[offset:offset + 8])
        start = offset + 8
        items.append((data[start:start + klen], data[start + klen:start + klen + dlen]))
        offset = start + klen + dlen
    return items


def read_cdb(path, alias=False, owner=None):
    with os.fdopen(open_checked(path, owner), "rb") as handle:
        fcntl.lockf(handle.fileno(), fcntl.LOCK_SH)
        data = handle.read()
    items = cdblib.Reader(data).iteritems() if HAS_CDB else cdb_items(data)
    return clean_items(items, alias)


def parse_dump(text, alias=False):
    """``postmap -s`` lines ``key<TAB>value`` (postalias: ``key:<TAB>value``)."""
    pairs = [line.partition(b"\t")[::2] for line in text.split(b"\n") if line]
    if alias:
        pairs = [(key[:-1] if key.endswith(b":") else key, value) for key, value in pairs]
    return clean_items(pairs, alias)


def dump_with_postfix(postfix, map_type, path, alias=False, config_dir=None):
    tool = "postalias" if alias else "postmap"
    out = postfix.run(tool, ["-s", "%s:%s" % (map_type, path)], config_dir, binary=True,
                      what="reading %s:%s" % (map_type, path))[1]
    return parse_dump(out, alias)


def read_content(postfix, map_type, path, alias=False, config_dir=None):
    """(content, reader) of an indexed table, or (None, None) when its file does not exist."""
    target = indexed_path(map_type, path)
    if not os.path.lexists(target):
        return None, None
    owner = source_owner(path)
    if map_type == "lmdb" and HAS_LMDB:
        return read_lmdb(target, alias, owner), "python-lmdb"
    if map_type == "cdb":  # postmap -s cannot list cdb tables before Postfix 3.8
        return read_cdb(target, alias, owner), "pure-cdb" if HAS_CDB else "cdb reader"
    os.close(open_checked(target, owner))  # postmap opens it by name: refuse what is not the table's own file
    return dump_with_postfix(postfix, map_type, path, alias, config_dir), "postmap -s"


def legacy_dump(postfix, config_dir, map_type, path, alias=False):
    """Content of a hash:/btree: table read at migration level disable.

    At enable-redirect Postfix redirects hash: opens to the new type, so the legacy .db is read
    through a scratch config directory holding main.cf without non_bdb_migration_level.
    """
    main_cf = postfix.postconf(config_dir, "-n", what="reading main.cf for a scratch copy")
    lines = [line for line in main_cf.splitlines() if not line.startswith("non_bdb_migration_level")]
    scratch = tempfile.mkdtemp(prefix="nbdb-scratch-")
    try:
        with open(os.path.join(scratch, "main.cf"), "w") as handle:
            handle.write("\n".join(lines) + "\n")
        cool_down(os.path.join(scratch, "main.cf"))  # else postmap -c waits about 2 s for it to "cool down"
        return dump_with_postfix(postfix, map_type, path, alias, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
