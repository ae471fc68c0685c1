"""`make demo` and the fleet playbooks on the fleet it leaves (one fleet, one flow, each promise once).

scripts/demo.sh itself (what `make demo` runs after the bootstrap) starts the five demo hosts (mx4 has lost Berkeley DB), dry-runs, migrates
and migrates again; the report goes to a temporary folder. On that migrated fleet the tests then roll two hosts back
with the rollback playbook (check mode first), dry-run them again, migrate them with a canary that fails and is
rolled back, fix it and let the rollout continue, re-run the whole fleet (no change), rebuild the report without
the hosts and render it in headless Chromium (screenshot kept in .build/artefacts). The demo containers are
removed at the end (the test replaces any demo fleet that was running)."""
import json
import os
import pathlib
import re
import subprocess

import pytest

from tests.integration.test_migrate_role import BROKEN_START
from tests.testbed import browser
from tests.testbed.container import PostfixContainer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / ".build" / "artefacts"
HOSTS = {"nbdb-demo-mx1": "sid", "nbdb-demo-lists1": "sid", "nbdb-demo-mx2": "trixie", "nbdb-demo-mx3": "bookworm",
         "nbdb-demo-mx4": "nodb311"}
# The pair rolled back and migrated again: in inventory order mx2 (trixie) is its canary, mx3 (bookworm) the rest.
CANARY, REST = "nbdb-demo-mx2", "nbdb-demo-mx3"
PAIR = "nbdb_hosts=%s:%s" % (CANARY, REST)
LEGACY_KEY = ("sales@example.com", "hash:/etc/postfix/vmail/aliases", "anna@example.com, bernd@example.com")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    report = tmp_path_factory.mktemp("demo") / "report"
    try:
        proc = subprocess.run([str(ROOT / "scripts" / "demo.sh")], cwd=str(ROOT), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=dict(os.environ, NBDB_DEMO_REPORT=str(report)),
                              timeout=1800, check=False)
        hosts = {name: PostfixContainer(distro, name=name) for name, distro in HOSTS.items()}
        yield {"rc": proc.returncode, "out": proc.stdout.decode("utf-8", "replace"), "report": report, "hosts": hosts}
    finally:
        subprocess.run(["podman", "rm", "-f", "-t", "0"] + list(HOSTS), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)


def play(fleet, name, *args):
    argv = ["ansible-playbook", "-i", str(ROOT / "demo" / "inventory.yml"), "mailops.nbdb." + name,
            "-e", "nbdb_report_dir=%s" % fleet["report"]] + list(args)
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=1800,
                          cwd=str(ROOT), env=dict(os.environ, ANSIBLE_NOCOLOR="1"))
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def report(fleet):
    return json.loads((fleet["report"] / "fleet-report.json").read_text())


def rows(fleet):
    return {row["host"]: row for row in report(fleet)["hosts"]}


def states(fleet):
    return {host: row["state"] for host, row in rows(fleet).items()}


def recap(out):
    """{host: {ok: n, changed: n, ...}} from the PLAY RECAP."""
    found = {}
    for host, counts in re.findall(r"^(\S+)\s+: (ok=.*)$", out, re.M):
        found[host] = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", counts))
    return found


def fingerprint(host):
    return host.sh("find /etc/postfix /etc/aliases* -type f -printf '%p %s %T@ %m\\n' | sort; "
                   "cat /var/spool/postfix/pid/master.pid").stdout


def legacy_answer(host):
    key, table, dummy = LEGACY_KEY
    return host.run(["postmap", "-q", key, table]).stdout.strip()


def test_make_demo_migrates_five_hosts_and_the_rerun_changes_nothing(fleet):
    out = fleet["out"]
    assert fleet["rc"] == 0, out[-6000:]
    assert "hosts changed by the second migration run: 0" in out, out
    assert "-> lmtp:[127.0.0.1]:8024" in out, out  # Mailman's own postmap still works after the migration
    assert "podman rm -f nbdb-demo-mx1" in out
    by_host = rows(fleet)
    assert sorted(by_host) == sorted(HOSTS)
    for name, row in by_host.items():
        assert row["state"] == "unchanged" and row["migrated_at"], (name, row)
        assert row["legacy_references_left"] == 0 and row["tables_migrated"] > 0, (name, row)
        assert row["prediction"]["matched"], (name, row["prediction"])  # the dry run predicted the migration
    assert {row["postfix_version"][:4] for row in by_host.values()} == {"3.11", "3.10", "3.7."}
    assert report(fleet)["totals"]["legacy_free"] == 5 and report(fleet)["totals"]["failed"] == 0
    # mx4 lost Berkeley DB: its orphan recovered, the mail deferred the day after the upgrade delivered
    mx4 = by_host["nbdb-demo-mx4"]
    assert mx4["berkeley_db"] == "missing_311" and mx4["rescue"]["table_errors_before"] >= 1, mx4
    assert mx4["rescue"]["delivered"] >= 1 and mx4["rescue"]["still_deferred"] == 0, mx4["rescue"]
    assert re.search(r"demo: rescued on nbdb-demo-mx4: [1-9]\d* deferred for table errors", out), out
    assert "This waited in the deferred queue" in fleet["hosts"]["nbdb-demo-mx4"].read("/var/mail/alice")
    dom = browser.dump_dom(str(fleet["report"] / "fleet-report.html"))
    assert len(re.findall(r'data-host="nbdb-demo-', dom)) == 5
    assert re.search(r'<div class="value">5</div><div class="label">Free of hash/btree</div>', dom), dom


def test_rollback_checks_then_restores_two_hosts(fleet):
    hosts = fleet["hosts"]
    before = {name: fingerprint(hosts[name]) for name in (CANARY, REST)}
    rc, out = play(fleet, "rollback", "--check", "-e", PAIR)
    assert rc == 0, out[-6000:]
    assert {name: fingerprint(hosts[name]) for name in (CANARY, REST)} == before
    assert states(fleet)[CANARY] == "unchanged"  # a check-mode rollback predicts, it does not restore
    rc, out = play(fleet, "rollback", "-e", PAIR)
    assert rc == 0, out[-6000:]
    assert states(fleet) == {"nbdb-demo-mx1": "unchanged", "nbdb-demo-lists1": "unchanged",
                             CANARY: "restored", REST: "restored", "nbdb-demo-mx4": "unchanged"}
    for name in (CANARY, REST):
        assert "alias_maps = hash:/etc/aliases" in hosts[name].postconf("-n") and hosts[name].postfix_running()
    assert legacy_answer(hosts[CANARY]) == LEGACY_KEY[2]


def test_dry_run_changes_nothing_and_predicts_the_restored_hosts(fleet):
    hosts = fleet["hosts"]
    before = {name: fingerprint(host) for name, host in hosts.items()}
    rc, out = play(fleet, "dry_run", "-e", PAIR)
    assert rc == 0, out[-6000:]
    assert {name: fingerprint(host) for name, host in hosts.items()} == before
    data = report(fleet)
    assert data["dry_run"] is True and data["generated_by"] == "dry_run"
    for name in (CANARY, REST):  # the state stays "restored" (a rollback outranks a dry run); the run predicted
        assert states(fleet)[name] == "restored" and rows(fleet)[name]["last_run"]["status"] == "would_migrate", data
    assert all(counts["failed"] == 0 for counts in recap(out).values())


def test_a_failing_canary_is_rolled_back_and_stops_the_rollout(fleet):
    canary, rest = fleet["hosts"][CANARY], fleet["hosts"][REST]
    canary.run(["mv", "/usr/sbin/postfix", "/usr/sbin/postfix.real"])
    canary.write("/usr/sbin/postfix", BROKEN_START, mode="0755")
    untouched = fingerprint(rest)
    rc, out = play(fleet, "migrate_fleet", "-e", PAIR)
    assert rc != 0, out[-6000:]
    assert states(fleet)[CANARY] == "rolled_back" and states(fleet)[REST] == "restored"
    by_host = rows(fleet)
    assert "simulated start failure" in by_host[CANARY]["error"]
    assert by_host[REST]["last_run"]["status"] == "not_reached" and "rollout stopped" in by_host[REST]["last_run"]["error"]
    assert fingerprint(rest) == untouched
    assert "alias_maps = hash:/etc/aliases" in canary.postconf("-n") and canary.postfix_running()
    assert legacy_answer(canary) == LEGACY_KEY[2]
    assert recap(out)[CANARY]["failed"] == 1 and recap(out)[REST]["failed"] == 0
    dom = browser.dump_dom(str(fleet["report"] / "fleet-report.html"))
    assert re.search(r'<div class="value">2</div><div class="label">Rolled back</div>', dom), dom  # the canary rolled back, the rest restored


def test_after_the_fix_the_rollout_continues_and_a_rerun_changes_nothing(fleet):
    hosts = fleet["hosts"]
    hosts[CANARY].run(["mv", "/usr/sbin/postfix.real", "/usr/sbin/postfix"])
    rc, out = play(fleet, "migrate_fleet", "-e", '{"nbdb_batches": ["50%", "100%"]}')
    assert rc == 0, out[-6000:]
    assert states(fleet) == {"nbdb-demo-mx1": "unchanged", "nbdb-demo-lists1": "unchanged",
                             CANARY: "migrated", REST: "migrated", "nbdb-demo-mx4": "unchanged"}
    totals = report(fleet)["totals"]
    assert totals["legacy_free"] == 5 and totals["failed"] == 0, totals
    assert rows(fleet)[CANARY]["prediction"]["matched"] and rows(fleet)[REST]["prediction"]["matched"]
    for name in (CANARY, REST):
        assert "lmdb:/etc/aliases" in hosts[name].postconf("-n") and hosts[name].postfix_running()

    pids = {name: host.read("/var/spool/postfix/pid/master.pid") for name, host in hosts.items()}
    rc, out = play(fleet, "migrate_fleet")
    assert rc == 0, out[-6000:]
    counts = recap(out)
    assert all(counts[name]["changed"] == 0 for name in hosts), counts
    assert set(states(fleet).values()) == {"unchanged"}
    assert report(fleet)["totals"]["tables_migrated"] == totals["tables_migrated"]  # the migration is still reported
    assert {name: host.read("/var/spool/postfix/pid/master.pid") for name, host in hosts.items()} == pids


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
    assert len(re.findall(r'<tr class="host [a-z]+" data-host="nbdb-demo-[a-z0-9]+"', dom)) == 5, dom
    assert re.search(r'<div class="value">5</div><div class="label">Hosts</div>', dom), dom
    assert re.search(r'<div class="value">5</div><div class="label">Free of hash/btree</div>', dom), dom
    assert re.search(r'<div class="value">0</div><div class="label">Rolled back</div>', dom), dom
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    png = browser.screenshot(str(page), str(ARTEFACTS / "fleet-report.png"))
    assert pathlib.Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and pathlib.Path(png).stat().st_size > 20000
