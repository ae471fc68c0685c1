"""The pure-Python Berkeley DB reader (_discovery/bdb.py) on big tables built by the real postmap (sid, 3.11).

For 10 000 and 1 000 000 entries, hash and btree: postmap builds the table in the container, ``postmap -s``
dumps it there (timed inside the container), both files are copied out and the reader's pairs are compared
with the dump line by line (same keys, same values, same order). The reader's time against ``postmap -s``
is printed (goal of the later benchmark: at most 3 times).
"""
import os
import subprocess
import time

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SIZES = (10000, 1000000)
TYPES = ("hash", "btree")
# keys userN@exampleM.com, values OKnnnnn, as the baseline timings of postfix-3.11-facts.md
SOURCE = "awk 'BEGIN { for (i = 0; i < %d; i++) printf \"user%%d@example%%d.com OK%%05d\\n\", i, i %% 97, i }' > %s"
TIMED_DUMP = ('start=$(date +%%s%%N); postmap -s %s:%s > %s.dump 2>/dev/null; end=$(date +%%s%%N); '
              'echo $(( (end - start) / 1000000 ))')


def read_compare(db_path, dump_path):
    """Seconds the reader needs for all pairs, and the number of pairs, each compared with the dump's line."""
    count = 0
    started = time.perf_counter()
    pairs = list(bdb.read_db(db_path))
    seconds = time.perf_counter() - started
    with open(dump_path, "rb") as dump:
        for (key, value), line in zip(pairs, dump):
            assert line == key + b"\t" + value + b"\n", (count, key, value, line)
            count += 1
        assert dump.read() == b"", "postmap -s printed more than the reader returned"
    assert count == len(pairs)
    return seconds, count


def test_big_tables_read_like_postmap_s(postfix_host, tmp_path, capsys):
    host = postfix_host("sid")
    results = []
    for size in SIZES:
        src = "/t/n%d" % size
        host.sh("mkdir -p /t && " + SOURCE % (size, src))
        for map_type in TYPES:
            table = "%s-%s" % (src, map_type)
            host.run(["cp", src, table])
            host.run(["postmap", "%s:%s" % (map_type, table)])
            dump_ms = min(int(host.sh(TIMED_DUMP % (map_type, table, table)).stdout.strip()) for dummy in range(2))
            local = tmp_path / os.path.basename(table)
            for suffix in (".db", ".dump"):
                subprocess.run(["podman", "cp", "%s:%s%s" % (host.name, table, suffix), str(local) + suffix],
                               check=True)
            assert bdb.detect(str(local) + ".db") == map_type
            reader = min(read_compare(str(local) + ".db", str(local) + ".dump") for dummy in range(2))
            assert reader[1] == size
            content = bdb.read_dict(str(local) + ".db")  # the in-memory form recover.py will use
            assert len(content) == size and content[b"user7@example7.com"] == b"OK00007"
            del content
            results.append((map_type, size, os.path.getsize(str(local) + ".db"), reader[0], dump_ms / 1000.0))
            for suffix in (".db", ".dump"):
                os.unlink(str(local) + suffix)
            host.run(["rm", "-f", table, table + ".db", table + ".dump"])
    with capsys.disabled():
        print("\nbdb reader vs postmap -s (sid %s, min of 2 runs each)" % host.postfix_version())
        for map_type, size, nbytes, mine, theirs in results:
            print("  %-5s %8d entries %6.1f MB: reader %6.2f s, postmap -s %6.2f s, ratio %.2f"
                  % (map_type, size, nbytes / 1e6, mine, theirs, mine / theirs))
    for map_type, size, nbytes, mine, theirs in results:
        if size >= 1000000:
            assert mine / theirs < 10, "reader much slower than postmap -s: %.1f s vs %.1f s" % (mine, theirs)
