"""The day after the OS upgrade (issue 17): hosts whose Postfix has no Berkeley DB (upstream 3.11.6 and 3.8.9 built
with -DNO_DB), with the legacy .db files their Debian past left behind (built by the real postmap/postalias of a
Debian sid container and carried over with owners and modes, tests/testbed/upgrade.py).

One Debian sid container builds the legacy tables for the whole file; one container per NO_DB image serves the
recording proof, the stock Debian configuration migrated by the migrate role, and the orphans.
"""
import json
import os
import re
import time

import pytest

from tests.integration.conftest import Host
from tests.testbed import upgrade
from tests.testbed.ansible import run_playbook
from tests.unit import bdb_messages
from tests.integration.test_migrate_role import PLAYBOOK, delivered

pytestmark = pytest.mark.integration

NO_BDB = ("nodb311", "nodb38")
STATE = {"nodb311": "missing_311", "nodb38": "unsupported_type"}
# Debian bookworm's packaged configuration (tests/corpus/debian-bookworm-package): hash:/etc/aliases (source
# present, built by postalias as the postinst does) and btree:${data_directory}/smtp_scache.
STOCK = upgrade.corpus_files("debian-bookworm-package")
UPGRADED = ["/etc/postfix/main.cf", "/etc/postfix/master.cf", "/etc/aliases", "/etc/aliases.db", "/etc/mailname"]


@pytest.fixture(scope="module")
def hosts():
    """{"sid": Debian sid with Berkeley DB, "nodb311": ..., "nodb38": ...}, running, removed at the end."""
    started = {}
    try:
        for name in ("sid",) + NO_BDB:
            started[name] = Host(name).start()
        yield started
    finally:
        for host in started.values():
            host.stop()


def run_in(hosts):
    def run(image, setup, argv):
        host = hosts[image]
        for step in setup:
            host.run(step)
        proc = host.run(argv, check=False)
        return proc.returncode, proc.stdout, proc.stderr
    return run


def test_recorded_messages_are_current(hosts):
    """tests/unit/fixtures/bdb-messages.json is what the real images print today."""
    now = bdb_messages.record(run_in(hosts))
    if os.environ.get("NBDB_RECORD"):
        bdb_messages.FIXTURE.write_text(bdb_messages.dump(now))
    assert now == bdb_messages.load(), "stale recording: NBDB_RECORD=1 re-records it\n" + bdb_messages.dump(now)


@pytest.mark.parametrize("image", NO_BDB)
def test_image_is_postfix_without_berkeley_db(hosts, image):
    host = hosts[image]
    version = host.postfix_version()
    map_types = set(host.postconf("-m").split())
    assert {"lmdb", "cdb"} <= map_types
    assert host.run(["sh", "-c", "command -v gcc cc make"], check=False).stdout == ""  # no compiler in the image
    probe = host.run(["postmap", "-q", "x", "hash:/nonexistent"], check=False)
    assert probe.returncode == 1
    if image == "nodb311":
        assert version == "3.11.6" and {"hash", "btree"} <= map_types  # postconf -m cannot tell
        assert ("Berkeley DB support for 'hash:/nonexistent' is not available for this OS distribution"
                in probe.stderr), probe.stderr
    else:
        assert version == "3.8.9" and not {"hash", "btree"} & map_types
        assert "unsupported dictionary type: hash" in probe.stderr, probe.stderr
        assert host.run(["postfix", "non-bdb", "status"], check=False).returncode != 0
    assert host.postconf("-h", "myhostname").strip() == "mx.example.test"
    assert host.postconf("-h", "maillog_file").strip() == "/var/log/postfix.log"
    assert host.run(["python3", "-c", "import lmdb"], check=False).returncode == 0


@pytest.fixture(scope="module")
def legacy(hosts):
    """The sid container with the stock Debian configuration and its .db built there (once for the file)."""
    upgrade.build_legacy(hosts["sid"], files=STOCK, postalias=["hash:/etc/aliases"])
    return hosts["sid"]


def upgraded(legacy, host):
    """host (a NO_DB container) after the OS upgrade: the stock configuration and its .db files from sid."""
    upgrade.os_upgrade(legacy, host, UPGRADED)
    assert upgrade.listing(host, UPGRADED) == upgrade.listing(legacy, UPGRADED)  # owners, modes and sizes kept
    host.run(["postconf", "-e", "maillog_file=/var/log/postfix.log"])  # the test bed has no syslog (as the images)
    return host


@pytest.mark.parametrize("image", NO_BDB)
def test_stock_debian_config_migrates_without_berkeley_db(hosts, legacy, image):
    host = upgraded(legacy, hosts[image])
    host.run(["useradd", "-m", "alice"])
    host.run(["sh", "-c", "echo 'alice-alias: alice' >> /etc/aliases"])  # source edited after the .db was built
    info = host.module("mailops.nbdb.nbdb_info", {}, check=True)
    assert not info.failed, info
    assert info["postfix"]["berkeley_db"] == STATE[image]
    assert info["instances"][0]["berkeley_db"]["state"] == STATE[image]
    assert "fatal:" in info["instances"][0]["berkeley_db"]["message"]
    tables = {t["name"]: t["berkeley_db"] for t in info["tables"]}
    # (3.8's built-in defaults add the btree: caches of verify and postscreen)
    assert {"hash:/etc/aliases", "btree:/var/lib/postfix/smtp_scache"} <= set(tables)
    assert set(tables.values()) == {STATE[image]}

    # the source was edited after the .db was built: compared with the pure-Python reader's content, refused
    refused = host.module("mailops.nbdb.table_reindex", {"tables": ["hash:/etc/aliases"]}, check=True)
    assert refused.failed and "alice-alias (only in source)" in refused["msg"], refused
    assert "migrate_disagreement" in refused["msg"] and "alice\n" not in refused["msg"]
    assert refused["tables"][0]["disagreement"]["only_in_source"] == 1

    # the day after the upgrade, mail waits: deferred with "alias database unavailable", the error in the log
    host.run(["postfix", "start"])
    host.run(["sendmail", "alice-alias"], input=b"Subject: deferred\n\ndeferred before the migration\n")
    assert wait_deferred(host, 1), host.run(["postqueue", "-p"]).stdout
    counted = host.module("mailops.nbdb.nbdb_queue", {})
    assert not counted.failed and counted["table_errors"] == 1 and counted["forms"] == {STATE[image]: 1}, counted
    assert counted["queue_ids"] and counted["requeued"] == 0 and counted["delivered"] is None  # counted only

    # the source wins (it has the alias the .db lacks); the role rescues the deferred mail after the migration
    rc, out = run_playbook([host], PLAYBOOK, extra_vars={"migrate_start_stopped": True,
                                                         "migrate_disagreement": {"/etc/aliases": "source"}})
    assert rc == 0, out[-6000:]
    before, again, done, still = rescued(out)
    # (the baseline probe to root is deferred too; the switch's restart may have delivered some by itself)
    assert before == 1 and done >= before and still == 0, (before, again, done, still)
    assert delivered(host, "deferred before the migration"), host.run(["postqueue", "-p"]).stdout
    assert "Berkeley DB: %s" % STATE[image] in out
    if image == "nodb38":
        assert "has no migration levels" in out
    assert host.postconf("-h", "alias_maps").strip() == "lmdb:/etc/aliases"
    assert host.exists("/etc/aliases.lmdb") and host.exists("/etc/aliases.db")  # the .db is left in place
    assert host.run(["postalias", "-q", "alice-alias", "lmdb:/etc/aliases"]).stdout.strip() == "alice"
    assert host.postfix_running()
    host.run(["sendmail", "alice-alias"], input=b"Subject: after the upgrade\n\nmigrated without Berkeley DB\n")
    assert delivered(host, "migrated without Berkeley DB"), host.run(["postqueue", "-p"]).stdout

    rc, out = run_playbook([host], PLAYBOOK)  # idempotent: decided from the source and the new file
    assert rc == 0 and "changed=0" in out, out[-4000:]


def wait_deferred(host, count, timeout=30):
    """Whether count messages reached the deferred queue (polled, at most timeout seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queue = [json.loads(line) for line in host.run(["postqueue", "-j"]).stdout.splitlines() if line.strip()]
        if len([m for m in queue if m["queue_name"] == "deferred"]) >= count:
            return True
        time.sleep(0.3)
    return False


RESCUED_RE = re.compile(r"Deferred for table errors before the migration: (\d+); sent again: (\d+); delivered: (\d+);"
                        r" still deferred: (\d+)")


def rescued(out):
    """(deferred for table errors, sent again, delivered, still deferred) as the role's rescue says them."""
    match = RESCUED_RE.search(" ".join(out.split()))
    assert match, out[-4000:]
    return tuple(int(n) for n in match.groups())


ORPHANS = {  # legacy tables whose source is gone: only the .db made by sid's postmap is left
    "hash:/etc/postfix/orphans/access": ("0640", "root:postfix", "".join(
        "client%d.example.com REJECT no %d\n" % (n, n) for n in range(300)) + "10.1.2.3 OK\n"),
    "btree:/etc/postfix/orphans/relocated": ("0644", "root:root", "".join(
        "user%d@example.org user%d@example.net\n" % (n, n) for n in range(50))),
}


def test_orphans_recovered_without_berkeley_db(hosts):
    """An orphan hash: and an orphan btree: on the 3.11 without Berkeley DB: read with the pure-Python reader,
    written back as sources (owner and mode of the .db, a comment line naming it), rebuilt as lmdb, verified."""
    legacy, host = hosts["sid"], hosts["nodb311"]
    files = {spec.split(":", 1)[1]: (text, mode, owner) for spec, (mode, owner, text) in ORPHANS.items()}
    upgrade.build_legacy(legacy, files=files, postmap=list(ORPHANS))
    expected = {spec: legacy.run(["postmap", "-s", spec]).stdout for spec in ORPHANS}  # Berkeley DB's own answer
    legacy.run(["rm"] + list(files))
    dbs = [path + ".db" for path in files]
    upgrade.os_upgrade(legacy, host, dbs)
    before = upgrade.listing(host, dbs)

    checked = host.module("mailops.nbdb.table_reindex", {"tables": list(ORPHANS)}, check=True)
    assert not checked.failed, checked
    assert [t["action"] for t in checked["tables"]] == ["build", "build"] and checked["changed"]
    assert not any(host.exists(path) for path in files)  # check mode wrote nothing

    result = host.module("mailops.nbdb.table_reindex", {"tables": list(ORPHANS)})
    assert not result.failed, result
    for table in result["tables"]:
        spec, path = table["table"], table["path"]
        assert table["role"] == "orphan" and table["berkeley_db"] == "missing_311", table
        assert "read without Berkeley DB" in table["reason"] and table["recovered_source"] == path
        owner, group, mode = before[path + ".db"].split()[:3]
        assert upgrade.listing(host, [path])[path].split()[:3] == [owner, group, mode]
        first = host.read(path).splitlines()[0]
        assert first.startswith("#") and path + ".db" in first and "mailops.nbdb's reader" in first, first
        target = table["target"]
        assert target.startswith("lmdb:") and table["verified"] == len(expected[spec].splitlines())
        got = host.run(["postmap", "-s", target]).stdout
        assert sorted(got.splitlines()) == sorted(expected[spec].splitlines()), spec  # key by key, as sid's postmap -s

    again = host.module("mailops.nbdb.table_reindex", {"tables": list(ORPHANS)})
    assert not again.failed and not again["changed"], again  # the recovered source and the new file agree


VIRTUAL = "/etc/postfix/virtual"
SASL = "/etc/postfix/sasl_passwd"
LOST = "/etc/postfix/relocated"  # an orphan: its source is gone, only the .db made by postmap is left


def test_berkeley_db_host_warns_of_orphans_and_refuses_disagreeing_tables(hosts, legacy):
    """sid, where Berkeley DB works: the dry run lists the orphan that the OS upgrade would make unreadable, and
    refuses the tables whose source and .db disagree, key by key, never a value; named winners are then built."""
    host = legacy
    upgrade.build_legacy(host, files={
        VIRTUAL: "a@x.test alice\nb@x.test bob\n", SASL: ("[smtp.x.test]:587 user:Secret1\n", "0600", "root:root"),
        LOST: "gone@x.test gone@y.test\n"}, postmap=["hash:" + p for p in (VIRTUAL, SASL, LOST)])
    host.run(["postmap", "-i", "hash:" + VIRTUAL], input=b"added@x.test carol\n")  # only in the .db
    host.write(VIRTUAL, "a@x.test alice\nb@x.test bobby\nnew@x.test dave\n")  # edited, never rebuilt
    host.write(SASL, "[smtp.x.test]:587 user:Secret2\n", "0600", "root:root")
    host.run(["rm", LOST])
    host.run(["postconf", "-e", "virtual_alias_maps=hash:" + VIRTUAL, "relocated_maps=hash:" + LOST,
              "smtp_sasl_password_maps=hash:" + SASL])
    try:
        rc, out = run_playbook([host], PLAYBOOK, check=True)
        assert rc != 0, out[-4000:]
        text = " ".join(out.split())
        assert "Orphans at risk: %s: only their .db is left" % LOST in text, out[-6000:]
        for shown in ("b@x.test (value differs)", "added@x.test (only in db)", "new@x.test (only in source)",
                      "[smtp.x.test]:587 (value differs)", "migrate_disagreement"):
            assert shown in text, (shown, out[-8000:])
        for secret in ("Secret1", "Secret2", "carol", "dave", "bobby"):
            assert secret not in out, secret

        tables = ["hash:" + VIRTUAL, "hash:" + SASL]
        args = {"tables": tables, "database_type": "lmdb", "disagreement": {VIRTUAL: "db", SASL: "source"}}
        server_answers = host.run(["postmap", "-s", "hash:" + VIRTUAL]).stdout  # what Berkeley DB serves
        built = host.module("mailops.nbdb.table_reindex", args)
        assert not built.failed, built
        assert [t["disagreement"]["chosen"] for t in built["tables"]] == ["db", "source"]
        assert "Secret" not in json.dumps(built)
        got = host.run(["postmap", "-s", "lmdb:" + VIRTUAL]).stdout
        assert sorted(got.splitlines()) == sorted(server_answers.splitlines())  # lookups answer as before
        source = host.read(VIRTUAL)
        assert source.startswith("#") and "added@x.test carol" in source and "dave" not in source, source
        assert host.read(VIRTUAL + ".nbdb-before-db") == "a@x.test alice\nb@x.test bobby\nnew@x.test dave\n"
        assert host.run(["postmap", "-q", "[smtp.x.test]:587", "lmdb:" + SASL]).stdout.strip() == "user:Secret2"
        assert upgrade.listing(host, [SASL])[SASL].split()[:3] == ["root", "root", "600"]
        again = host.module("mailops.nbdb.table_reindex", args)
        assert not again.failed and not again["changed"], again
    finally:  # the sid host builds the legacy tables of the other tests
        host.run(["postconf", "-X", "virtual_alias_maps", "relocated_maps", "smtp_sasl_password_maps"])
