"""Readers of indexed tables."""
import io
import os

import cdblib
import lmdb
import pytest

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


# Issue 16, finding 2: an indexed file planted as a symlink to another table (postfix_lmtp.cdb -> sasl_passwd.cdb)
# was read, and its secrets printed in the diff under the name of the table asked for.
def _cdb(path, pairs):
    with open(str(path), "wb") as handle:
        writer = cdblib.Writer(handle)
        for key, value in pairs:
            writer.put(key, value)
        writer.finalize()


def _lmdb(path, pairs):
    env = lmdb.open(str(path), subdir=False)
    with env.begin(write=True) as txn:
        for key, value in pairs:
            txn.put(key + b"\0", value + b"\0")
    env.close()


@pytest.mark.parametrize("map_type, writer", [("cdb", _cdb), ("lmdb", _lmdb)])
def test_symlinked_indexed_file_is_refused_not_read(tmp_path, map_type, writer):
    secret = tmp_path / ("sasl_passwd." + map_type)
    writer(secret, [(b"[relay.example.net]:587", b"relayuser:S3cretRelayPass")])
    (tmp_path / "postfix_lmtp").write_text("example.com lmtp:unix:private/dovecot-lmtp\n")
    (tmp_path / ("postfix_lmtp." + map_type)).symlink_to(secret)
    with pytest.raises(indexed.IndexedFileError) as caught:
        indexed.read_content(None, map_type, str(tmp_path / "postfix_lmtp"))
    assert "postfix_lmtp.%s is a symlink" % map_type in str(caught.value)
    assert "S3cretRelayPass" not in str(caught.value)


@pytest.mark.parametrize("map_type", ["cdb", "lmdb"])
def test_indexed_file_that_is_not_regular_is_refused(tmp_path, map_type):
    (tmp_path / "t").write_text("a b\n")
    os.mkfifo(str(tmp_path / ("t." + map_type)))  # a FIFO would block a plain open()
    with pytest.raises(indexed.IndexedFileError, match="not a regular file"):
        indexed.read_content(None, map_type, str(tmp_path / "t"))


def test_indexed_file_of_a_foreign_owner_is_refused(tmp_path, monkeypatch):
    (tmp_path / "t").write_text("a b\n")
    _cdb(tmp_path / "t.cdb", [(b"a", b"b")])
    owner = os.lstat(str(tmp_path / "t")).st_uid
    if os.geteuid() == 0:
        os.chown(str(tmp_path / "t.cdb"), 54321, 54321)  # neither root nor the source's owner
    else:
        monkeypatch.setattr(indexed, "source_owner", lambda path: owner + 1)
    with pytest.raises(indexed.IndexedFileError, match="owned by uid [0-9]+, not by root or the source's owner"):
        indexed.read_content(None, "cdb", str(tmp_path / "t"))


@pytest.mark.parametrize("map_type, writer", [("cdb", _cdb), ("lmdb", _lmdb)])
def test_regular_indexed_file_of_the_source_owner_is_read(tmp_path, map_type, writer):
    (tmp_path / "t").write_text("a b\n")
    writer(tmp_path / ("t." + map_type), [(b"a", b"b")])
    assert indexed.read_content(None, map_type, str(tmp_path / "t"))[0] == {b"a": b"b"}
