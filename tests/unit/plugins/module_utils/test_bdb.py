"""The pure-Python Berkeley DB reader (_discovery/bdb.py) against files written by the real Postfix.

Fixtures: tests/unit/fixtures/bdb/<distro>/ (see record.py there): every .db.gz next to its source and the
recorded ``postmap -s``/``postalias -s`` output. Big-endian files: real ones made by db5.3_load
(bookworm-db_load/*-be*) and byte-swapped copies of every little-endian fixture made by byteswap() below.
"""
import fcntl
import gzip
import io
import os
import pathlib
import random
import struct

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb
from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "bdb"
ALL = sorted(p for p in FIXTURES.glob("*/*.db.gz") if not p.name.startswith("chksum."))
POSTFIX_BUILT = [p for p in ALL if p.parent.name in ("sid", "trixie", "bookworm")]


def ident(path):
    return "%s/%s" % (path.parent.name, path.name[:-len(".db.gz")])


def unpack(fixture, tmp_path, name=None):
    path = tmp_path / (name or fixture.name[:-len(".gz")])
    path.write_bytes(gzip.decompress(fixture.read_bytes()))
    return str(path)


def dumped(fixture):
    """(key, value) pairs of the recorded postmap -s (postalias -s: ``key:<TAB>value``) output, in its order."""
    text = (fixture.parent / fixture.name.replace(".db.gz", ".dump")).read_bytes()
    alias = fixture.name.startswith("aliases.")
    pairs = []
    for line in text.split(b"\n"):
        if line:
            key, tab, value = line.partition(b"\t")
            assert tab, line
            pairs.append((key[:-1] if alias else key, value))
    return pairs


# --- the recorded fixtures ------------------------------------------------------------------------------------
def test_fixtures_are_there():
    assert len(POSTFIX_BUILT) == 3 * 7 * 2
    assert {ident(p) for p in ALL if "-be" in p.name}  # real big-endian files
    assert len(ALL) >= len(POSTFIX_BUILT) + 13


@pytest.mark.parametrize("fixture", ALL, ids=ident)
def test_same_as_postmap_s(fixture, tmp_path):
    """Every entry, in the order postmap -s prints them (hash: bucket order; btree: key order)."""
    path = unpack(fixture, tmp_path)
    assert list(bdb.read_db(path)) == dumped(fixture)
    assert bdb.detect(path) == fixture.name.split(".")[1].split("-")[0]


@pytest.mark.parametrize("fixture", ALL, ids=ident)
def test_byte_swapped_copy_reads_the_same(fixture, tmp_path):
    path = unpack(fixture, tmp_path)
    data = pathlib.Path(path).read_bytes()
    swapped = tmp_path / "swapped.db"
    swapped.write_bytes(byteswap(data))
    assert swapped.read_bytes() != data
    with bdb.BdbFile(path) as original, bdb.BdbFile(str(swapped)) as other:
        assert {original.byte_order, other.byte_order} == {"little-endian", "big-endian"}
    assert list(bdb.read_db(str(swapped))) == dumped(fixture)
    assert byteswap(byteswap(data)) == data


def test_what_the_fixtures_cover(tmp_path):
    """The format features the fixtures reach (so a fixture change cannot silently drop one)."""
    seen = set()
    for fixture in ALL:
        with bdb.BdbFile(unpack(fixture, tmp_path)) as db:
            seen.add((db.kind, db.byte_order, db.pagesize))
            for pgno in range(1, db.last_pgno + 1):
                page = os.pread(db.fd, db.pagesize, pgno * db.pagesize)
                seen.add((db.kind, "page type", page[25]))
                if db.kind == "btree" and page[25] == bdb.P_IBTREE:
                    seen.add(("btree", "level", page[24]))
    for feature in [("hash", "little-endian", 4096), ("hash", "big-endian", 4096), ("hash", "little-endian", 512),
                    ("hash", "big-endian", 512), ("btree", "little-endian", 4096), ("btree", "big-endian", 4096),
                    ("btree", "little-endian", 512), ("btree", "big-endian", 512),
                    ("hash", "page type", 13), ("hash", "page type", 7), ("hash", "page type", 0),
                    ("btree", "page type", 3), ("btree", "page type", 5), ("btree", "page type", 7),
                    ("btree", "level", 2), ("btree", "level", 3),
                    ("hash", "little-endian", 65536), ("btree", "big-endian", 65536),
                    ("hash", "page type", 6), ("btree", "page type", 4),  # unsorted duplicates: recno trees
                    ("hash", "page type", 12), ("btree", "page type", 12)]:  # sorted duplicates: btrees
        assert feature in seen, feature


def test_postfix_terminators_and_alias_entries(tmp_path):
    path = unpack(FIXTURES / "sid" / "aliases.hash.db.gz", tmp_path)
    raw = dict(bdb.read_db(path, strip_nul=False))
    assert raw[b"root\0"] == b"alice, bob\0"
    assert raw[b"@\0"] == b"@\0"
    assert b"YP_MASTER_NAME" in raw  # postalias writes its YP_* entries without NUL
    content = bdb.read_dict(path)
    assert content[b"root"] == b"alice, bob" and content[b"YP_MASTER_NAME"] == b"mx.example.test"


def test_folded_table_keeps_case(tmp_path):
    content = bdb.read_dict(unpack(FIXTURES / "sid" / "folded.btree.db.gz", tmp_path))
    assert content == {b"MiXed@Example.COM": b"OK", b"UPPER": b"REJECT", b"lower@example.com": b"DUNNO"}


def test_big_items_on_overflow_pages(tmp_path):
    for name in ("big.hash", "big.btree"):
        content = bdb.read_dict(unpack(FIXTURES / "trixie" / (name + ".db.gz"), tmp_path))
        assert content[b"k" * 6000 + b"@example.com"] == b"a key over one page"  # postmap folds case
        assert len(content[b"v9000@example.com"]) == 1800 * 6 + 3
        with pytest.raises(bdb.BdbFormatError, match="more than the limit of 5000"):
            list(bdb.read_db(unpack(FIXTURES / "trixie" / (name + ".db.gz"), tmp_path), max_item=5000))


def test_duplicates_in_order(tmp_path):
    """Postfix never writes duplicates; Berkeley DB files with them (db5.3_load -c duplicates=1) still read."""
    for map_type in ("hash", "btree"):
        pairs = list(bdb.read_db(unpack(FIXTURES / "bookworm-db_load" / ("dups.%s-dup.db.gz" % map_type),
                                        tmp_path)))
        assert [v for k, v in pairs if k == b"many@example.com"] == [b"d%04d" % i for i in range(400)]
        assert [v for k, v in pairs if k == b"dup@example.com"] == [b"value 0", b"value 1", b"value 2"]


@pytest.mark.parametrize("map_type", ["hash", "btree"])
def test_checksummed_files_are_refused(map_type, tmp_path):
    path = unpack(FIXTURES / "bookworm-db_load" / ("chksum.%s.db.gz" % map_type), tmp_path)
    assert bdb.detect(path) == map_type
    with pytest.raises(bdb.BdbFormatError, match="checksummed pages are not supported"):
        list(bdb.read_db(path))


def test_expect_refuses_the_other_method(tmp_path):
    path = unpack(FIXTURES / "sid" / "few.btree.db.gz", tmp_path)
    with pytest.raises(bdb.BdbFormatError, match="a Berkeley DB btree file, not hash"):
        list(bdb.read_db(path, expect="hash"))
    assert len(list(bdb.read_db(path, expect="btree"))) == 3


# --- second opinion -------------------------------------------------------------------------------------------
def test_dissect_database_agrees(tmp_path):
    """dissect.database (an independent reader, tests only) where it can read the file: it reads neither
    big-endian files nor hash tables with never-written (all-zero) bucket pages, nor duplicates."""
    dissect_db = pytest.importorskip("dissect.database.bsd")
    compared = 0
    for fixture in POSTFIX_BUILT:
        data = gzip.decompress(fixture.read_bytes())
        try:
            theirs = list(dissect_db.DB(io.BytesIO(data)).records())
        except (TypeError, NotImplementedError, EOFError):
            continue
        path = unpack(fixture, tmp_path)
        assert sorted(bdb.read_db(path, strip_nul=False)) == sorted(theirs), ident(fixture)
        compared += 1
    assert compared >= 30


# --- what it refuses ------------------------------------------------------------------------------------------
def fixture_bytes(name, distro="sid"):
    return bytearray(gzip.decompress((FIXTURES / distro / (name + ".db.gz")).read_bytes()))


def refused(tmp_path, data, match):
    path = tmp_path / "bad.db"
    path.write_bytes(bytes(data))
    with pytest.raises(bdb.BdbFormatError, match=match) as info:
        list(bdb.read_db(str(path)))
    assert str(path) in str(info.value)
    assert isinstance(info.value, NbdbError)
    return str(info.value)


def put32(data, offset, value):
    struct.pack_into("<I", data, offset, value)


def test_truncated(tmp_path):
    data = fixture_bytes("many.hash")
    refused(tmp_path, data[:len(data) // 2 // 4096 * 4096], "last page is 10 but the file has 5 pages")
    refused(tmp_path, data[:-100], "not a multiple of the page size 4096")
    refused(tmp_path, data[:300], "too short")
    refused(tmp_path, b"", "too short")


def test_bad_magic_version_pagesize(tmp_path):
    data = fixture_bytes("few.hash")
    bad = bytearray(data)
    put32(bad, 12, 0x12345678)
    refused(tmp_path, bad, "bad magic number")
    (tmp_path / "x.db").write_bytes(bytes(bad))
    assert bdb.detect(str(tmp_path / "x.db")) is None
    bad = bytearray(data)
    put32(bad, 16, 11)
    refused(tmp_path, bad, "unsupported hash format version 11")
    bad = bytearray(data)
    put32(bad, 20, 3000)
    refused(tmp_path, bad, "invalid page size 3000")
    bad = bytearray(data)
    bad[25] = 9
    refused(tmp_path, bad, "metadata page has page number 0 and type 9")


def test_hash_bucket_chain_pointing_at_itself(tmp_path):
    data = fixture_bytes("many.hash")  # bucket 3 on page 5 goes on to page 3
    put32(data, 5 * 4096 + 16, 5)
    assert "points to page 5, which is already used" in refused(tmp_path, data, "loop or a shared page")


def test_hash_chain_into_another_bucket(tmp_path):
    data = fixture_bytes("many.hash")
    put32(data, 5 * 4096 + 16, 1)  # bucket 0's page
    refused(tmp_path, data, "page 1, which is already used")


def test_overflow_chain_pointing_at_itself(tmp_path):
    data = fixture_bytes("big.hash")  # overflow chain 7 -> 8 -> 9
    put32(data, 8 * 4096 + 16, 8)
    refused(tmp_path, data, "page 8, which is already used")


def test_overflow_chain_out_of_range_and_wrong_length(tmp_path):
    data = fixture_bytes("big.hash")
    put32(data, 8 * 4096 + 16, 99)
    refused(tmp_path, data, "points to page 99, outside 1..9")
    data = fixture_bytes("big.hash")
    put32(data, 9 * 4096 + 16, 0)
    struct.pack_into("<H", data, 9 * 4096 + 22, 100)
    refused(tmp_path, data, "overflow chain ends after")
    data = fixture_bytes("big.hash")
    struct.pack_into("<H", data, 9 * 4096 + 22, 4090)
    refused(tmp_path, data, "overflow page holds 4090 bytes")


def test_btree_child_pointing_at_its_parent(tmp_path):
    data = fixture_bytes("many.btree")
    with bdb.BdbFile(unpack(FIXTURES / "sid" / "many.btree.db.gz", tmp_path)) as db:
        root = db.root
    first = struct.unpack_from("<H", data, root * 4096 + 26)[0]
    put32(data, root * 4096 + first + 4, root)
    refused(tmp_path, data, "page %d, which is already used" % root)


def test_btree_leaf_links_and_levels(tmp_path):
    data = fixture_bytes("many.btree")
    with bdb.BdbFile(unpack(FIXTURES / "sid" / "many.btree.db.gz", tmp_path)) as db:
        root = db.root
    second = struct.unpack_from("<HH", data, root * 4096 + 26)[1]
    leaf = struct.unpack_from("<I", data, root * 4096 + second + 4)[0]
    bad = bytearray(data)
    put32(bad, leaf * 4096 + 12, 0)
    refused(tmp_path, bad, "leaf links back to 0, not to the previous leaf")
    bad = bytearray(data)
    bad[leaf * 4096 + 24] = 2
    refused(tmp_path, bad, "tree level 2 where 1 was expected")


def test_item_offsets_out_of_range(tmp_path):
    data = fixture_bytes("few.hash")  # page 2 holds two pairs
    struct.pack_into("<H", data, 2 * 4096 + 26, 5000)
    refused(tmp_path, data, "item offset outside the item area")
    data = fixture_bytes("few.hash")
    struct.pack_into("<H", data, 2 * 4096 + 20, 2100)
    refused(tmp_path, data, "2100 items do not fit")
    data = fixture_bytes("few.hash")
    first, second = struct.unpack_from("<HH", data, 2 * 4096 + 26)
    struct.pack_into("<HH", data, 2 * 4096 + 26, second, first)
    refused(tmp_path, data, "do not decrease")
    data = fixture_bytes("few.btree")
    at = struct.unpack_from("<H", data, 1 * 4096 + 26)[0]
    struct.pack_into("<H", data, 1 * 4096 + at, 4000)
    refused(tmp_path, data, "item of 4000 bytes at %d runs past the page end" % at)


def test_deleted_btree_items_are_skipped(tmp_path):
    """Berkeley DB flags deleted leaf items (0x80 in the type) and its cursors skip them."""
    data = fixture_bytes("few.btree")  # one leaf, page 1: alice, bob, example.net
    value_at = struct.unpack_from("<HH", data, 1 * 4096 + 26)[1]
    data[1 * 4096 + value_at + 2] |= 0x80
    path = tmp_path / "deleted.db"
    path.write_bytes(bytes(data))
    assert [k for k, v in bdb.read_db(str(path))] == [b"bob@example.com", b"example.net"]


def test_wrong_page_number_and_type(tmp_path):
    data = fixture_bytes("few.hash")
    put32(data, 2 * 4096 + 8, 7)
    refused(tmp_path, data, "page 2: page header says it is page 7")
    data = fixture_bytes("few.btree")
    data[1 * 4096 + 25] = 7
    refused(tmp_path, data, "page type 7 where 3/5 was expected")


def test_unsafe_files(tmp_path):
    real = unpack(FIXTURES / "sid" / "few.hash.db.gz", tmp_path)
    link = tmp_path / "link.db"
    link.symlink_to(real)
    for func in (bdb.detect, lambda p: list(bdb.read_db(p))):
        with pytest.raises(bdb.BdbFormatError, match="is a symlink"):
            func(str(link))
        with pytest.raises(bdb.BdbFormatError, match="not a regular file"):
            func(str(tmp_path))
        fifo = tmp_path / "fifo.db"
        if not fifo.exists():
            os.mkfifo(str(fifo))
        with pytest.raises(bdb.BdbFormatError, match="not a regular file"):
            func(str(fifo))
        with pytest.raises(FileNotFoundError):
            func(str(tmp_path / "missing.db"))


def test_waits_for_a_writers_lock_then_gives_up(tmp_path):
    """postmap/postalias hold an exclusive flock on the .db while they write it (Postfix's INTERNAL_LOCK)."""
    path = unpack(FIXTURES / "sid" / "few.hash.db.gz", tmp_path)
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(bdb.BdbBusyError, match="still locked by a writer"):
            list(bdb.read_db(path, lock_wait=0.2))
        fcntl.flock(fd, fcntl.LOCK_SH)  # another reader: no wait
        assert len(list(bdb.read_db(path, lock_wait=0))) == 3
    finally:
        os.close(fd)


def test_not_a_db_file(tmp_path):
    path = tmp_path / "text.db"
    path.write_bytes(b"alice@example.com OK\n" * 100)
    assert bdb.detect(str(path)) is None
    (tmp_path / "short.db").write_bytes(b"\0" * 20)
    assert bdb.detect(str(tmp_path / "short.db")) is None
    refused(tmp_path, path.read_bytes(), "not a Berkeley DB hash or btree file")


@pytest.mark.parametrize("name", ["many.hash", "many.btree", "big.hash", "big.btree", "aliases.hash"])
def test_random_corruption_gives_data_or_the_clear_error(name, tmp_path):
    """Flipped bytes anywhere: the reader returns pairs or raises BdbFormatError, never another exception
    and never a hang (every page is used at most once)."""
    original = fixture_bytes(name)
    rng = random.Random(name)
    path = tmp_path / "fuzz.db"
    errors = 0
    for dummy in range(300):
        data = bytearray(original)
        for dummy in range(rng.randint(1, 8)):
            page = rng.randrange(len(data) // 4096)
            spot = page * 4096 + (rng.randrange(64) if rng.random() < 0.7 else rng.randrange(4096))
            data[spot] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            for key, value in bdb.read_db(str(path)):
                assert isinstance(key, bytes) and isinstance(value, bytes)
        except bdb.BdbFormatError:
            errors += 1
    assert errors > 50


# --- byte order converter (test helper) -----------------------------------------------------------------------
def byteswap(data):
    """The same Berkeley DB hash/btree file in the other byte order (what db_load -c db_lorder would write)."""
    data = bytearray(data)
    order = "<" if struct.unpack_from("<I", data, 12)[0] in (bdb.HASH_MAGIC, bdb.BTREE_MAGIC) else ">"
    other = ">" if order == "<" else "<"
    pagesize = struct.unpack_from(order + "I", data, 20)[0]

    def swap(fmt, offset):
        struct.pack_into(other + fmt, data, offset, *struct.unpack_from(order + fmt, data, offset))

    kind = bdb.KINDS[struct.unpack_from(order + "I", data, 12)[0]]
    swap("IIIIII", 0)  # lsn (2), pgno, magic, version, pagesize
    swap("IIIIII", 28)  # free .. flags
    swap("6I32I" if kind == "hash" else "5I", 72)
    for start in range(pagesize, len(data), pagesize):
        page_type = data[start + 25]
        if page_type == 0 and not any(data[start:start + 26]):
            continue
        entries = struct.unpack_from(order + "H", data, start + 20)[0]
        index = struct.unpack_from(order + "%dH" % entries, data, start + 26) if page_type != 7 else ()
        swap("IIIIIHH", start)
        if index:
            swap("%dH" % entries, start + 26)
        for at in sorted(set(index)):  # keys of on-page btree duplicates share one offset: swap it once
            item = start + at
            if page_type in bdb.HASH_PAGE_TYPES:
                if data[item] in (bdb.H_OFFPAGE, bdb.H_OFFDUP):
                    swap("I", item + 4)
                if data[item] == bdb.H_OFFPAGE:
                    swap("I", item + 8)
                if data[item] == bdb.H_DUPLICATE:
                    end = start + pagesize if at == max(index) else start + min(i for i in index if i > at)
                    pos = item + 1
                    while pos < end:
                        length = struct.unpack_from(order + "H", data, pos)[0]
                        swap("H", pos)
                        swap("H", pos + 2 + length)
                        pos += 4 + length
            elif page_type == bdb.P_IRECNO:
                swap("II", item)
            elif page_type == bdb.P_IBTREE:
                swap("HBBII", item)
            else:  # leaves: BKEYDATA / BOVERFLOW
                if data[item + 2] & 0x7f in (bdb.B_OVERFLOW, bdb.B_DUPLICATE):
                    swap("HBBII", item)
                else:
                    swap("H", item)
    return bytes(data)
