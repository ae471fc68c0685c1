"""Readers of indexed tables."""
import io

import cdblib
import lmdb

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import indexed


def test_own_cdb_reader_matches_pure_cdb():
    buffer = io.BytesIO()
    writer = cdblib.Writer(buffer)
    pairs = [(b"user%d@example.com" % i, b"OK%d" % i) for i in range(500)] + [(b"dup", b"1"), (b"dup", b"2")]
    for key, value in pairs:
        writer.put(key, value)
    writer.finalize()
    data = buffer.getvalue()
    assert indexed.cdb_items(data) == list(cdblib.Reader(data).iteritems()) == pairs


def test_empty_cdb():
    buffer = io.BytesIO()
    writer = cdblib.Writer(buffer)
    writer.finalize()
    assert indexed.cdb_items(buffer.getvalue()) == []


def test_lmdb_reader_strips_postfix_terminators_and_alias_extras(tmp_path):
    path = str(tmp_path / "aliases.lmdb")
    env = lmdb.open(path, subdir=False)
    with env.begin(write=True) as txn:
        txn.put(b"root\0", b"alice\0")
        txn.put(b"@\0", b"@\0")
        txn.put(b"YP_LAST_MODIFIED", b"1795677688")
        txn.put(b"YP_MASTER_NAME", b"mx.example.test")
    env.close()
    assert indexed.read_lmdb(path, alias=True) == {b"root": b"alice"}
    assert indexed.read_lmdb(path, alias=False)[b"@"] == b"@"


def test_parse_dump():
    assert indexed.parse_dump(b"root:\talice\n@:\t@\nYP_MASTER_NAME:\tmx\n", alias=True) == {b"root": b"alice"}
    assert indexed.parse_dump(b"k\tv w\n\xff\tx\n") == {b"k": b"v w", b"\xff": b"x"}
