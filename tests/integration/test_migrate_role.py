"""The migrate role on real Postfix where molecule does not go: a switched Postfix that does not start (rolled back,
serving, mail flows), reload mode under SMTP traffic, held and stale locks. Migrate-then-no-change with the same
master PID is molecule's `default` scenario (converge, idempotence, verify)."""
import os
import pathlib
import re
import smtplib
import socket
import subprocess
import threading
import time

import pytest

from tests.integration.conftest import lay_down_demo_legacy
from tests.testbed.ansible import run_playbook

pytestmark = pytest.mark.integration

PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "migrate.yml"
# Simulates "a table the new configuration needs cannot be opened": Postfix refuses to start once main.cf says lmdb.
BROKEN_START = """#!/bin/sh
if [ "$1" = start ] && grep -q '^alias_maps = lmdb:' /etc/postfix/main.cf; then
    echo "postfix: fatal: simulated start failure with the new tables" >&2
    exit 1
fi
exec /usr/sbin/postfix.real "$@"
"""


def legacy_host(postfix_host):
    return lay_down_demo_legacy(postfix_host("sid"))


def delivered(host, text, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in host.run(["cat", "/var/mail/alice"], check=False).stdout:
            return True
        time.sleep(0.5)
    return False


def test_broken_start_is_rolled_back_and_mail_flows(postfix_host):
    host = legacy_host(postfix_host)
    main_before = host.read("/etc/postfix/main.cf")
    host.run(["mv", "/usr/sbin/postfix", "/usr/sbin/postfix.real"])
    host.write("/usr/sbin/postfix", BROKEN_START, mode="0755")

    rc, out = run_playbook([host], PLAYBOOK)

    assert rc != 0, out
    assert "rolled back" in out and "simulated start failure" in out, out[-4000:]
    assert host.read("/etc/postfix/main.cf") == main_before
    assert not host.exists("/etc/postfix/tables/virtual.lmdb")  # files made since the backup are gone
    assert host.run(["postmap", "-q", "sales@example.org", "hash:/etc/postfix/tables/virtual"]).stdout.strip() == "alice, bob"
    assert host.postfix_running()
    host.run(["sendmail", "alice"], input=b"Subject: after rollback\n\nstill flowing\n")
    assert delivered(host, "still flowing"), host.run(["postqueue", "-p"]).stdout


def container_ip(host):
    return subprocess.run(["podman", "inspect", "-f", "{{.NetworkSettings.IPAddress}}", host.name],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()


def test_reload_mode_loses_no_mail_and_never_stops(postfix_host):
    """switch_mode reload: SMTP traffic during the whole role run; every message accepted and delivered."""
    host = legacy_host(postfix_host)
    address = container_ip(host)
    pid = host.read("/var/spool/postfix/pid/master.pid").strip()
    sent, refused, stop = [], [], threading.Event()

    def sender():
        number = 0
        while not stop.is_set() or number < 20:
            number += 1
            try:
                with smtplib.SMTP(address, 25, timeout=10) as smtp:
                    smtp.sendmail("probe@example.net", ["alice@mx.example.test"],
                                  "Subject: reload-%d\n\nmessage %d\n" % (number, number))
                sent.append(number)
            except (OSError, smtplib.SMTPException) as exc:
                refused.append((number, repr(exc)))
            time.sleep(0.05)

    thread = threading.Thread(target=sender)
    thread.start()
    try:
        rc, out = run_playbook([host], PLAYBOOK, {"migrate_switch_mode": "reload"})
    finally:
        stop.set()
        thread.join(60)
    assert rc == 0, out[-6000:]
    assert "alias_maps = lmdb:/etc/aliases" in host.postconf("-n")
    assert refused == [], refused[:5]
    assert host.read("/var/spool/postfix/pid/master.pid").strip() == pid  # never stopped
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mailbox = host.run(["cat", "/var/mail/alice"], check=False).stdout
        got = {int(line.split("-", 1)[1]) for line in mailbox.splitlines() if line.startswith("Subject: reload-")}
        if got >= set(sent):
            break
        time.sleep(1)
    assert set(sent) <= got, sorted(set(sent) - got)[:10]
    assert len(sent) >= 20


def test_migrate_dry_run_without_check_mode_is_refused_before_anything_changes(postfix_host):
    """migrate_dry_run: true in a play that does not run in check mode would skip verification and rollback while
    its tasks change the host: the preflight refuses it (issue 15 §6)."""
    host = legacy_host(postfix_host)
    main_before = host.read("/etc/postfix/main.cf")

    rc, out = run_playbook([host], PLAYBOOK, {"migrate_dry_run": True})

    assert rc != 0 and "A dry run was asked for, but the role's tasks do not run in check mode" in out, out[-3000:]
    assert host.read("/etc/postfix/main.cf") == main_before and not host.exists("/etc/postfix/tables/virtual.lmdb")
    assert not host.exists("/run/mailops-nbdb.lock")


def test_an_excluded_table_is_kept_serving_and_a_redirecting_level_is_refused(postfix_host):
    """migrate_exclude, decided once (issue 15 §4): at enable-redirect Postfix would open the excluded table as
    lmdb:, whose file is never built, so the host is refused before anything changes; at disable the table stays
    hash: and answers, everything else is migrated, and the record says what was kept."""
    host = legacy_host(postfix_host)
    main_before = host.read("/etc/postfix/main.cf")
    virtual = "hash:/etc/postfix/tables/virtual"

    rc, out = run_playbook([host], PLAYBOOK, {"migrate_exclude": [virtual]})
    assert rc != 0 and "is excluded, but at level enable-redirect Postfix redirects" in out, out[-3000:]
    assert host.read("/etc/postfix/main.cf") == main_before and not host.exists("/etc/postfix/tables/transport.lmdb")

    rc, out = run_playbook([host], PLAYBOOK, {"migrate_exclude": ["/etc/postfix/tables/virtual", "/etc/nope"],
                                              "migrate_level": "disable"})
    assert rc == 0, out[-4000:]
    assert "match no legacy reference, table or parameter" in out, out[-4000:]
    assert re.search(r"exclude_unmatched:\s+- /etc/nope\s", out), out[-4000:]
    main = host.postconf("-n")
    assert "virtual_alias_maps = %s" % virtual in main and "transport_maps = lmdb:" in main, main
    assert not host.exists("/etc/postfix/tables/virtual.lmdb")
    assert host.run(["postmap", "-q", "sales@example.org", virtual]).stdout.strip() == "alice, bob"
    assert re.search(r"tables_kept:\s+- %s\s" % re.escape(virtual), out), out[-4000:]
    assert host.postfix_running()


def test_a_held_lock_stops_a_second_migration_clearly(postfix_host):
    """Another run's lock: fail early with who holds it and change nothing; with a wait, go on once it is free."""
    host = legacy_host(postfix_host)
    host.run(["mkdir", "/run/mailops-nbdb.lock"])
    host.write("/run/mailops-nbdb.lock/holder.json", '{"token": "other-run", "since": %d}' % time.time())
    main_before = host.read("/etc/postfix/main.cf")

    rc, out = run_playbook([host], PLAYBOOK)
    assert rc != 0 and "another migration holds /run/mailops-nbdb.lock (run other-run" in out, out[-3000:]
    assert host.read("/etc/postfix/main.cf") == main_before and not host.exists("/etc/postfix/tables/virtual.lmdb")

    release = threading.Timer(8, lambda: host.run(["rm", "-rf", "/run/mailops-nbdb.lock"]))
    release.start()
    try:
        rc, out = run_playbook([host], PLAYBOOK, {"migrate_lock_wait": 60})
    finally:
        release.cancel()
    assert rc == 0, out[-4000:]
    assert "alias_maps = lmdb:/etc/aliases" in host.postconf("-n")
    assert not host.exists("/run/mailops-nbdb.lock")  # released at the end


def test_a_lock_left_by_a_killed_run_of_this_controller_is_taken_over(postfix_host):
    """A run killed before it released the lock: the next run from the same controller sees that the holder's
    ansible-playbook process is gone and takes over; a holder that is still alive keeps it."""
    host = legacy_host(postfix_host)
    controller = socket.gethostname()
    gone = subprocess.run(["sh", "-c", "echo $$"], stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    host.run(["mkdir", "/run/mailops-nbdb.lock"])
    live = '{"token": "live-run", "since": %d, "owner": "%s:%d"}' % (time.time(), controller, os.getpid())
    host.write("/run/mailops-nbdb.lock/holder.json", live)
    rc, out = run_playbook([host], PLAYBOOK)
    assert rc != 0 and "(run live-run of %s:%d" % (controller, os.getpid()) in out, out[-3000:]
    assert "alias_maps = hash:/etc/aliases" in host.postconf("-n")

    dead = '{"token": "killed-run", "since": %d, "owner": "%s:%s"}' % (time.time(), controller, gone)
    host.write("/run/mailops-nbdb.lock/holder.json", dead)
    rc, out = run_playbook([host], PLAYBOOK)
    assert rc == 0, out[-4000:]
    assert "alias_maps = lmdb:/etc/aliases" in host.postconf("-n")
    assert not host.exists("/run/mailops-nbdb.lock")
