"""Faults injected during a real migration (issue 11): the promises hold on real Postfix 3.11.

No mail lost, no table entry lost, the old configuration keeps working, every error is clear.
Each test lays down the demo's legacy host, breaks something on purpose while the migrate role
runs, and checks the promises with Postfix's own tools. Counts go to faultlog (printed at the end).
"""
import os
import pathlib
import re
import signal
import smtplib
import subprocess
import threading
import time

import pytest

from tests.integration import faultlog
from tests.integration.conftest import lay_down_demo_legacy
from tests.testbed.ansible import PLAIN_CONNECTION, run_playbook

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "migrate.yml"
TABLES = "/etc/postfix/tables"
LOG = "/var/log/postfix.log"
FAULT_DIR = "/run/nbdb-fault"  # the wrappers below say here which process blocks
ALIAS_TABLES = ("/etc/aliases",)
LATE_KEY, LATE_VALUE = "late@example.org", "alice"  # an edit made while the migration runs
LEGACY_REFERENCE = re.compile(r"(?<![\w])(hash|btree):")  # not texthash:
LOCK = "/run/mailops-nbdb.lock"
LOCK_REFUSED = "another migration holds " + LOCK


# --- the legacy host and its tables ------------------------------------------------------------
def legacy_host(postfix_host, run_args=()):
    """The demo's legacy 3.11 host (hash:/btree: everywhere), Postfix running, logging to LOG."""
    return lay_down_demo_legacy(postfix_host("sid", run_args=run_args), ["maillog_file=" + LOG])


def legacy_tables(host):
    """[(tool, path)] of every legacy .db the host has (postalias for the aliases)."""
    out = host.run(["find", "/etc", "-name", "*.db", "-type", "f"]).stdout.split()
    return sorted(("postalias" if path[:-3] in ALIAS_TABLES else "postmap", path[:-3]) for path in out)


def answers(host, tool, spec, keys):
    """{key: value} of ``tool -q - spec`` (keys without an answer are absent)."""
    proc = host.run([tool, "-q", "-", spec], input="".join(key + "\n" for key in keys).encode(), check=False)
    assert proc.returncode in (0, 1), (spec, proc.returncode, proc.stderr)
    found = {}
    for line in proc.stdout.splitlines():
        key, dummy, value = line.partition("\t")
        found[key[:-1] if tool == "postalias" and key.endswith(":") else key] = value
    return found


def record_lookups(host):
    """Every key of every legacy table and its answer through the legacy type: {(tool, path): {key: value}}."""
    recorded = {}
    for tool, path in legacy_tables(host):
        keys = [line.partition("\t")[0] for line in host.run([tool, "-s", "hash:" + path]).stdout.splitlines()]
        keys = [key[:-1] if tool == "postalias" and key.endswith(":") else key for key in keys]
        recorded[(tool, path)] = answers(host, tool, "hash:" + path, [k for k in keys if k != "YP_LAST_MODIFIED"])
        assert recorded[(tool, path)], (path, "a legacy table without entries proves nothing")
    return recorded


def lost_lookups(host, recorded, new_type):
    """Entries that no longer answer the same through new_type; counted in faultlog."""
    lost = {}
    for (tool, path), before in recorded.items():
        after = answers(host, tool, "%s:%s" % (new_type, path), sorted(before))
        lost.update({"%s %s" % (path, key): (value, after.get(key)) for key, value in before.items()
                     if after.get(key) != value})
    faultlog.entries(sum(len(before) for before in recorded.values()), len(lost))
    return lost


def assert_migrated(host, recorded):
    """The promise after a recovery: switched, every legacy lookup intact, Postfix serving."""
    main = host.postconf("-n")
    assert "alias_maps = lmdb:/etc/aliases" in main and not LEGACY_REFERENCE.search(main), main
    assert lost_lookups(host, recorded, "lmdb") == {}
    assert host.postfix_running()
    assert_serves(host, "migrated")


def assert_legacy_serves(host, recorded, main_before):
    """The promise after a failure: the old configuration and every old lookup, Postfix serving."""
    assert host.read("/etc/postfix/main.cf") == main_before
    assert lost_lookups(host, recorded, "hash") == {}
    assert host.postfix_running()
    assert_serves(host, "legacy")


def assert_serves(host, tag, timeout=60):
    """A message through the virtual table reaches alice's mailbox."""
    text = "serves-%s-%d" % (tag, time.time() * 1000)
    host.run(["sendmail", "info@example.org"], input=("Subject: %s\n\n%s\n" % (text, text)).encode())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in host.run(["cat", "/var/mail/alice"], check=False).stdout:
            return
        time.sleep(0.5)
    raise AssertionError("%s not delivered: %s" % (text, host.run(["postqueue", "-p"]).stdout))


def build_dirs(host):
    return host.run(["find", "/etc", "-name", ".nbdb-build-*"]).stdout.split()


# --- wrappers that stop a Postfix command at a chosen point --------------------------------------
# Each wrapper calls the real binary (moved to NAME.real); at its point it writes its PID and its
# sleep's PID to FAULT_DIR/blocked and waits there until the test kills it with the module run.
BLOCK = 'mkdir -p %s; sleep 3600 & echo "$$ $!" > %s/blocked.tmp; mv %s/blocked.tmp %s/blocked; wait; exit 1' % (
    FAULT_DIR, FAULT_DIR, FAULT_DIR, FAULT_DIR)
CALLER = 'caller=$(tr "\\0" " " < /proc/$PPID/cmdline)'
WRAPPERS = {
    # during the prebuild: the first table build of table_reindex
    "prebuild": ("postmap", """
case "$CALLER" in *AnsiballZ_table_reindex*) case " $* " in *" -q "*) ;; *.nbdb-build-*) %(block)s;; esac;; esac
"""),
    # during the rebuild in nbdb_switch: virtual is edited (source and .db, as an administrator does) right after
    # its prebuild, so the switch rebuilds it
    "rebuild": ("postmap", """
case "$CALLER" in
  *AnsiballZ_table_reindex*) case " $* " in *" -q "*) ;; *.nbdb-build-*/virtual" ")
    /usr/sbin/postmap.real "$@" || exit
    printf '%(late_key)s %(late_value)s\\n' >> %(tables)s/virtual
    /usr/sbin/postmap.real hash:%(tables)s/virtual; exit 0;; esac;;
  *AnsiballZ_nbdb_switch*) case " $* " in *" -q "*) ;; *.nbdb-build-*) %(block)s;; esac;;
esac
"""),
    # right after nbdb_switch stopped Postfix
    "after stop": ("postfix", """
case "$CALLER $1" in *AnsiballZ_nbdb_switch*stop) /usr/sbin/postfix.real "$@"; %(block)s;; esac
"""),
    # with the new main.cf in place, before nbdb_switch starts Postfix
    "before start": ("postfix", """
case "$CALLER $1" in *AnsiballZ_nbdb_switch*start) %(block)s;; esac
"""),
}


def install_wrapper(host, phase):
    binary, body = WRAPPERS[phase]
    body = body.replace("$CALLER", "$caller") % {
        "block": BLOCK, "late_key": LATE_KEY, "late_value": LATE_VALUE, "tables": TABLES}
    host.run(["mv", "/usr/sbin/" + binary, "/usr/sbin/%s.real" % binary])
    host.write("/usr/sbin/" + binary, "#!/bin/sh\n%s\n%s\nexec /usr/sbin/%s.real \"$@\"\n" % (CALLER, body, binary),
               mode="0755")
    return binary


def remove_wrapper(host, binary):
    host.run(["mv", "/usr/sbin/%s.real" % binary, "/usr/sbin/" + binary])


def start_playbook(host, extra_vars=None):
    """ansible-playbook in its own process group (so that SIGKILL reaches everything it started)."""
    argv = ["ansible-playbook", "-i", host.name + ",", "-c", "containers.podman.podman", str(PLAYBOOK)]
    for name, value in (extra_vars or {}).items():
        argv += ["-e", "%s=%s" % (name, value)]
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER="auto_silent")
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def wait_blocked(host, play, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.exists(FAULT_DIR + "/blocked"):
            return
        if play.poll() is not None:
            raise AssertionError("the play ended before the fault point:\n" + play.stdout.read().decode()[-4000:])
        time.sleep(0.3)
    raise AssertionError("the fault point was not reached in %d s" % timeout)


# Run inside the container from stdin (so that its own command line matches nothing): SIGKILL the module
# run (the python of AnsiballZ and its shell) and the blocked wrapper with its sleep.
KILL_MODULE = """
for dir in /proc/[0-9]*; do
    case "$(tr '\\0' ' ' < $dir/cmdline 2>/dev/null)" in *AnsiballZ_*) kill -9 "${dir#/proc/}";; esac
done
kill -9 $(cat %s/blocked)
rm -rf %s
""" % (FAULT_DIR, FAULT_DIR)


LIST_MODULE = """
for dir in /proc/[0-9]*; do
    case "$(tr '\\0' ' ' < $dir/cmdline 2>/dev/null)" in *AnsiballZ_*) echo "${dir#/proc/}";; esac
done
"""


def kill_everything(host, play):
    """SIGKILL the controller (its whole process group) and the module run on the host."""
    os.killpg(play.pid, signal.SIGKILL)
    play.wait()
    host.run(["sh", "-s"], input=KILL_MODULE.encode())
    assert host.run(["sh", "-s"], input=LIST_MODULE.encode()).stdout.split() == []


# --- 1: Postfix does not start on the new configuration ------------------------------------------
# "A table the new configuration needs cannot be opened": postfix start refuses once main.cf says lmdb.
BROKEN_START = """#!/bin/sh
if [ "$1" = start ] && grep -q '^alias_maps = lmdb:' /etc/postfix/main.cf; then
    echo "postfix/postfix-script: fatal: cannot open lmdb:/etc/aliases (simulated)" >&2
    exit 1
fi
exec /usr/sbin/postfix.real "$@"
"""


def test_failed_start_rolls_back_with_every_lookup_intact(postfix_host):
    host = legacy_host(postfix_host)
    recorded = record_lookups(host)
    main_before, master_before = host.read("/etc/postfix/main.cf"), host.read("/etc/postfix/master.cf")
    tables_before = host.run(["sh", "-c", "cd %s && ls -A && cat *" % TABLES]).stdout
    host.run(["mv", "/usr/sbin/postfix", "/usr/sbin/postfix.real"])
    host.write("/usr/sbin/postfix", BROKEN_START, mode="0755")
    name = faultlog.fault("postfix start fails after the switch")

    rc, out = run_playbook([host], PLAYBOOK, connection=PLAIN_CONNECTION)

    assert rc != 0, out[-4000:]
    assert "failed=1" in out and "rolled back to the backup /var/backups/mailops-nbdb/nbdb-" in out, out[-4000:]
    assert "cannot open lmdb:/etc/aliases (simulated)" in out, out[-4000:]
    assert "Traceback" not in out, out[-4000:]
    assert host.read("/etc/postfix/master.cf") == master_before
    assert host.run(["sh", "-c", "cd %s && ls -A && cat *" % TABLES]).stdout == tables_before  # no .lmdb left
    assert build_dirs(host) == []
    assert_legacy_serves(host, recorded, main_before)
    faultlog.recovered(name, "rolled back, old configuration serves")


# --- 2: the play is SIGKILLed at each phase ------------------------------------------------------
@pytest.mark.parametrize("phase", ["prebuild", "rebuild", "after stop", "before start"])
def test_sigkill_then_rerun_recovers(postfix_host, phase):
    """Kill ansible-playbook and the module at the phase; running the role again (nothing done by hand: the
    dead run's lock is taken over, a Postfix it stopped is started) migrates the host with every lookup intact."""
    host = legacy_host(postfix_host)
    recorded = record_lookups(host)
    binary = install_wrapper(host, phase)
    name = faultlog.fault("SIGKILL of the play " + phase)
    play = start_playbook(host)
    try:
        wait_blocked(host, play)
    finally:
        kill_everything(host, play)
    remove_wrapper(host, binary)
    assert host.postfix_running() == (phase in ("prebuild", "rebuild")), phase

    rc, out = run_playbook([host], PLAYBOOK, connection=PLAIN_CONNECTION)
    assert rc == 0 and "Traceback" not in out, out[-4000:]
    assert_migrated(host, recorded)
    if phase == "rebuild":  # the edit made during the migration is in the new table
        assert answers(host, "postmap", "lmdb:%s/virtual" % TABLES, [LATE_KEY]) == {LATE_KEY: LATE_VALUE}
    assert build_dirs(host) == [], "the killed run's private build directories are still there"
    assert not host.exists(LOCK), "the dead run's lock is still held after the re-run"
    faultlog.recovered(name, "recovered by the re-run alone")


# --- 3: the disk fills up during the rebuild -----------------------------------------------------
FILL_DISK = ("postmap", """
case "$CALLER" in *AnsiballZ_table_reindex*) case " $* " in *" -q "*) ;; *" lmdb:%(tables)s/.nbdb-build-"*)
    [ -e %(tables)s/.filler ] || dd if=/dev/zero of=%(tables)s/.filler bs=4k 2>/dev/null;; esac;; esac
""")


def test_disk_full_during_rebuild_fails_clearly_and_old_tables_serve(postfix_host):
    """The table directory is a 2 MiB tmpfs (mode 0755: a tmpfs is 1777 by default, which the collection refuses);
    another process fills it while the prebuild runs postmap."""
    host = legacy_host(postfix_host, run_args=["--mount", "type=tmpfs,destination=%s,tmpfs-size=2m,tmpfs-mode=0755" % TABLES])
    recorded = record_lookups(host)
    main_before = host.read("/etc/postfix/main.cf")
    WRAPPERS["disk full"] = FILL_DISK
    binary = install_wrapper(host, "disk full")
    name = faultlog.fault("disk full during the rebuild")

    rc, out = run_playbook([host], PLAYBOOK, connection=PLAIN_CONNECTION)

    remove_wrapper(host, binary)
    assert host.exists(TABLES + "/.filler")  # the fault happened
    assert rc != 0, out[-4000:]
    assert "Traceback" not in out, out[-4000:]
    failure = [line for line in out.splitlines() if "lmdb:%s/" % TABLES in line and (
        "No space left on device" in line or "the old table was left in place" in line)]
    assert failure, out[-4000:]
    assert host.run(["find", TABLES, "-name", "*.lmdb", "-o", "-name", ".nbdb-build-*"]).stdout == ""
    assert not host.exists(LOCK)
    assert_legacy_serves(host, recorded, main_before)

    host.run(["rm", TABLES + "/.filler"])  # the operator frees the space and runs again
    rc, out = run_playbook([host], PLAYBOOK, connection=PLAIN_CONNECTION)
    assert rc == 0, out[-4000:]
    assert_migrated(host, recorded)
    faultlog.recovered(name, "clear error, old tables served; migrated once space was freed")


# --- 4: two migrations at once ---------------------------------------------------------------
def test_two_migrations_at_once_do_not_interleave(postfix_host):
    """Two ansible-playbook runs started together: one migrates, the other fails clearly (lock) or finds
    nothing to do; Postfix is stopped and started exactly once."""
    host = legacy_host(postfix_host)
    recorded = record_lookups(host)
    name = faultlog.fault("two migrations at once")
    plays = [start_playbook(host) for dummy in range(2)]
    outputs = [play.communicate(timeout=1200)[0].decode("utf-8", "replace") for play in plays]
    codes = [play.returncode for play in plays]

    assert not any("Traceback" in out for out in outputs), outputs
    assert 0 in codes, outputs[0][-3000:] + outputs[1][-3000:]
    other = outputs[codes.index(0) - 1]
    second_failed = codes != [0, 0]
    if second_failed:
        assert LOCK_REFUSED in other, other[-4000:]
    log = host.read(LOG)
    assert log.count("stopping the Postfix mail system") == 1, log
    assert len(host.run(["ls", "/var/backups/mailops-nbdb"]).stdout.split()) == 1
    assert_migrated(host, recorded)
    assert not host.exists(LOCK)
    faultlog.recovered(name, "one migrated, the other %s" % (
        "failed clearly (lock held)" if second_failed else "found nothing to do"))


# --- 5: mail keeps flowing during the whole migration ----------------------------------------
RECIPIENTS = ("alice@mx.example.test", "info@example.org", "root@mx.example.test")  # direct, virtual, alias


class Sender(threading.Thread):
    """An SMTP client that sends numbered messages until stopped (and at least `least`), retrying what the
    server does not accept (connection refused or 4xx), as a real MTA would."""

    def __init__(self, address, least):
        threading.Thread.__init__(self)
        self.address, self.least = address, least
        self.accepted, self.retries, self.rejected = {}, 0, []
        self.stop = threading.Event()

    def run(self):
        number = 0
        while not self.stop.is_set() or number < self.least:
            number += 1
            recipient = RECIPIENTS[number % len(RECIPIENTS)]
            while True:
                try:
                    with smtplib.SMTP(self.address, 25, timeout=30) as smtp:
                        smtp.sendmail("probe@example.net", [recipient],
                                      "Subject: flow-%d\n\nmessage %d to %s\n" % (number, number, recipient))
                    self.accepted[number] = time.time()
                    break
                except smtplib.SMTPResponseException as exc:
                    if exc.smtp_code >= 500:
                        self.rejected.append((number, exc.smtp_code, exc.smtp_error))
                        break
                except (OSError, smtplib.SMTPException):
                    pass
                self.retries += 1
                time.sleep(0.2)
            time.sleep(0.1)


def container_ip(host):
    return subprocess.run(["podman", "inspect", "-f", "{{.NetworkSettings.IPAddress}}", host.name],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()


def mail_counts(host, numbers, timeout=120):
    """(delivered, deferred, bounced) of the numbered messages once the queue holds none of them actively."""
    deadline = time.monotonic() + timeout
    while True:
        mailbox = host.run(["cat", "/var/mail/alice"], check=False).stdout
        delivered = {int(line[len("Subject: flow-"):]) for line in mailbox.splitlines()
                     if line.startswith("Subject: flow-")}
        queued = set()
        for queue_id in host.run(["sh", "-c", "postqueue -j | sed -n 's/.*\"queue_id\": *\"\\([^\"]*\\)\".*/\\1/p'"]
                                 ).stdout.split():
            headers = host.run(["postcat", "-hq", queue_id], check=False).stdout
            queued |= {int(line[len("Subject: flow-"):]) for line in headers.splitlines()
                       if line.startswith("Subject: flow-")}
        if set(numbers) <= delivered | queued and not queued or time.monotonic() > deadline:
            break
        time.sleep(2)
    bounced = host.run(["grep", "-c", "status=bounced", LOG], check=False).stdout.strip()
    return delivered & set(numbers), queued - delivered, int(bounced or 0)


def test_mail_keeps_flowing_during_the_migration(postfix_host):
    """SMTP traffic (at least 500 messages) during the whole role run in restart mode; none lost or bounced."""
    host = legacy_host(postfix_host)
    recorded = record_lookups(host)
    sender = Sender(container_ip(host), 500)
    name = faultlog.fault("SMTP traffic during the migration")
    sender.start()
    time.sleep(2)
    started = time.time()
    try:
        rc, out = run_playbook([host], PLAYBOOK, connection=PLAIN_CONNECTION)
    finally:
        ended = time.time()
        time.sleep(3)  # traffic goes on after the run
        sender.stop.set()
        sender.join(600)
    assert rc == 0, out[-4000:]
    assert_migrated(host, recorded)
    times = sorted(sender.accepted.values())
    assert times[0] < started and times[-1] > ended  # traffic covered the whole run

    delivered, deferred, bounced = mail_counts(host, list(sender.accepted))
    sent = len(sender.accepted)
    faultlog.mail(sent, len(delivered), len(deferred), bounced)
    print("messages sent %d (retries %d), delivered %d, deferred %d, bounced %d, rejected %d" % (
        sent, sender.retries, len(delivered), len(deferred), bounced, len(sender.rejected)))
    assert sender.rejected == [], sender.rejected[:5]
    assert bounced == 0, host.run(["grep", "status=bounced", LOG]).stdout
    assert sent >= 500
    assert sent - len(delivered) - len(deferred) == 0, sorted(set(sender.accepted) - delivered - deferred)[:20]
    faultlog.recovered(name, "%d sent, %d delivered, %d deferred, %d bounced, 0 lost" % (
        sent, len(delivered), len(deferred), bounced))
