# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the ``.db`` files Postfix writes through Berkeley DB, without Berkeley DB.

On a host whose OS removed Berkeley DB, ``postmap -s`` cannot list an orphan ``hash:``/``btree:`` table any
more. This is a pure-Python reader (standard library only, Python 3.8+) of the two access methods Postfix uses,
``hash`` and ``btree``, in the on-disk format versions 8 to 10 of both (Berkeley DB 4.x to 6.x; Debian's 5.3
writes version 9, the only one tested against real files), in either byte order. It runs as root on mail
servers, so it trusts nothing in the file: every offset and length is bounds-checked, every page is used at
most once (a page chain or tree that loops or shares pages is refused), item sizes are capped, and anything
unexpected raises :class:`BdbFormatError` naming the file, the page and what is wrong. It never guesses.

API: :func:`detect` (``"hash"``, ``"btree"`` or None), :func:`read_db` (an iterator of ``(key, value)`` bytes, in
Berkeley DB's cursor order, i.e. the order ``postmap -s`` prints), :func:`read_dict` (``{key: value}``, first
wins, for callers that want it in memory). Pages are read one at a time with ``os.pread`` from a descriptor
opened with ``O_NOFOLLOW`` (only regular files), under a shared ``flock`` lock: Postfix's internal lock on
Linux (INTERNAL_LOCK in sys_defs.h), which postmap/postalias hold exclusively while they write a .db; a lock
still held after ``lock_wait`` seconds raises BdbBusyError. Memory stays bounded by one page, one item and the
tree depth (plus one byte per page of the file for the used-page map).

Postfix's convention: ``postmap``/``postalias`` store ``key\\0`` and ``value\\0``; ``postmap -s`` prints them
without that NUL. ``read_db`` drops one trailing NUL from each key and value (``strip_nul=False`` keeps them).
A NUL inside a key or value (postmap never writes one; other writers might) is returned as is, where
``postmap -s`` would cut the printed text at it. ``postalias``'s own entries (``@``, ``YP_LAST_MODIFIED``,
``YP_MASTER_NAME``) are returned like any other: they are in the file and ``postalias -s`` prints them
(indexed.clean_items removes them).

On-disk layout implemented (Berkeley DB's public headers ``db_page.h``, ``hash.h``, ``btree.h``). All integers
are in the file's byte order, told by the magic number; the file is an array of pages of ``pagesize`` bytes,
page number N at offset N * pagesize.

Metadata page (page 0), common part (DBMETA, 72 bytes)::

    00 lsn(8)  08 pgno(4)=0  12 magic(4)  16 version(4)  20 pagesize(4)  24 encrypt_alg(1)  25 type(1)
    26 metaflags(1)  27 unused(1)  28 free(4)  32 last_pgno(4)  36 nparts(4)  40 key_count(4)
    44 record_count(4)  48 flags(4)  52 uid(20)

  magic 0x061561 = hash (type 8, P_HASHMETA), 0x053162 = btree (type 9, P_BTREEMETA); pagesize a power of two
  from 512 to 65536. metaflags 0x01 (checksummed pages), 0x02/0x04 (partitions) and a non-zero encrypt_alg
  change the page layout and are refused (Postfix never sets them).

  Hash (HMETA): ``72 max_bucket  76 high_mask  80 low_mask  84 ffactor  88 nelem  92 h_charkey
  96 spares[32]``; flags 0x01 duplicates, 0x02 subdatabases (refused), 0x04 sorted duplicates. Bucket B lives
  on page ``B + spares[log2(B + 1)]`` (log2 rounded up: 1 -> 0, 2 -> 1, 3 and 4 -> 2, ...); buckets
  0..max_bucket are in use, high_mask = 2^n - 1 >= max_bucket, low_mask = high_mask >> 1. A bucket page that was
  allocated but never written is all zeros and is an empty bucket.

  Btree (BTMETA): ``72 unused  76 minkey  80 re_len  84 re_pad  88 root``; flags 0x001 duplicates, 0x002 recno,
  0x004 record numbers, 0x020 subdatabases, 0x040 sorted duplicates, 0x080 compression (recno, subdatabases
  and compression refused).

Other pages start with a 26-byte header (PAGE)::

    00 lsn(8)  08 pgno(4)  12 prev_pgno(4)  16 next_pgno(4)  20 entries(2)  22 hf_offset(2)
    24 level(1)  25 type(1)

  followed by ``entries`` 2-byte offsets (from the start of the page) of the items, which are stored from the
  end of the page downwards; hf_offset is the lowest byte in use. Types: 2 hash (unsorted, before 4.6),
  13 hash, 3 btree internal, 4 recno internal, 5 btree leaf, 6 recno leaf, 7 overflow, 12 off-page
  duplicate leaf. ``pgno`` repeats the page's own number (checked); page number 0 means "none" in every
  link.

  Hash pages (types 13 and 2): items come in pairs, key at index 2i, value at 2i+1; an item runs from its
  offset up to the previous item's offset (the page end for index 0), so offsets strictly decrease. The first
  byte of an item is its type: 1 H_KEYDATA (the bytes follow), 2 H_DUPLICATE (on-page duplicates: repeated
  ``len(2) data len(2)``), 3 H_OFFPAGE (``type unused(3) pgno(4) tlen(4)``: an overflow chain), 4 H_OFFDUP
  (``type unused(3) pgno(4)``: an off-page duplicate tree), 5 H_BLOB (6.x external files, refused). When a
  bucket overflows, more hash pages hang from its page by next_pgno (prev_pgno points back).

  Btree internal pages (type 3, level >= 2): items BINTERNAL ``len(2) type(1) unused(1) pgno(4) nrecs(4)
  data(len)``; pgno is the child, whose level is one less. Leaf pages (type 5, level 1): pairs as in hash,
  items BKEYDATA ``len(2) type(1) data(len)`` with type 1 B_KEYDATA, 2 B_DUPLICATE and 3 B_OVERFLOW (both
  BOVERFLOW ``unused(2) type(1) unused(1) pgno(4) tlen(4)``: an off-page duplicate tree or an overflow chain),
  4 B_BLOB (refused); the flag 0x80 in the type marks a deleted item, which is skipped. Keys of on-page
  duplicates share one offset. The tree is walked from the root, depth first, left to right (key order); the
  leaves must also be linked left to right by prev_pgno/next_pgno.

  Overflow pages (type 7): ``hf_offset`` bytes of the item follow the header; the chain goes on by next_pgno
  until tlen bytes are read, and must end there (next_pgno 0). ``entries`` is a reference count (an internal
  page may share a leaf's overflow key; internal keys are never read here).

  Off-page duplicates: a small tree whose leaves hold single items (BKEYDATA or BOVERFLOW), with internal
  pages above them when it grows: for unsorted duplicates a recno tree (leaves type 6, internal pages type 4
  with items RINTERNAL ``pgno(4) nrecs(4)``), for sorted ones a btree (leaves type 12, internal type 3);
  its root is the pgno of H_OFFDUP/B_DUPLICATE. Postfix never writes duplicates (it opens without DB_DUP);
  they are read for completeness, each value paired with its key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import os
import struct
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._files import HeldDescriptor, open_checked

HASH_MAGIC = 0x061561
BTREE_MAGIC = 0x053162
KINDS = {HASH_MAGIC: "hash", BTREE_MAGIC: "btree"}
META_TYPE = {"hash": 8, "btree": 9}
VERSIONS = {"hash": (8, 9, 10), "btree": (8, 9, 10)}

PAGE_HEADER = 26
P_IBTREE, P_IRECNO, P_LBTREE, P_LRECNO, P_OVERFLOW, P_LDUP = 3, 4, 5, 6, 7, 12
HASH_PAGE_TYPES = (2, 13)
H_KEYDATA, H_DUPLICATE, H_OFFPAGE, H_OFFDUP, H_BLOB = 1, 2, 3, 4, 5
B_KEYDATA, B_DUPLICATE, B_OVERFLOW, B_BLOB, B_DELETE = 1, 2, 3, 4, 0x80
HASH_SUBDB = 0x02
BTM_RECNO, BTM_SUBDB, BTM_COMPRESS = 0x002, 0x020, 0x080

MAX_ITEM = 64 * 1024 * 1024
"""Default cap on one key or value (bytes): larger ones are refused, not read."""
MAX_LEVEL = 255
LOCK_WAIT = 10.0
"""Default seconds to wait for a writer's exclusive lock on the .db to go away."""


class BdbError(NbdbError):
    """Base of the reader's errors; the message names the file."""


class BdbFormatError(BdbError):
    """A .db file that is not a readable Berkeley DB hash/btree file; the message names the file and why."""


class BdbBusyError(BdbError):
    """The .db stayed locked by a writer (postmap/postalias rebuilding it) for longer than lock_wait."""


def detect(path):
    """``"hash"`` or ``"btree"`` for a Berkeley DB file of that access method, None for any other file.

    Refuses (BdbFormatError) what it would not read: symlinks and non-regular files. OSError when it cannot be
    opened at all.
    """
    fd = _open(path)
    try:
        head = os.pread(fd, 72, 0)
    finally:
        os.close(fd)
    if len(head) < 72:
        return None
    for order in "<>":
        kind = KINDS.get(struct.unpack_from(order + "I", head, 12)[0])
        if kind:
            return kind
    return None


def read_db(path, strip_nul=True, max_item=MAX_ITEM, expect=None, lock_wait=LOCK_WAIT):
    """Iterator of ``(key, value)`` bytes of a Berkeley DB hash or btree file, in cursor order.

    strip_nul: drop one trailing NUL of each key and value (Postfix's terminator), as ``postmap -s`` prints them.
    max_item: cap on one key or value. expect: ``"hash"`` or ``"btree"`` to refuse the other method.
    lock_wait: seconds to wait for a writer's lock. The file is opened on the first ``next()``; it is closed
    when the iterator ends or is closed.
    """
    with BdbFile(path, max_item, lock_wait) as db:
        if expect is not None and db.kind != expect:
            raise BdbFormatError("%s: a Berkeley DB %s file, not %s" % (path, db.kind, expect))
        if not strip_nul:
            yield from db.items()
            return
        for key, value in db.items():
            if key[-1:] == b"\0":
                key = key[:-1]
            if value[-1:] == b"\0":
                value = value[:-1]
            yield key, value


def read_dict(path, strip_nul=True, max_item=MAX_ITEM, expect=None, lock_wait=LOCK_WAIT):
    """``{key: value}`` of read_db; for a key stored more than once the first value wins, as Postfix's lookups."""
    content = {}
    for key, value in read_db(path, strip_nul, max_item, expect, lock_wait):
        content.setdefault(key, value)
    return content


def _open(path):
    return open_checked(path, BdbFormatError)[0]


class BdbFile(HeldDescriptor):
    """One open .db file: metadata checked on open, pages read on demand. Use as a context manager."""

    def __init__(self, path, max_item=MAX_ITEM, lock_wait=LOCK_WAIT):
        self.path = path
        self.max_item = max_item
        self.kind = self.byte_order = None
        self.fd = _open(path)
        try:
            self._lock(lock_wait)
            self.size = os.fstat(self.fd).st_size
            self._read_meta()
        except BaseException:
            self.close()
            raise
        self._used = bytearray(self.last_pgno + 1)
        self._used[0] = 1
        self._zero = bytes(self.pagesize)

    def _lock(self, lock_wait):
        deadline = time.monotonic() + lock_wait
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                raise BdbBusyError("%s: still locked by a writer (postmap or postalias rebuilding it?) after %g s"
                                   % (self.path, lock_wait))
            time.sleep(0.05)

    def fail(self, what, pgno=None):
        """The error to raise: the file, the page (if any), what is wrong, and the kind of file it claims to be."""
        where = "" if pgno is None else " page %d:" % pgno
        kind = " (Berkeley DB %s file, %s)" % (self.kind, self.byte_order) if self.kind else ""
        return BdbFormatError("%s:%s %s%s" % (self.path, where, what, kind))

    # --- metadata -----------------------------------------------------------------------------------------
    def _read_meta(self):
        head = os.pread(self.fd, 512, 0)
        if len(head) < 512:
            raise self.fail("too short for a Berkeley DB file (%d bytes)" % len(head))
        for order in "<>":
            kind = KINDS.get(struct.unpack_from(order + "I", head, 12)[0])
            if kind:
                break
        else:
            raise self.fail("not a Berkeley DB hash or btree file (bad magic number %s)" % head[12:16].hex())
        self.kind, self.order = kind, order
        self.byte_order = "little-endian" if order == "<" else "big-endian"
        (pgno, dummy, version, pagesize, encrypt_alg, page_type, metaflags, dummy, dummy, last_pgno,
         dummy, dummy, dummy, flags) = struct.unpack_from(order + "IIIIBBBBIIIIII", head, 8)
        if version not in VERSIONS[kind]:
            raise self.fail("unsupported %s format version %d (supported: %s)"
                            % (kind, version, ", ".join(str(v) for v in VERSIONS[kind])))
        if pagesize < 512 or pagesize > 65536 or pagesize & (pagesize - 1):
            raise self.fail("invalid page size %d" % pagesize)
        if pgno != 0 or page_type != META_TYPE[kind]:
            raise self.fail("metadata page has page number %d and type %d" % (pgno, page_type), 0)
        if encrypt_alg or metaflags & 0x01:
            raise self.fail("encrypted or checksummed pages are not supported (Postfix never writes them)")
        if metaflags & 0x06:
            raise self.fail("partitioned databases are not supported")
        if self.size % pagesize:
            raise self.fail("file size %d is not a multiple of the page size %d" % (self.size, pagesize))
        if last_pgno < 1 or (last_pgno + 1) * pagesize > self.size:
            raise self.fail("metadata says the last page is %d but the file has %d pages (truncated?)"
                            % (last_pgno, self.size // pagesize))
        self.version, self.pagesize, self.last_pgno, self.flags = version, pagesize, last_pgno, flags
        self._header = struct.Struct(order + "IIIHHBB")
        self._u16 = struct.Struct(order + "H")
        self._u32 = struct.Struct(order + "I")
        self._item3 = struct.Struct(order + "HB")
        self._ptr = struct.Struct(order + "II")
        if kind == "hash":
            if flags & HASH_SUBDB:
                raise self.fail("databases with subdatabases are not supported")
            self.max_bucket, self.high_mask, self.low_mask = struct.unpack_from(order + "III", head, 72)
            self.spares = struct.unpack_from(order + "32I", head, 96)
            if (self.high_mask & (self.high_mask + 1) or self.low_mask != self.high_mask >> 1
                    or self.max_bucket > self.high_mask or self.max_bucket < self.low_mask
                    or self.max_bucket >= last_pgno):
                raise self.fail("inconsistent hash metadata (max_bucket %d, high_mask %#x, low_mask %#x)"
                                % (self.max_bucket, self.high_mask, self.low_mask), 0)
        else:
            if flags & (BTM_RECNO | BTM_SUBDB | BTM_COMPRESS):
                raise self.fail("recno, subdatabase or compressed btrees are not supported (flags %#x)" % flags)
            self.root = self._u32.unpack_from(head, 88)[0]
            if not 1 <= self.root <= last_pgno:
                raise self.fail("root page %d out of range 1..%d" % (self.root, last_pgno), 0)

    # --- pages ----------------------------------------------------------------------------------------------
    def _page(self, pgno, what):
        """The bytes of page pgno, which must not have been used before (no loops, no shared pages)."""
        if not 1 <= pgno <= self.last_pgno:
            raise self.fail("%s points to page %d, outside 1..%d" % (what, pgno, self.last_pgno))
        if self._used[pgno]:
            raise self.fail("%s points to page %d, which is already used (a loop or a shared page)"
                            % (what, pgno))
        self._used[pgno] = 1
        page = os.pread(self.fd, self.pagesize, pgno * self.pagesize)
        if len(page) != self.pagesize:
            raise self.fail("short read (file changed while reading?)", pgno)
        return page

    def _header_of(self, page, pgno, types):
        number, prev, nxt, entries, hf_offset, level, page_type = self._header.unpack_from(page, 8)
        if number != pgno:
            raise self.fail("page header says it is page %d" % number, pgno)
        if page_type not in types:
            raise self.fail("page type %d where %s was expected" % (page_type, "/".join(str(t) for t in types)),
                            pgno)
        if hf_offset == 0 and self.pagesize == 65536:
            hf_offset = 65536
        return prev, nxt, entries, hf_offset, level

    def _index(self, page, pgno, entries, hf_offset, pairs):
        low = PAGE_HEADER + 2 * entries
        if pairs and entries % 2:
            raise self.fail("odd number of items (%d) on a page of key/value pairs" % entries, pgno)
        if low > hf_offset or hf_offset > self.pagesize:
            raise self.fail("%d items do not fit (item area starts at %d)" % (entries, hf_offset), pgno)
        if not entries:
            return ()
        index = struct.unpack_from("%s%dH" % (self.order, entries), page, PAGE_HEADER)
        if min(index) < hf_offset or max(index) >= self.pagesize:
            raise self.fail("item offset outside the item area %d..%d" % (hf_offset, self.pagesize), pgno)
        return index

    def overflow(self, pgno, tlen, what):
        """An item stored on overflow pages: tlen bytes from the chain starting at pgno."""
        if tlen > self.max_item:
            raise self.fail("%s is %d bytes, more than the limit of %d" % (what, tlen, self.max_item))
        if tlen > self.size:
            raise self.fail("%s claims %d bytes, more than the file holds" % (what, tlen))
        parts, got, prev = [], 0, 0
        while True:
            if pgno == 0:
                raise self.fail("%s: overflow chain ends after %d of %d bytes" % (what, got, tlen), prev or None)
            page = self._page(pgno, what)
            back, nxt, dummy, length, dummy = self._header_of(page, pgno, (P_OVERFLOW,))
            if back != prev:
                raise self.fail("overflow page links back to %d, not %d" % (back, prev), pgno)
            if length == 0 or PAGE_HEADER + length > self.pagesize or got + length > tlen:
                raise self.fail("overflow page holds %d bytes (%d of %d read)" % (length, got, tlen), pgno)
            parts.append(page[PAGE_HEADER:PAGE_HEADER + length])
            got += length
            if got == tlen:
                if nxt:
                    raise self.fail("overflow chain goes on after its %d bytes" % tlen, pgno)
                return b"".join(parts)
            prev, pgno = pgno, nxt

    # --- items ----------------------------------------------------------------------------------------------
    def items(self):
        """Raw (key, value) pairs, NULs kept."""
        if self.kind == "hash":
            return self._hash_items()
        return self._btree_items()

    def _hash_items(self):
        for bucket in range(self.max_bucket + 1):
            pgno = bucket + self.spares[bucket.bit_length()]  # log2(bucket + 1), rounded up
            what = "bucket %d" % bucket
            if not 1 <= pgno <= self.last_pgno:
                raise self.fail("%s is on page %d, outside 1..%d" % (what, pgno, self.last_pgno))
            page = self._page(pgno, what)
            if page == self._zero:  # allocated with its doubling of the table, never written: empty
                continue
            prev = 0
            while True:
                back, nxt, entries, hf_offset, dummy = self._header_of(page, pgno, HASH_PAGE_TYPES)
                if back != prev:
                    raise self.fail("hash page links back to %d, not %d" % (back, prev), pgno)
                yield from self._hash_page(page, pgno, entries, hf_offset)
                if not nxt:
                    break
                prev, pgno = pgno, nxt
                page = self._page(pgno, "%s chain" % what)

    def _hash_page(self, page, pgno, entries, hf_offset):
        index = self._index(page, pgno, entries, hf_offset, True)
        end = self.pagesize
        if index and index[-1] != hf_offset:
            raise self.fail("last item at %d, not at the item area start %d" % (index[-1], hf_offset), pgno)
        for i in range(0, entries, 2):
            key_at, value_at = index[i], index[i + 1]
            if not value_at < key_at < end:
                raise self.fail("item offsets do not decrease (items %d, %d)" % (i, i + 1), pgno)
            kind = page[key_at]
            if kind == H_KEYDATA:
                key = page[key_at + 1:end]
            elif kind == H_OFFPAGE:
                key = self._hash_offpage(page, pgno, key_at, end, "key")
            else:
                raise self.fail("key item of type %d" % kind, pgno)
            kind = page[value_at]
            if kind == H_KEYDATA:
                yield key, page[value_at + 1:key_at]
            elif kind == H_OFFPAGE:
                yield key, self._hash_offpage(page, pgno, value_at, key_at, "value")
            elif kind == H_DUPLICATE:
                for value in self._on_page_dups(page, pgno, value_at + 1, key_at):
                    yield key, value
            elif kind == H_OFFDUP:
                if key_at - value_at != 8:
                    raise self.fail("off-page duplicate item of %d bytes" % (key_at - value_at), pgno)
                for value in self._dup_tree(self._u32.unpack_from(page, value_at + 4)[0], pgno):
                    yield key, value
            elif kind == H_BLOB:
                raise self.fail("external (blob) items are not supported", pgno)
            else:
                raise self.fail("value item of type %d" % kind, pgno)
            end = value_at

    def _hash_offpage(self, page, pgno, start, end, what):
        if end - start != 12:
            raise self.fail("overflow reference of %d bytes" % (end - start), pgno)
        first, tlen = self._ptr.unpack_from(page, start + 4)
        return self.overflow(first, tlen, "%s on page %d" % (what, pgno))

    def _on_page_dups(self, page, pgno, start, end):
        at = start
        while at < end:
            if at + 4 > end:
                raise self.fail("truncated on-page duplicate", pgno)
            length = self._u16.unpack_from(page, at)[0]
            stop = at + 2 + length
            if stop + 2 > end or self._u16.unpack_from(page, stop)[0] != length:
                raise self.fail("malformed on-page duplicate at offset %d" % at, pgno)
            yield page[at + 2:stop]
            at = stop + 2

    def _btree_item(self, page, pgno, at, what):
        """(type, bytes) of a BKEYDATA/BOVERFLOW item at offset at; deleted items give (None, None)."""
        if at + 3 > self.pagesize:
            raise self.fail("%s item header past the page end" % what, pgno)
        length, kind = self._item3.unpack_from(page, at)
        deleted, kind = kind & B_DELETE, kind & ~B_DELETE
        if kind == B_KEYDATA:
            if at + 3 + length > self.pagesize:
                raise self.fail("%s item of %d bytes at %d runs past the page end" % (what, length, at), pgno)
            data = page[at + 3:at + 3 + length]
        elif kind in (B_OVERFLOW, B_DUPLICATE):
            if at + 12 > self.pagesize:
                raise self.fail("%s reference past the page end" % what, pgno)
            first, tlen = self._ptr.unpack_from(page, at + 4)
            if deleted:
                return None, None
            if kind == B_DUPLICATE:
                return B_DUPLICATE, first
            data = self.overflow(first, tlen, "%s on page %d" % (what, pgno))
        elif kind == B_BLOB:
            raise self.fail("external (blob) items are not supported", pgno)
        else:
            raise self.fail("%s item of type %d" % (what, kind), pgno)
        return (None, None) if deleted else (B_KEYDATA, data)

    def _walk(self, root, leaves, what):
        """Pages of the leaves of the (sub)tree at root, left to right; checks levels and the leaf links."""
        internal = (P_IBTREE,) if leaves == (P_LBTREE,) else (P_IBTREE, P_IRECNO)
        stack = [(root, None)]
        last_leaf = 0
        while stack:
            pgno, level = stack.pop()
            page = self._page(pgno, what)
            prev, nxt, entries, hf_offset, own = self._header_of(page, pgno, internal + leaves)
            if level is not None and own != level:
                raise self.fail("tree level %d where %d was expected" % (own, level), pgno)
            if page[25] in leaves:
                if own != 1:
                    raise self.fail("leaf page at tree level %d" % own, pgno)
                if prev != last_leaf:
                    raise self.fail("leaf links back to %d, not to the previous leaf %d" % (prev, last_leaf), pgno)
                last_leaf = pgno
                yield page, pgno, entries, hf_offset, nxt
                continue
            if not 2 <= own <= MAX_LEVEL:
                raise self.fail("internal page at tree level %d" % own, pgno)
            children = []
            size, pointer = (12, 4) if page[25] == P_IBTREE else (8, 0)  # BINTERNAL or RINTERNAL
            for at in self._index(page, pgno, entries, hf_offset, False):
                if at + size > self.pagesize:
                    raise self.fail("internal item past the page end", pgno)
                children.append(self._u32.unpack_from(page, at + pointer)[0])
            if not children:
                raise self.fail("internal page without children", pgno)
            stack.extend((child, own - 1) for child in reversed(children))

    def _btree_items(self):
        nxt = 0
        item, limit = self._item3.unpack_from, self.pagesize - 3
        for page, pgno, entries, hf_offset, nxt in self._walk(self.root, (P_LBTREE,), "btree"):
            index = self._index(page, pgno, entries, hf_offset, True)
            for i in range(0, entries, 2):
                at = index[i]  # fast path for the common case, an on-page key and value (same checks)
                length, kind = item(page, at) if at <= limit else (0, None)
                if kind == B_KEYDATA and at + 3 + length <= self.pagesize:
                    key = page[at + 3:at + 3 + length]
                else:
                    kind, key = self._btree_item(page, pgno, at, "key")
                    if kind != B_KEYDATA:
                        if kind is None:
                            continue
                        raise self.fail("off-page duplicate reference as a key", pgno)
                at = index[i + 1]
                length, kind = item(page, at) if at <= limit else (0, None)
                if kind == B_KEYDATA and at + 3 + length <= self.pagesize:
                    yield key, page[at + 3:at + 3 + length]
                    continue
                kind, value = self._btree_item(page, pgno, at, "value")
                if kind == B_KEYDATA:
                    yield key, value
                elif kind == B_DUPLICATE:
                    for dup in self._dup_tree(value, pgno):
                        yield key, dup
        if nxt:
            raise self.fail("last leaf links on to page %d" % nxt)

    def _dup_tree(self, root, pgno):
        """Values of an off-page duplicate tree referenced from page pgno."""
        nxt = 0
        for page, leaf, entries, hf_offset, nxt in self._walk(root, (P_LDUP, P_LRECNO), "duplicates of page %d" % pgno):
            for at in self._index(page, leaf, entries, hf_offset, False):
                kind, value = self._btree_item(page, leaf, at, "duplicate")
                if kind == B_KEYDATA:
                    yield value
                elif kind is not None:
                    raise self.fail("nested duplicate reference", leaf)
        if nxt:
            raise self.fail("last duplicate leaf links on to page %d" % nxt)
