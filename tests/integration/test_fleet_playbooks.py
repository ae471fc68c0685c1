"""The fleet playbooks on a small real fleet: dry run, a rolling migration whose canary fails and is rolled back,
the re-run after the fix, a re-run that changes nothing, a playbook rollback, the report rebuilt, and the report's
HTML in headless Chromium (screenshot kept in .build/artefacts)."""
import json
import os
import pathlib
import re
import subprocess

import pytest

from tests.integration.conftest import Host, lay_down_demo_legacy
from tests.integration.test_migrate_role import BROKEN_START
from tests.testbed import browser

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
ARTEFACTS = ROOT / ".build" / "artefacts"
# Inventory order = rollout order: the canary comes first.
FLEET = (("canary", "sid"), ("mx2", "sid"), ("old", "bookworm"))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fleet")
    hosts = {}
    try:
        for alias, distro in FLEET:
            hosts[alias] = lay_down_demo_legacy(Host(distro).start())
        inventory = {"all": {"vars": {"ansible_connection": "containers.podman.podman",
                                      "ansible_python_interpreter": "auto_silent"},
                             "hosts": {alias: {"ansible_host": host.name} for alias, host in hosts.items()}}}
        (folder / "inventory.json").write_text(json.dumps(inventory))
        yield {"hosts": hosts, "dir": folder, "report": folder / "report"}
    finally:
        for host in hosts.values():
            host.stop()


def play(fleet, name, *args):
    argv = ["ansible-playbook", "-i", str(fleet["dir"] / "inventory.json"), str(PLAYBOOKS / (name + ".yml")),
            "-e", "nbdb_report_dir=%s" % fleet["report"]] + list(args)
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=1800,
                          env=dict(os.environ, ANSIBLE_NOCOLOR="1"))
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def report(fleet):
    return json.loads((fleet["report"] / "fleet-report.json").read_text())


def states(fleet):
    return {row["host"]: row["state"] for row in report(fleet)["hosts"]}


def recap(out):
    """{host: {ok: n, changed: n, ...}} from the PLAY RECAP."""
    found = {}
    for host, counts in re.findall(r"^(\S+)\s+: (ok=.*)$", out, re.M):
        found[host] = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", counts))
    return found


def fingerprint(host):
    return host.sh("find /etc/postfix /etc/aliases* -type f -printf '%p %s %T@ %m\\n' | sort; "
                   "cat /var/spool/postfix/pid/master.pid").stdout


def test_dry_run_changes_nothing_and_predicts_every_host(fleet):
    before = {alias: fingerprint(host) for alias, host in fleet["hosts"].items()}
    rc, out = play(fleet, "dry_run")
    assert rc == 0, out[-6000:]
    assert {alias: fingerprint(host) for alias, host in fleet["hosts"].items()} == before
    data = report(fleet)
    assert data["dry_run"] is True and data["generated_by"] == "dry_run"
    assert states(fleet) == {"canary": "would_migrate", "mx2": "would_migrate", "old": "would_migrate"}
    assert all(row["tables_migrated"] >= 6 and row["references_rewritten"] >= 8 for row in data["hosts"]), data
    assert all(counts["failed"] == 0 for counts in recap(out).values())


def test_a_failing_canary_is_rolled_back_and_stops_the_rollout(fleet):
    canary = fleet["hosts"]["canary"]
    canary.run(["mv", "/usr/sbin/postfix", "/usr/sbin/postfix.real"])
    canary.write("/usr/sbin/postfix", BROKEN_START, mode="0755")
    untouched = fingerprint(fleet["hosts"]["mx2"])
    rc, out = play(fleet, "migrate_fleet")
    assert rc != 0, out[-6000:]
    assert states(fleet) == {"canary": "rolled_back", "mx2": "would_migrate", "old": "would_migrate"}
    rows = {row["host"]: row for row in report(fleet)["hosts"]}
    assert "simulated start failure" in rows["canary"]["error"]
    assert rows["mx2"]["last_run"]["status"] == "not_reached" and "rollout stopped" in rows["mx2"]["last_run"]["error"]
    assert fingerprint(fleet["hosts"]["mx2"]) == untouched
    assert "alias_maps = hash:/etc/aliases" in canary.postconf("-n") and canary.postfix_running()
    assert recap(out)["canary"]["failed"] == 1 and recap(out)["mx2"]["failed"] == 0


def test_after_the_fix_the_rollout_continues_and_a_rerun_changes_nothing(fleet):
    canary = fleet["hosts"]["canary"]
    canary.run(["mv", "/usr/sbin/postfix.real", "/usr/sbin/postfix"])
    rc, out = play(fleet, "migrate_fleet", "-e", '{"nbdb_batches": ["50%", "100%"]}')
    assert rc == 0, out[-6000:]
    assert states(fleet) == {"canary": "migrated", "mx2": "migrated", "old": "migrated"}
    totals = report(fleet)["totals"]
    assert totals["migrated"] == 3 and totals["legacy_free"] == 3 and totals["failed"] == 0
    assert totals["predictions_matched"] == 3, report(fleet)
    for host in fleet["hosts"].values():
        assert "lmdb:/etc/aliases" in host.postconf("-n") and host.postfix_running()

    pids = {alias: host.read("/var/spool/postfix/pid/master.pid") for alias, host in fleet["hosts"].items()}
    rc, out = play(fleet, "migrate_fleet")
    assert rc == 0, out[-6000:]
    counts = recap(out)
    assert all(counts[alias]["changed"] == 0 for alias in pids), counts
    assert states(fleet) == {"canary": "unchanged", "mx2": "unchanged", "old": "unchanged"}
    assert report(fleet)["totals"]["tables_migrated"] == totals["tables_migrated"]  # the migration is still reported
    assert {alias: host.read("/var/spool/postfix/pid/master.pid") for alias, host in fleet["hosts"].items()} == pids


def test_rollback_checks_then_restores_one_host(fleet):
    mx2 = fleet["hosts"]["mx2"]
    before = fingerprint(mx2)
    rc, out = play(fleet, "rollback", "--check", "-e", "nbdb_hosts=mx2")
    assert rc == 0, out[-6000:]
    assert fingerprint(mx2) == before
    assert states(fleet)["mx2"] == "unchanged"  # a check-mode rollback predicts, it does not restore
    rc, out = play(fleet, "rollback", "-e", "nbdb_hosts=mx2")
    assert rc == 0, out[-6000:]
    assert states(fleet) == {"canary": "unchanged", "mx2": "restored", "old": "unchanged"}
    assert "alias_maps = hash:/etc/aliases" in mx2.postconf("-n") and mx2.postfix_running()
    assert mx2.run(["postmap", "-q", "sales@example.org", "hash:/etc/postfix/tables/virtual"]).stdout.strip() == "alice, bob"


def test_report_is_rebuilt_without_hosts_and_renders_in_chromium(fleet):
    saved = report(fleet)
    for host in fleet["hosts"].values():
        host.run(["postfix", "stop"])  # the report playbook must not need the hosts
    rc, out = play(fleet, "report")
    assert rc == 0, out[-4000:]
    rebuilt = report(fleet)
    assert rebuilt["generated_by"] == "report" and rebuilt["hosts"] == saved["hosts"] and rebuilt["totals"] == saved["totals"]
    rc, out = play(fleet, "report")
    assert rc == 0 and recap(out)["localhost"]["changed"] == 0, out[-4000:]  # same records: nothing rewritten
    assert report(fleet) == rebuilt
    page = fleet["report"] / "fleet-report.html"
    dom = browser.dump_dom(str(page))
    assert len(re.findall(r'<tr class="host [a-z]+" data-host="(canary|mx2|old)"', dom)) == 3, dom
    assert re.search(r'<div class="value">3</div><div class="label">Hosts</div>', dom), dom
    assert re.search(r'<div class="value">1</div><div class="label">Rolled back</div>', dom), dom
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    png = browser.screenshot(str(page), str(ARTEFACTS / "fleet-report.png"))
    assert pathlib.Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and pathlib.Path(png).stat().st_size > 20000
