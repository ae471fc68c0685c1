"""Programs that write tables (issue 17 §6) on real Postfix 3.11 (sid): the demo's Mailman 3 list server
(demo/lists1-mailman3: a bare ``postmap_command``) plus a panel script that runs ``postmap hash:`` explicitly.
nbdb_info finds both from their files; after the migration Mailman's own regeneration (``postmap_command FILE`` on the
file it generated, as the list user) and the panel's ``postmap hash:`` build the tables Postfix answers from."""
import pathlib
import subprocess

import pytest

from tests.integration.conftest import Host
from tests.integration.test_migrate_role import PLAYBOOK
from tests.testbed.ansible import run_playbook

pytestmark = pytest.mark.integration

LAYOUT = pathlib.Path(__file__).resolve().parents[2] / "demo" / "lists1-mailman3"
PANEL = "/usr/local/sbin/panel-sync"
PANEL_SCRIPT = """#!/bin/sh
# panel-sync: the hosting panel writes its sender access list and indexes it
# postmap hash:/etc/postfix/old_list (commented out: no caller)
/usr/sbin/postmap hash:/etc/postfix/panel_access
"""
LMTP = "/var/lib/mailman3/data/postfix_lmtp"


@pytest.fixture(scope="module")
def lists1():
    host = Host("sid", hostname="lists1.example.org").start()
    try:
        subprocess.run(["podman", "cp", str(LAYOUT / "rootfs") + "/.", host.name + ":/"], check=True)
        host.run(["sh", "-s"], input=(LAYOUT / "setup.sh").read_bytes())
        host.write(PANEL, PANEL_SCRIPT, mode="0755")
        host.write("/etc/postfix/panel_access", "spammer@example.com REJECT\n")
        host.run([PANEL])
        host.run(["postconf", "-e", "smtpd_sender_restrictions=check_sender_access hash:/etc/postfix/panel_access"])
        host.run(["postfix", "start"])
        yield host
    finally:
        host.stop()


def lookup(host, key, parameter):
    """What Postfix answers for key from the table main.cf's parameter names (its last word, expanded)."""
    table = host.postconf("-hx", parameter).split()[-1]
    return host.run(["postmap", "-q", key, table], check=False).stdout.strip()


def test_writers_found_judged_and_working_after_the_migration(lists1):
    info = lists1.module("mailops.nbdb.nbdb_info", {"level": "disable"}, check=True)
    assert not info.failed, info
    found = dict((w["program"], w) for w in info["writers"])
    assert found["mailman3"]["file"] == "/etc/mailman3/postfix-mailman.cfg" and found["mailman3"]["types"] == []
    assert found["mailman3"]["line"] == 8 and LMTP in found["mailman3"]["tables"]
    assert found["script"]["file"] == PANEL and found["script"]["line"] == 4 and found["script"]["types"] == ["hash"]
    verdicts = dict((w["program"], w) for w in info["plan"]["writers"])
    assert verdicts["mailman3"]["outcome"] == "keeps_working" and verdicts["script"]["outcome"] == "breaks"
    refusal = [text for text in info["plan"]["refusals"] if PANEL in text]
    assert len(refusal) == 1 and "%s line 4" % PANEL in refusal[0] and "migrate_level: enable-redirect" in refusal[0]

    rc, out = run_playbook([lists1], PLAYBOOK)  # the role's default level: enable-redirect
    assert rc == 0, out[-6000:]
    out = " ".join(out.split())  # the yaml callback folds long lines
    assert "builds default_database_type, lmdb after the migration" in out  # the dry-run/record note
    assert "at level enable-redirect Postfix redirects it to lmdb:" in out
    assert "outcome: redirected" in out and "outcome: keeps_working" in out  # the record's detail
    assert lists1.postconf("-h", "transport_maps").strip() == "lmdb:" + LMTP

    # Mailman creates a list: its maps are regenerated and "postmap_command FILE" run as the list user
    regen = lists1.run(["/usr/local/sbin/mailman-regenerate-maps", "demo@lists.example.org"], check=False)
    assert regen.returncode == 0, regen.stderr
    assert lookup(lists1, "demo@lists.example.org", "transport_maps") == "lmtp:[127.0.0.1]:8024"
    assert lists1.stat(LMTP + ".lmdb")["owner"] == "list"  # still the list user's, so Mailman can rewrite it

    # the panel adds an entry and runs its explicit "postmap hash:": redirected to the lmdb file main.cf names
    lists1.run(["sh", "-c", "echo 'phisher@example.com REJECT' >> /etc/postfix/panel_access"])
    panel = lists1.run([PANEL], check=False)
    assert panel.returncode == 0 and "redirecting hash:/etc/postfix/panel_access to lmdb:" in panel.stderr, panel.stderr
    assert lookup(lists1, "phisher@example.com", "smtpd_sender_restrictions") == "REJECT"


def test_without_levels_the_reported_change_is_the_one_that_works():
    """Postfix 3.8 built without Berkeley DB (RHEL 10's kind): no redirect, so the panel's "postmap hash:" fails; the
    change nbdb_info reports (file, line, new value), applied as written, builds the table Postfix reads."""
    host = Host("nodb38").start()
    try:
        host.write(PANEL, PANEL_SCRIPT, mode="0755")
        host.write("/etc/postfix/panel_access", "spammer@example.com REJECT\n")
        host.run(["postconf", "-e", "smtpd_sender_restrictions=check_sender_access hash:/etc/postfix/panel_access"])
        info = host.module("mailops.nbdb.nbdb_info", {"level": "enable-redirect"}, check=True)
        assert not info.failed and not info["postfix"]["has_levels"], info
        verdict = [w for w in info["plan"]["writers"] if w["file"] == PANEL][0]
        assert verdict["outcome"] == "breaks" and not [r for r in info["plan"]["refusals"] if PANEL in r]
        change = verdict["change"]
        assert (change["file"], change["line"]) == (PANEL, 4), change
        assert change["value"] == "/usr/sbin/postmap lmdb:/etc/postfix/panel_access"
        assert "change the command at %s line 4 to: %s" % (PANEL, change["value"]) in verdict["note"]
        failed = host.run([PANEL], check=False)
        assert failed.returncode == 1 and "unsupported map type: hash" in failed.stderr, failed.stderr
        lines = host.read(PANEL).splitlines()
        lines[change["line"] - 1] = change["value"]
        host.write(PANEL, "\n".join(lines) + "\n", mode="0755")
        host.run([PANEL])
        assert host.run(["postmap", "-q", "spammer@example.com", "lmdb:/etc/postfix/panel_access"]).stdout.strip() == "REJECT"
    finally:
        host.stop()
