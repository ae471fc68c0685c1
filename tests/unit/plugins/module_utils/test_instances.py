"""Instances started with postfix -c outside postmulti (mailcow's /opt/postfix/conf): found from the running
masters, never from a container's or a user's process. /proc is laid out in tmp_path the way Linux shows it."""
import os

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host

MASTER = "/usr/lib/postfix/sbin/master"
HOST_NS, CONTAINER_NS = "mnt:[4026531841]", "mnt:[4026532999]"


@pytest.mark.parametrize("cmdline, environ, expected", [
    (b"/usr/lib/postfix/sbin/master\0-w\0", b"MAIL_CONFIG=/opt/postfix/conf\0PATH=/bin\0", "/opt/postfix/conf"),
    (b"/usr/lib/postfix/sbin/master\0-c\0/etc/postfix-x/\0-d\0", b"MAIL_CONFIG=/etc/postfix\0", "/etc/postfix-x"),
    (b"/usr/lib/postfix/sbin/master\0-w\0", b"PATH=/bin\0", None),
    (b"/usr/lib/postfix/sbin/master\0-c\0", b"MAIL_CONFIG=\0", None),  # -c without its argument, empty variable
])
def test_master_config_dir(cmdline, environ, expected):
    assert host.master_config_dir(cmdline, environ) == expected


def process(proc, pid, exe, environ, namespace=HOST_NS, cmdline=None):
    base = proc / str(pid)
    (base / "ns").mkdir(parents=True)
    os.symlink(exe, str(base / "exe"))
    os.symlink(namespace, str(base / "ns" / "mnt"))
    (base / "cmdline").write_bytes(cmdline or exe.split(" (deleted)")[0].encode() + b"\0-w\0")  # argv[0] as run
    (base / "environ").write_bytes(environ)
    return base


def test_running_config_dirs_are_root_masters_of_this_namespace(tmp_path):
    proc = tmp_path / "proc"
    (proc / "self" / "ns").mkdir(parents=True)
    os.symlink(HOST_NS, str(proc / "self" / "ns" / "mnt"))
    process(proc, 10, MASTER, b"MAIL_CONFIG=/etc/postfix\0")
    process(proc, 11, MASTER, b"MAIL_CONFIG=/opt/postfix/conf\0")
    process(proc, 12, MASTER, b"MAIL_CONFIG=/srv/container\0", namespace=CONTAINER_NS)  # a container's master
    process(proc, 13, "/home/bob/master", b"MAIL_CONFIG=/home/bob/conf\0")  # a look-alike program
    process(proc, 14, MASTER + " (deleted)", b"")  # upgraded under a running master: the default instance
    process(proc, 15, "/usr/sbin/qmgr", b"MAIL_CONFIG=/etc/other\0")
    asked = []
    found = host.running_config_dirs(lambda: asked.append(1) or MASTER, proc=str(proc))
    assert found == {"/etc/postfix", "/opt/postfix/conf", None}
    assert asked == [1]  # daemon_directory asked once, and only because a master-like program runs


def test_a_users_process_is_never_a_master(tmp_path):
    proc = tmp_path / "proc"
    (proc / "self" / "ns").mkdir(parents=True)
    os.symlink(HOST_NS, str(proc / "self" / "ns" / "mnt"))
    base = process(proc, 20, MASTER, b"MAIL_CONFIG=/home/bob/conf\0")
    os.lchown(str(base), 1000, 1000)
    assert host.running_config_dirs(lambda: MASTER, proc=str(proc)) == set()


def test_no_proc_means_no_separate_instance(tmp_path):
    assert host.running_config_dirs(lambda: MASTER, proc=str(tmp_path / "none")) == set()


class Postconf:
    """postfix.postconf answering queue_directory per config dir."""

    def __init__(self, queues):
        self.queues = queues

    def postconf(self, config_dir, *args):
        assert args == ("-xh", "queue_directory"), args
        return self.queues[config_dir] + "\n"


def test_a_master_this_run_may_not_read_is_warned_about_unless_an_instance_names_it(tmp_path, monkeypatch):
    """Without CAP_SYS_PTRACE (podman exec) root may not read another process's exe, ns/mnt or environ."""
    proc = tmp_path / "proc"
    (proc / "self" / "ns").mkdir(parents=True)
    os.symlink(HOST_NS, str(proc / "self" / "ns" / "mnt"))
    process(proc, 30, MASTER, b"MAIL_CONFIG=/etc/postfix\0")
    process(proc, 31, MASTER, b"MAIL_CONFIG=/opt/postfix/conf\0")
    process(proc, 32, "/usr/sbin/qmgr", b"")  # not a master: never looked into
    real_readlink = os.readlink

    def readlink(path, *args, **kwargs):
        if "/proc/3" in str(path):
            raise PermissionError(13, "Permission denied", path)
        return real_readlink(path, *args, **kwargs)
    monkeypatch.setattr(os, "readlink", readlink)
    masters = host.running_masters(lambda: MASTER, proc=str(proc))
    assert masters == {30: host.UNREADABLE, 31: host.UNREADABLE}
    assert host.running_config_dirs(lambda: MASTER, proc=str(proc)) == set()
    queue = tmp_path / "spool"
    (queue / "pid").mkdir(parents=True)
    (queue / "pid" / "master.pid").write_text("        30\n")
    warnings = host.unknown_master_warnings(Postconf({"/etc/postfix": str(queue)}), masters,
                                            [{"config_dir": "/etc/postfix"}])
    assert len(warnings) == 1 and warnings[0].startswith("a Postfix master runs as PID 31 ")
    assert "config_dir" in warnings[0] and "CAP_SYS_PTRACE" in warnings[0]
    assert host.unknown_master_warnings(Postconf({}), {30: "/etc/postfix", 31: None}, []) == []
