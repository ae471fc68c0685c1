"""Issue 16 findings 1 and 3 as attacks on real Postfix: the owner of a table's directory races the collection.

Mailman's data directory is ``list:list 2775`` on Debian; ``list`` owns the tables in it. While the collection
builds and recovers an orphan's source (table_reindex), restores a backup (nbdb_backup state=restored) and writes
main.cf (db_types, config directory owned by list), a loop run as ``list`` inside the container (``podman exec
--user list``, started before the module, killed after) replaces every file it can reach whose name starts with
``.nbdb-`` (and every file inside such a directory) by a symlink to a root-only canary, atomically (symlink +
rename). security_check with ``fix: true`` meets a planted symlink.

The canary counts as exposed when its owner, mode or content changed. Against the code before the fix
(ANSIBLE_COLLECTIONS_PATH=/tmp/old with ``git archive --prefix=nbdb/ ad7b3c3`` unpacked under
/tmp/old/ansible_collections/mailops), with 3 rounds each: build 1 of 3, restore 1 of 3, recover 2 of 3, config
1 of 3 (main.cf itself became the attacker's symlink), fix 1 of 1 (the symlink was "0777", failed fail_on: high,
and its target was chmodded). Now nothing is exposed and the migration steps succeed. The path each takes
(_planning.acting): build, recovered source and restore run in a child that dropped to list (the postmap runs
on the private copy are recorded as list's, below); the config write is refused (a root-owned main.cf in a
directory list can change: neither root nor the file's owner can act safely), before main.cf is even read.

Each scenario runs ROUNDS times (NBDB_ATTACK_ROUNDS, default 1: more for measuring old code). One round is
enough for the proof here: the window of every step is attacked deterministically by
tests/unit/plugins/module_utils/test_descriptors.py (descriptors.step, a real second uid); this file shows the
same on real Postfix with a real racing user, in one container for all scenarios.
"""
import os
import subprocess
import time

import pytest

from tests.testbed.ansible import run_module
from tests.testbed.container import PostfixContainer

pytestmark = pytest.mark.integration

DATA = "/var/lib/mailman3/data"
CONFIG = "/etc/postfix-list"
ROUNDS = int(os.environ.get("NBDB_ATTACK_ROUNDS", "1"))  # per scenario; more for measuring the old code
UIDS = "/run/nbdb-postmap-uids"
# postmap as the test's probe: which uid ran each postmap/postalias, with its last argument
PROBE = """#!/bin/sh
for last; do :; done
echo "$(id -u) $last" >> %s/log
exec /usr/sbin/%s.real "$@"
"""
CANARY_TEXT = "root:$y$SECRET-HASH-OF-ROOT:19000:0:99999:7:::\n"

# The attacker, run as list. Python for speed: one os.rename per swap, no fork per file.
ATTACKER = r'''
import os, stat, sys
directory, canary, pidfile = sys.argv[1], sys.argv[2], sys.argv[3]
with open(pidfile, "w") as handle:
    handle.write("%d\n" % os.getpid())
os.chdir(directory)
def swap(path):
    temp = path + ".nbdb-swap"
    try:
        os.symlink(canary, temp)
        os.rename(temp, path)
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
while True:
    try:
        names = os.listdir(".")
    except OSError:
        continue
    for name in names:
        if not name.startswith(".nbdb-") or name.endswith(".nbdb-swap"):
            continue
        try:
            info = os.lstat(name)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            try:
                inner = os.listdir(name)
            except OSError:
                continue  # root's private directory: nothing to reach
            for entry in inner:
                path = name + "/" + entry
                try:
                    if not stat.S_ISLNK(os.lstat(path).st_mode):
                        swap(path)
                except OSError:
                    pass
        elif not stat.S_ISLNK(info.st_mode):
            swap(name)
'''


class Attacker:
    """The loop above as a user inside the container, from start() to stop()."""

    PIDFILE = "/tmp/nbdb-attacker.pid"

    def __init__(self, host, directory, canary, user="list"):
        self.argv = ["podman", "exec", "--user", user, host.name, "python3", "-c", ATTACKER, directory, canary,
                     self.PIDFILE]
        self.host, self.process, self.pid = host, None, None

    def __enter__(self):
        self.host.run(["rm", "-f", self.PIDFILE])
        self.process = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not self.pid:
            self.pid = self.host.run(["cat", self.PIDFILE], check=False).stdout.strip()
            assert self.pid or time.monotonic() < deadline, "the attacker did not start"
        return self

    def __exit__(self, *exc):
        self.host.run(["kill", self.pid], check=False)  # the attacker's own pid inside the container
        self.process.wait(timeout=30)


def plant_canary(host, name):
    path = "/etc/nbdb-canary-" + name
    host.run(["rm", "-f", path])
    host.write(path, CANARY_TEXT, "0600", "root:root")
    return path


def exposed(host, path):
    """Whether root was made to change the canary (owner, mode or content)."""
    state = host.run(["stat", "-c", "%U:%G %a", path], check=False).stdout.strip()
    text = host.run(["cat", path], check=False).stdout
    return state != "root:root 600" or text != CANARY_TEXT


def clean(host):
    """Remove what the attacker or an old run left in the data directory (symlinks, build directories)."""
    host.sh("cd %s && find . -maxdepth 1 -name '.nbdb-*' -exec rm -rf {} + ; find . -maxdepth 1 -type l -delete" % DATA)


@pytest.fixture(scope="module")
def host(request):
    machine = PostfixContainer("sid")
    machine.start()
    request.addfinalizer(machine.stop)
    lines = "".join("user%d@lists.example.com lmtp:[127.0.0.1]:8024\n" % i for i in range(20000))  # ~0.9 MB
    machine.sh("mkdir -p %s && chown list:list /var/lib/mailman3 %s && chmod 2775 %s" % (DATA, DATA, DATA))
    machine.write(DATA + "/postfix_lmtp", lines, "0660", "list:list")
    return machine


def outcome(results, exposures):
    return "canary exposed in %d of %d runs; module failed in %d (%s)" % (
        sum(exposures), len(exposures), sum(1 for r in results if r.failed),
        "; ".join(sorted({str(r.get("msg", ""))[:160] for r in results if r.failed})) or "-")


# --- finding 1: build, and recovery of an orphan's source -------------------------------------------------------
def probe_postmap(host):
    host.sh("mkdir -p {u} && chmod 1777 {u} && : > {u}/log && chmod 0666 {u}/log".format(u=UIDS))
    for tool in ("postmap", "postalias"):
        host.sh("test -e /usr/sbin/{t}.real || mv /usr/sbin/{t} /usr/sbin/{t}.real".format(t=tool))
        host.write("/usr/sbin/" + tool, PROBE % (UIDS, tool), "0755")


def unprobe_postmap(host):
    for tool in ("postmap", "postalias"):
        host.sh("test ! -e /usr/sbin/{t}.real || mv -f /usr/sbin/{t}.real /usr/sbin/{t}".format(t=tool))


def test_build_and_recover_in_the_owners_directory(host):
    lines = "".join("list%d@lists.example.com list%d@localhost\n" % (i, i) for i in range(20000))
    tables = ["hash:%s/postfix_lmtp" % DATA, "hash:%s/postfix_vmap" % DATA]
    list_uid = host.run(["id", "-u", "list"]).stdout.strip()
    results, exposures = [], []
    probe_postmap(host)
    try:
        for dummy in range(ROUNDS):
            host.write(DATA + "/postfix_vmap", lines, "0660", "list:list")
            host.run(["postmap", "hash:%s/postfix_vmap" % DATA])  # runs as list (the source's owner)
            host.run(["rm", "-f", DATA + "/postfix_vmap", DATA + "/postfix_vmap.lmdb"])
            host.sh(": > %s/log" % UIDS)
            canary = plant_canary(host, "build")
            with Attacker(host, DATA, canary):
                results.append(run_module(host, "mailops.nbdb.table_reindex",
                                          {"tables": tables, "target_type": "lmdb", "force": True}, timeout=180))
            exposures.append(exposed(host, canary))
            clean(host)
        runs = [line.split(" ", 1) for line in host.read(UIDS + "/log").splitlines()]
    finally:
        unprobe_postmap(host)
    summary = outcome(results, exposures)
    print("build and recover:", summary)
    assert not any(exposures) and not any(r.failed for r in results), summary
    assert [(t["role"], t["action"]) for t in results[-1]["tables"]] == [("map", "build"), ("orphan", "build")]
    # the builds and lookups of the private copies ran as list: root did not write in list's directory
    private = [uid for uid, spec in runs if "/proc/self/fd/" in spec]
    assert len(private) >= 4 and set(private) == {list_uid}, runs
    for name, mode, key, value in (("postfix_lmtp.lmdb", "0640", "user17@lists.example.com", "lmtp:[127.0.0.1]:8024"),
                                   ("postfix_vmap", "0600", None, None),
                                   ("postfix_vmap.lmdb", "0600", "list9@lists.example.com", "list9@localhost")):
        info = host.stat(DATA + "/" + name)
        assert (info["owner"], info["group"], info["mode"]) == ("list", "list", mode), (name, info)  # postmap's rule
        if key:
            table = "lmdb:%s/%s" % (DATA, name[:-len(".lmdb")])
            assert host.run(["postmap", "-q", key, table]).stdout == value + "\n"


# --- finding 1: restore of a backup ------------------------------------------------------------------------------
def test_restore_into_the_owners_directory(host):
    big = "".join("domain%d.example.com domain%d.example.com\n" % (i, i) for i in range(200000))  # ~8 MB
    host.write(DATA + "/postfix_domains", big, "0660", "list:list")
    host.run(["postconf", "-e", "relay_domains=hash:%s/postfix_domains" % DATA])
    made = run_module(host, "mailops.nbdb.nbdb_backup", {"root": "/var/backups/nbdb-attack"})
    assert not made.failed, made
    results, exposures = [], []
    for dummy in range(ROUNDS):
        host.run(["sh", "-c", "echo late.example.com late.example.com >> %s/postfix_domains" % DATA], user="list")
        canary = plant_canary(host, "restore")
        with Attacker(host, DATA, canary):
            results.append(run_module(host, "mailops.nbdb.nbdb_backup",
                                      {"state": "restored", "path": made["path"]}, timeout=180))
        exposures.append(exposed(host, canary))
        clean(host)
    summary = outcome(results, exposures)
    print("restore:", summary)
    assert not any(exposures) and not any(r.failed for r in results), summary
    info = host.stat(DATA + "/postfix_domains")
    assert (info["owner"], info["group"], info["mode"], info["size"]) == ("list", "list", "0660", len(big))


# --- finding 1: main.cf in a configuration directory list can write ---------------------------------------------
def test_config_write_in_a_directory_the_user_can_write_is_refused(host):
    host.sh("rm -rf {c} && cp -a /etc/postfix {c} && chown list:list {c} && chmod 0775 {c} && "
            "printf 'a@example.com b\\n' > {c}/virtual && postconf -c {c} -e virtual_alias_maps=hash:{c}/virtual"
            .format(c=CONFIG))
    before = host.read(CONFIG + "/main.cf")
    results, exposures = [], []
    for dummy in range(ROUNDS):
        canary = plant_canary(host, "config")
        with Attacker(host, CONFIG, canary):
            results.append(run_module(host, "mailops.nbdb.db_types", {"config_dir": CONFIG}, timeout=180))
        exposures.append(exposed(host, canary))
        host.sh("cd %s && find . -maxdepth 1 -name '.nbdb-*' -exec rm -rf {} + ; find . -maxdepth 1 -type l -delete"
                % CONFIG)
        host.write(CONFIG + "/main.cf", before, "0644", "root:root")
    summary = outcome(results, exposures)
    print("config:", summary)
    assert not any(exposures), summary
    assert all(r.failed and "refusing to act as root or as the file's owner root" in r["msg"] and CONFIG in r["msg"]
               and "user list" in r["msg"] for r in results), summary


# --- finding 3: security_check fix with a planted symlink ------------------------------------------------------------
def test_security_fix_with_a_planted_symlink(host):
    canary = plant_canary(host, "fix")
    link, plain = DATA + "/relay_passwd", DATA + "/relay_passwd2"
    host.run(["ln", "-sfn", canary, link], user="list")
    host.write(plain, "[relay.example.net]:587 user:pass\n", "0644", "list:list")
    args = {"sensitive_tables": [link, plain], "fail_on": "high", "fix": True}
    result = run_module(host, "mailops.nbdb.security_check", args)
    touched = exposed(host, canary)
    about_link = [f for f in result.get("findings", []) if f["file"] == link]
    summary = "canary changed: %s; failed: %s (%s); findings on the symlink: %s" % (
        touched, result.failed, result.get("msg", "")[:200], [(f["id"], f["evidence"]) for f in about_link])
    print("fix:", summary)
    assert not touched, summary
    assert [f["id"] for f in about_link] == ["sensitive.symlink"], summary
    assert not any("0777" in f["evidence"] for f in about_link), summary
    assert not result.failed, summary  # the symlink is medium; the plain file's high finding was fixed in this run
    assert sorted((c["file"], c["action"], c["after"]) for c in result["changes"]) == [
        (plain, "chmod", "0600"), (plain, "chown", "uid 0")], result["changes"]
    info = host.stat(plain)
    assert (info["owner"], info["mode"]) == ("root", "0600")
    assert host.run(["test", "-L", link]).returncode == 0
    host.run(["rm", "-f", link, plain])
