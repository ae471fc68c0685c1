"""Issue 16 finding 1: root never acts by path where another user can write (real file system, as root).

A directory owned by an unprivileged uid (OWNER, like Mailman's list:list data directory) holds the table; between
the steps of a change (descriptors.step) that user plants symlinks to a root-only canary wherever they can: in
their directory and inside every private directory they find. The canary must stay root's and unread, and the
change must still be made. The attacker's commands run as that uid (subprocess user=), so the kernel's permission
checks apply to them as they would to the real user.
"""
import errno
import json
import os
import shutil
import stat
import subprocess
import tempfile

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._execution import (
    backup, build, config_write, descriptors, recover, security_fix)
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import security

OWNER = 4242  # the table's owner (list)
OTHER = 4343  # a user who does not own the table
CANARY_TEXT = b"root:SECRET-HASH:19000:0:99999:7:::\n"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (chown, a second uid)")


@pytest.fixture
def world():
    """A root-owned 0755 base under /tmp that OWNER can reach, with a root-only canary; removed afterwards."""
    base = tempfile.mkdtemp(prefix="nbdb-desc-", dir="/tmp")
    os.chmod(base, 0o755)
    canary = os.path.join(base, "canary")
    with open(canary, "wb") as handle:
        handle.write(CANARY_TEXT)
    os.chmod(canary, 0o600)
    yield base
    shutil.rmtree(base)


def canary_intact(base):
    info = os.lstat(os.path.join(base, "canary"))
    with open(os.path.join(base, "canary"), "rb") as handle:
        text = handle.read()
    return (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode), text) == (0, 0, 0o600, CANARY_TEXT)


def user_dir(base, uid=OWNER, mode=0o2775):
    path = os.path.join(base, "data")
    os.mkdir(path)
    os.chown(path, uid, uid)
    os.chmod(path, mode)
    return path


def owned_file(path, data, uid=OWNER, mode=0o640):
    with open(path, "wb") as handle:
        handle.write(data)
    os.chown(path, uid, uid)
    os.chmod(path, mode)


def as_user(script, *args, uid=OWNER):
    """The script as uid (already so inside a child that dropped to it)."""
    drop = {} if os.geteuid() == uid else {"user": uid, "group": uid, "extra_groups": []}
    return subprocess.run(["sh", "-c", script, "sh"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=False, **drop)


SWAP = r'''
dir=$1; canary=$2
for f in "$dir"/* "$dir"/.nbdb-*/* "$dir"/.nbdb-*; do
  [ -e "$f" ] || [ -L "$f" ] || continue
  case $f in */canary) continue;; esac
  rm -f "$f" 2>/dev/null && ln -s "$canary" "$f" 2>/dev/null
done
for d in "$dir"/.nbdb-*; do [ -d "$d" ] && ln -s "$canary" "$d/planted" 2>/dev/null; done
exit 0
'''


class Steps(list):
    """The steps of a change with the euid that took each (read back from a file: a child that dropped to the
    owner takes them in another process)."""

    def __init__(self, base):
        super().__init__()
        self.log = os.path.join(base, "steps.log")
        open(self.log, "w").close()
        os.chmod(self.log, 0o666)  # the owner's child appends too

    def note(self, name):
        with open(self.log, "a") as handle:
            handle.write("%d %s\n" % (os.geteuid(), name))

    def read(self):
        with open(self.log) as handle:
            self[:] = [line.rstrip("\n") for line in handle]
        return self

    def names(self):
        return [line.split(" ", 1)[1] for line in self.read()]

    def euids(self, *kinds):
        """Who took the steps of these kinds (create, rename, ...)."""
        return {int(line.split(" ")[0]) for line in self.read() if line.split(" ")[1] in kinds}


def attack_every_step(monkeypatch, directory, base, only=None):
    """At every step of a change, OWNER swaps every name it can reach for a symlink to the canary."""
    seen = Steps(base)

    def hook(name):
        seen.note(name)
        if only is None or name.startswith(only):
            as_user(SWAP, directory, os.path.join(base, "canary"))
    monkeypatch.setattr(descriptors, "step", hook)
    return seen


class FakePostmap:
    """postmap/postalias in process: writes <path>.lmdb from the source at the path it is given; answers -q.
    calls: (name, args, pass_fds, euid) of each, kept in a file (the owner's child runs it in another process)."""

    def __init__(self):
        handle, self.log = tempfile.mkstemp(prefix="nbdb-calls-", dir="/tmp")
        os.close(handle)
        os.chmod(self.log, 0o666)

    @property
    def calls(self):
        with open(self.log) as handle:
            return [tuple(call) for call in map(json.loads, handle)]

    def run(self, name, args, config_dir=None, check=True, data=None, what=None, binary=False, pass_fds=()):
        with open(self.log, "a") as handle:
            handle.write(json.dumps([name, list(args), list(pass_fds), os.geteuid()]) + "\n")
        spec = args[-1]
        path = spec.split(":", 1)[1]
        if "-q" in args:
            entries = dict(line.split(None, 1) for line in open(path + ".lmdb").read().splitlines())
            out = b"".join(b"%s\t%s\n" % (key, entries[key.decode()].encode())
                           for key in data.split(b"\n") if key and key.decode() in entries)
            return 0, out, b""
        with open(path, "rb") as handle:
            text = handle.read()
        with open(path + ".lmdb", "wb") as handle:
            handle.write(text)
        os.chmod(path + ".lmdb", stat.S_IMODE(os.stat(path).st_mode) & 0o644)
        return 0, "", ""


# --- Directory --------------------------------------------------------------------------------------------------
def test_directory_records_who_can_write(world):
    data = user_dir(world)
    with descriptors.Directory(data) as directory:
        assert directory.foreign_writers(OWNER, OWNER) == []
        assert [w for w, p in directory.foreign_writers(0, 0)] == [("group", OWNER), ("user", OWNER)]
        with pytest.raises(descriptors.UnsafePathError, match="refusing to act as root"):
            directory.require_safe_for(OTHER, OTHER, "building x")
    with descriptors.Directory(world) as directory:
        assert directory.writers == {}  # /tmp is sticky: others cannot move our entries


def test_directory_never_opens_a_symlinked_component(world, monkeypatch):
    real = user_dir(world)
    os.symlink(real, os.path.join(world, "link"))
    monkeypatch.setattr(descriptors.os.path, "realpath", lambda path: path)  # as if swapped after resolving
    with pytest.raises(descriptors.UnsafePathError, match="not a directory"):
        descriptors.Directory(os.path.join(world, "link"))


def test_open_regular_refuses_a_symlink_and_a_swapped_file(world):
    data = user_dir(world)
    owned_file(os.path.join(data, "t"), b"a b\n")
    os.symlink(os.path.join(world, "canary"), os.path.join(data, "link"))
    with descriptors.Directory(data) as directory:
        with pytest.raises(descriptors.UnsafePathError, match="symlink"):
            directory.open_regular("link")
        judged = directory.lstat("t")
        os.rename(os.path.join(data, "t"), os.path.join(data, "old"))
        owned_file(os.path.join(data, "t"), b"other\n")
        with pytest.raises(descriptors.UnsafePathError, match="not the regular file"):
            directory.read("t", judged=judged)


def test_install_in_a_user_directory_under_attack(world, monkeypatch):
    data = user_dir(world)
    owned_file(os.path.join(data, "aliases"), b"old\n")
    attack_every_step(monkeypatch, data, world)
    with descriptors.Directory(data) as directory:
        directory.install("aliases", b"new\n", OWNER, OWNER, 0o640, times=(1000, 1000))
    info = os.lstat(os.path.join(data, "aliases"))
    assert stat.S_ISREG(info.st_mode) and (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OWNER, OWNER, 0o640)
    assert info.st_mtime == 1000 and open(os.path.join(data, "aliases"), "rb").read() == b"new\n"
    assert canary_intact(world)
    assert not [n for n in os.listdir(data) if n.startswith(".nbdb-") and os.path.isdir(os.path.join(data, n))]


# --- the owner's child (run_as) -----------------------------------------------------------------------------------
def test_run_as_drops_to_the_owner_and_returns_its_answer():
    answer = descriptors.run_as(OWNER, OTHER, lambda *a: [os.getuid(), os.geteuid(), os.getgid(), os.getgroups(),
                                                          list(a)], 1, "x")
    assert answer == [OWNER, OWNER, OTHER, [OTHER], [1, "x"]]  # no passwd entry: the file's group only
    with pytest.raises(descriptors.ActingError, match="Permission denied"):
        descriptors.run_as(OWNER, OWNER, os.open, "/etc/shadow", os.O_RDONLY)
    assert os.geteuid() == 0


def test_refusal_names_the_table_the_directory_and_the_user(world):
    data = user_dir(world, uid=OTHER)
    table = os.path.join(data, "postfix_lmtp")
    owned_file(table, b"a b\n")
    with pytest.raises(build.BuildError) as caught:
        build.build(FakePostmap(), None, table, "postmap", "lmdb", {b"a": b"b"})
    text = str(caught.value)
    assert table in text and "in %s:" % data in text and "uid %d" % OTHER in text and "uid %d" % OWNER in text, text
    assert not [n for n in os.listdir(data) if n != "postfix_lmtp"]  # nothing made there


def test_mailman2_layout_owner_child_for_list_files_root_for_root_list_ones(world, monkeypatch):
    """/var/lib/mailman/data is root:list 2775: list's tables are restored by list's child, root:list ones by root
    (root-only private directory), root:root ones refused."""
    data = os.path.join(world, "data")
    os.mkdir(data)
    os.chown(data, 0, OWNER)
    os.chmod(data, 0o2775)
    table = os.path.join(data, "aliases")
    owned_file(table, b"before\n", mode=0o664)
    folder = backup.create(os.path.join(world, "backups"), [table], keep=3)[0]
    owned_file(table, b"after\n", mode=0o664)
    seen = attack_every_step(monkeypatch, data, world)
    assert backup.restore(folder) == [table]
    assert open(table, "rb").read() == b"before\n" and seen.euids("create", "rename") == {OWNER}
    assert canary_intact(world)
    rooted = os.path.join(data, "root_table")  # bin/genaliases run by root: root:list 0664
    owned_file(rooted, b"before\n", uid=0, mode=0o664)
    os.chown(rooted, 0, OWNER)
    monkeypatch.setattr(descriptors, "step", lambda name: None)
    folder = backup.create(os.path.join(world, "backups2"), [rooted], keep=3)[0]
    owned_file(rooted, b"after\n", uid=0, mode=0o664)
    os.chown(rooted, 0, OWNER)
    seen = attack_every_step(monkeypatch, data, world)
    assert backup.restore(folder) == [rooted]  # root, in its root-only private directory, by descriptors
    info = os.lstat(rooted)
    assert stat.S_ISREG(info.st_mode) and (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, OWNER, 0o664)
    assert open(rooted, "rb").read() == b"before\n" and seen.euids("create", "rename") == {0}
    assert canary_intact(world)
    os.chown(rooted, 0, 0)  # root:root where group list can swap names: neither root nor an owner may act
    monkeypatch.setattr(descriptors, "step", lambda name: None)
    with pytest.raises(recover.RecoverError, match="refusing to act as root or as the file's owner root"):
        recover.write_source(rooted, b"x y\n", 0, 0)


# --- build ------------------------------------------------------------------------------------------------------
def test_build_in_the_owners_directory_survives_the_owner_racing_it(world, monkeypatch):
    data = user_dir(world)
    table = os.path.join(data, "postfix_lmtp")
    owned_file(table, b"list@example.com lmtp:[127.0.0.1]:8024\n")
    seen = attack_every_step(monkeypatch, data, world, only=("create", "rename"))
    postfix = FakePostmap()
    final = build.build(postfix, None, table, "postmap", "lmdb", {b"list@example.com": b"lmtp:[127.0.0.1]:8024"})
    assert final == table + ".lmdb" and any(s.startswith("create") for s in seen.names())
    # the owner's child created and renamed everything; root only made its root-only private directory
    assert seen.euids("create", "rename") == {OWNER} and seen.euids("private") == {0}
    info = os.lstat(final)
    assert stat.S_ISREG(info.st_mode) and (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OWNER, OWNER, 0o640)
    assert canary_intact(world)
    # the commands reached the private directory through its descriptor, not through the owner's path
    assert all(call[1][-1].split(":", 1)[1].startswith("/proc/self/fd/") and call[2] for call in postfix.calls)
    assert {call[3] for call in postfix.calls} == {OWNER}


def test_build_refuses_a_directory_writable_by_someone_else(world):
    data = user_dir(world, uid=OTHER)
    table = os.path.join(data, "virtual")
    owned_file(table, b"a b\n")  # owned by OWNER, directory by OTHER
    with pytest.raises(build.BuildError, match="refusing to act as root"):
        build.build(FakePostmap(), None, table, "postmap", "lmdb", {b"a": b"b"})
    assert not os.path.exists(table + ".lmdb")


def test_build_refuses_a_source_swapped_for_a_symlink(world, monkeypatch):
    data = user_dir(world)
    table = os.path.join(data, "virtual")
    owned_file(table, b"a b\n")
    attack_every_step(monkeypatch, data, world, only="open")
    with pytest.raises(build.BuildError, match="symlink"):
        build.build(FakePostmap(), None, table, "postmap", "lmdb", {b"a": b"b"})
    assert canary_intact(world) and not os.path.lexists(table + ".lmdb")


def test_build_in_a_root_directory_uses_plain_paths(world):
    table = os.path.join(world, "virtual")
    owned_file(table, b"a b\n", uid=0, mode=0o644)
    postfix = FakePostmap()
    build.build(postfix, None, table, "postmap", "lmdb", {b"a": b"b"}, sensitive=True)
    assert all(not call[2] and call[1][-1].startswith("lmdb:" + world + "/.nbdb-build-") for call in postfix.calls)
    assert {call[3] for call in postfix.calls} == {0}  # a root-only directory: root builds there
    assert stat.S_IMODE(os.stat(table + ".lmdb").st_mode) == 0o600


@pytest.mark.parametrize("source_mode, sensitive, proxied, expected", [
    (0o660, True, False, 0o600), (0o644, True, True, 0o640), (0o660, False, False, 0o640), (0o600, True, True, 0o600)])
def test_build_gives_the_planned_mode_before_the_table_appears(world, monkeypatch, source_mode, sensitive, proxied,
                                                               expected):
    """plan.table_mode exactly (issue 16 finding 5a), already on the descriptor when the file enters the directory."""
    data = user_dir(world)
    table = os.path.join(data, "sasl_passwd")
    owned_file(table, b"[relay]:587 u:p\n", mode=source_mode)
    at_rename = Steps(world)

    def hook(name):
        if name.startswith("rename"):  # the work directory is reachable only by the descriptor of who renames
            for fd in os.listdir("/proc/self/fd"):
                work = "/proc/self/fd/" + fd
                try:
                    entries = os.listdir(work)
                except OSError:  # not a directory, or root's outer private one
                    continue
                for found in entries:
                    if found == "sasl_passwd.lmdb":
                        at_rename.note("%o" % stat.S_IMODE(os.lstat(os.path.join(work, found)).st_mode))
    monkeypatch.setattr(descriptors, "step", hook)
    build.build(FakePostmap(), None, table, "postmap", "lmdb", {b"[relay]:587": b"u:p"}, sensitive=sensitive,
                proxied=proxied)
    assert stat.S_IMODE(os.stat(table + ".lmdb").st_mode) == expected
    assert at_rename.names() == ["%o" % expected]


# --- recover, restore, config -----------------------------------------------------------------------------------
def test_recovered_source_lands_in_place_under_attack(world, monkeypatch):
    data = user_dir(world)
    attack_every_step(monkeypatch, data, world)
    recover.write_source(os.path.join(data, "postfix_domains"), b"example.com example.com\n", OWNER, OWNER)
    info = os.lstat(os.path.join(data, "postfix_domains"))
    assert stat.S_ISREG(info.st_mode) and (info.st_uid, stat.S_IMODE(info.st_mode)) == (OWNER, 0o600)
    assert canary_intact(world)


def test_restore_into_the_owners_directory_under_attack(world, monkeypatch):
    data = user_dir(world)
    table = os.path.join(data, "postfix_lmtp")
    owned_file(table, b"before\n", mode=0o660)
    folder, manifest, removed = backup.create(os.path.join(world, "backups"), [table, table + ".lmdb"], keep=3)
    assert [f["existed"] for f in manifest["files"]] == [True, False]
    owned_file(table, b"migrated\n", mode=0o660)
    owned_file(table + ".lmdb", b"built\n", mode=0o640)
    seen = attack_every_step(monkeypatch, data, world, only=("private", "create", "rename"))  # up to the rename
    changed = backup.restore(folder)
    assert changed == [table, table + ".lmdb"] and "rename postfix_lmtp" in seen.names()
    assert seen.euids("create", "rename") == {OWNER}
    info = os.lstat(table)
    assert stat.S_ISREG(info.st_mode) and (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OWNER, OWNER, 0o660)
    assert open(table, "rb").read() == b"before\n"
    assert canary_intact(world)


def test_backup_records_a_symlink_instead_of_following_it(world):
    data = user_dir(world)
    table = os.path.join(data, "virtual")
    os.symlink(os.path.join(world, "canary"), table)
    folder, manifest, removed = backup.create(os.path.join(world, "backups"), [table], keep=3)
    assert manifest["files"] == [{"path": table, "existed": True, "symlink": os.path.join(world, "canary")}]
    assert not os.path.exists(folder + table)


def test_config_write_refuses_a_directory_another_user_can_write(world):
    config = user_dir(world)
    owned_file(os.path.join(config, "main.cf"), b"x = 1\n", uid=0, mode=0o644)
    with pytest.raises(descriptors.UnsafePathError, match="refusing to act as root"):
        config_write.write_atomic(os.path.join(config, "main.cf"), "x = 2\n")
    with pytest.raises(descriptors.UnsafePathError, match="refusing to act as root"):
        config_write.backup(os.path.join(config, "main.cf"))
    assert open(os.path.join(config, "main.cf")).read() == "x = 1\n"


def test_config_write_error_names_the_file_and_its_directory(world, monkeypatch):
    """A read-only config directory (test_db_types proves it on a real read-only mount): the message says where."""
    config = os.path.join(world, "etc")
    os.mkdir(config)
    owned_file(os.path.join(config, "main.cf"), b"x = 1\n", uid=0, mode=0o644)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), args[0])
    monkeypatch.setattr(descriptors.os, "mkdir", read_only)
    for change in (lambda path: config_write.write_atomic(path, "x = 2\n"), config_write.backup):
        with pytest.raises((OSError, config_write.NbdbError)) as caught:
            change(os.path.join(config, "main.cf"))
        assert "Read-only file system" in str(caught.value) and os.path.join(config, "main.cf") in str(caught.value)
        assert "in %s" % config in str(caught.value), caught.value
    assert open(os.path.join(config, "main.cf")).read() == "x = 1\n"


def test_config_read_through_a_descriptor(world):
    """main.cf/master.cf are read only as regular files (never through a symlink), in a directory only root can
    change (a main.cf the user can replace would have root evaluate their values); a stock root 0755 one reads."""
    stock = os.path.join(world, "etc")
    os.mkdir(stock)
    owned_file(os.path.join(stock, "main.cf"), "x = caf\u00e9\n".encode(), uid=0, mode=0o644)
    assert config_write.read(os.path.join(stock, "main.cf")) == "x = caf\u00e9\n"
    os.symlink(os.path.join(world, "canary"), os.path.join(stock, "master.cf"))
    with pytest.raises(descriptors.UnsafePathError, match="symlink"):
        config_write.read(os.path.join(stock, "master.cf"))
    config = user_dir(world)
    owned_file(os.path.join(config, "main.cf"), b"x = 1\n", uid=0, mode=0o644)
    with pytest.raises(descriptors.UnsafePathError, match="refusing to act as root .* in %s" % config):
        config_write.read(os.path.join(config, "main.cf"))


# --- security_check fixes (finding 3) -----------------------------------------------------------------------------
def facts(path):
    info = os.lstat(path)
    return {"path": path, "uid": info.st_uid, "gid": info.st_gid, "mode": stat.S_IMODE(info.st_mode),
            "is_dir": False, "is_link": stat.S_ISLNK(info.st_mode), "mtime": info.st_mtime}


def findings_for(path):
    state = {"config_dir": "/etc/postfix", "sensitive_tables": {path: {"path": path, "files": {"source": facts(path)},
                                                                       "parents": []}}}
    return security.check_sensitive(state)


def test_a_symlinked_secret_table_is_its_own_finding_and_never_fixed(world):
    link = os.path.join(world, "sasl_passwd")
    os.symlink(os.path.join(world, "canary"), link)
    found = findings_for(link)
    assert [(f["id"], f["fixable"]) for f in found] == [("sensitive.symlink", False)]
    assert "0777" not in found[0]["evidence"]


def test_fix_acts_on_the_judged_file_only(world, monkeypatch):
    path = os.path.join(world, "sasl_passwd")
    owned_file(path, b"[relay] u:p\n", uid=OWNER, mode=0o644)
    found = sorted(findings_for(path), key=lambda f: f["id"], reverse=True)
    assert [f["id"] for f in found] == ["sensitive.readable", "sensitive.owner"]

    def swap(name):  # between judging and fixing, the file becomes a symlink to the canary
        os.rename(path, path + ".orig")
        os.symlink(os.path.join(world, "canary"), path)
    monkeypatch.setattr(security_fix, "step", swap)
    changed, record, why = security_fix.apply(None, found[0], False, False)
    assert (changed, record) == (False, None) and "symlink" in why
    assert canary_intact(world)

    os.unlink(path)
    owned_file(path, b"replaced\n", uid=OWNER, mode=0o600)  # another regular file with other facts
    monkeypatch.setattr(security_fix, "step", lambda name: None)
    changed, record, why = security_fix.apply(None, found[0], False, False)
    assert not changed and "changed since it was judged" in why


def test_fix_changes_mode_and_owner_through_the_descriptor_and_lists_them(world):
    path = os.path.join(world, "sasl_passwd")
    owned_file(path, b"[relay] u:p\n", uid=OWNER, mode=0o644)
    found = sorted(findings_for(path), key=lambda f: f["id"], reverse=True)
    session = {}
    results = [security_fix.apply(None, item, False, False, session) for item in found]
    assert [r[1] for r in results] == [
        {"file": path, "action": "chmod", "before": "0644", "after": "0600"},
        {"file": path, "action": "chown", "before": "uid %d" % OWNER, "after": "uid 0"}]
    info = os.lstat(path)
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o600)
