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
