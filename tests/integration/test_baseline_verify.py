"""Verification against the host's own baseline (issue 15 §2) on real Postfix 3.11.

One host with the quirks real servers have before anyone migrates them: a content filter on 127.0.0.1:10024
that is down, and a virtual_mailbox_domains file that does not exist. The migrate role migrates it, judges the
difference only, and records both problems as pre-existing. On the same host (migrated), a table the
migration broke is still a regression; and a probe whose mail would leave the host is not sent.
"""
import json
import re
import pathlib

import pytest

from tests.integration.conftest import lay_down_demo_legacy
from tests.testbed.ansible import run_module, run_playbook

pytestmark = pytest.mark.integration

PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "migrate_record.yml"
QUIRKS = ("content_filter=smtp:[127.0.0.1]:10024", "virtual_mailbox_domains=/etc/postfix/vmailbox-domains-missing")


@pytest.fixture(scope="module")
def quirky_host():
    from tests.integration.conftest import Host  # pylint: disable=import-outside-toplevel
    host = Host("sid")
    host.start()
    try:
        lay_down_demo_legacy(host.lay_down(), postconf=QUIRKS)
        yield host
    finally:
        host.stop()


def queue_probes(host):
    listing = host.run(["postqueue", "-j"]).stdout
    return [json.loads(line) for line in listing.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def migrated(quirky_host):
    rc, out = run_playbook([quirky_host], PLAYBOOK)
    return rc, out


def test_pre_existing_problems_do_not_roll_the_host_back(quirky_host, migrated):
    rc, out = migrated
    assert rc == 0, out[-6000:]
    postconf = quirky_host.run(["postconf", "-nx"]).stdout + quirky_host.run(["postconf", "-Px"]).stdout
    assert not re.search(r"(?<![a-z])(hash|btree):", postconf), postconf
    assert "rolled back" not in out


def test_the_record_names_them_pre_existing(quirky_host, migrated):
    summary = json.loads(quirky_host.read("/tmp/nbdb-summary.json"))
    verification = summary["verification"]
    assert verification["probe_before"] == "deferred" and verification["probe_after"] == "deferred", verification
    assert verification["regressions"] == []
    text = "\n".join(verification["pre_existing"])
    assert "10024" in text and "Connection refused" in text, text
    assert "vmailbox-domains-missing" in text, text


def test_the_probes_left_the_queue_and_other_mail_stayed(quirky_host, migrated):
    assert queue_probes(quirky_host) == []


def test_a_table_the_migration_broke_is_a_regression(quirky_host, migrated):
    baseline = run_module(quirky_host, "mailops.nbdb.nbdb_verify", {"phase": "baseline", "recipient": ""})
    assert not baseline.failed, baseline
    since = quirky_host.run(["date", "+%s"]).stdout.strip()
    quirky_host.run(["mv", "/etc/postfix/tables/virtual.lmdb", "/etc/postfix/tables/virtual.lmdb.away"])
    quirky_host.run(["postfix", "reload"])  # new processes open the tables again
    try:
        quirky_host.run(["sendmail", "-i", "sales@example.org"], input=b"Subject: x\n\nx\n")
        after = run_module(quirky_host, "mailops.nbdb.nbdb_verify",
                           {"baseline": baseline["baseline"], "since": float(since), "recipient": "", "timeout": 20})
    finally:
        quirky_host.run(["mv", "/etc/postfix/tables/virtual.lmdb.away", "/etc/postfix/tables/virtual.lmdb"])
        quirky_host.run(["postfix", "reload"])
    assert after.failed, after
    assert any("virtual" in line for line in after["verdict"]["regressions"]), after["verdict"]
    assert "10024" not in " ".join(after["verdict"]["regressions"])  # the pre-existing problem stays one


def test_a_probe_that_would_leave_the_host_is_not_sent(quirky_host, migrated):
    quirky_host.run(["sh", "-c", "sed -i '1i root: admin@elsewhere.example' /etc/aliases && newaliases"])
    try:
        result = run_module(quirky_host, "mailops.nbdb.nbdb_verify", {"phase": "baseline"})
    finally:
        quirky_host.run(["sh", "-c", "sed -i '/^root: admin@elsewhere.example$/d' /etc/aliases && newaliases"])
    assert not result.failed, result
    assert result["probe"] is None
    assert "admin@elsewhere.example" in result["route"] and "skipped" in result["route"], result["route"]


@pytest.fixture(scope="module")
def standby_host():
    from tests.integration.conftest import Host  # pylint: disable=import-outside-toplevel
    host = Host("sid")
    host.start()
    try:
        lay_down_demo_legacy(host.lay_down())
        host.run(["postfix", "stop"])
        yield host
    finally:
        host.stop()


def test_a_stopped_postfix_is_migrated_and_left_stopped_until_asked(standby_host):
    rc, out = run_playbook([standby_host], PLAYBOOK)
    assert rc == 0, out[-6000:]
    postconf = standby_host.run(["postconf", "-nx"]).stdout
    assert "lmdb:" in postconf and not re.search(r"(?<![a-z])(hash|btree):", postconf), postconf
    assert not standby_host.postfix_running()
    summary = json.loads(standby_host.read("/tmp/nbdb-summary.json"))
    assert summary["status"] == "migrated"
    assert summary["service"] == {"manager": "postfix", "running_before": False, "running_after": False}
    assert summary["verification"]["route"] == "no probe (Postfix is not running)"
    assert summary["verification"]["regressions"] == []

    rc, out = run_playbook([standby_host], PLAYBOOK, extra_vars={"migrate_start_stopped": True})
    assert rc == 0, out[-6000:]
    assert standby_host.postfix_running()
    assert "Postfix runs (it ran before the migration, or it is asked to start)" in out
