"""Benchmark hosts: real Postfix 3.11 (sid image) made legacy like demo/mx1-legacy, plus big hash: tables."""
import pathlib
import subprocess
import time
import uuid

from tests.testbed.container import PostfixContainer

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "mx1-legacy"
TABLE_DIR = "/etc/postfix/bench"
SNAPSHOT = "/root/bench-legacy.tar"

# Runs inside the container: NAME ENTRIES -> a source file of "userN@exampleM.com OKnnnnn" lines.
WRITE_TABLE = """
import sys
path, entries = sys.argv[1], int(sys.argv[2])
with open(path, "w") as out:
    out.writelines("user%d@example%d.com OK%05d\\n" % (i, i % 97, i % 100000) for i in range(entries))
"""


class BenchHost(PostfixContainer):
    """A sid container named nbdb-bench-*; removed by stop()."""

    def __init__(self, label, image=None):
        super().__init__("sid", name="nbdb-bench-%s-%s" % (label, uuid.uuid4().hex[:6]))
        if image:
            self.image = image

    def ip(self):
        return subprocess.run(["podman", "inspect", "-f", "{{.NetworkSettings.IPAddress}}", self.name],
                              stdout=subprocess.PIPE, check=True).stdout.decode().strip()

    def master_pid(self):
        return self.run(["cat", "/var/spool/postfix/pid/master.pid"], check=False).stdout.strip()

    def wait_listening(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run(["postfix", "status"], check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("%s: Postfix did not start" % self.name)


def table_paths(tables):
    return ["%s/t%02d" % (TABLE_DIR, number) for number in range(1, tables + 1)]


def write_table(host, path, entries):
    host.run(["mkdir", "-p", path.rsplit("/", 1)[0]])
    host.run(["python3", "-c", WRITE_TABLE, path, str(entries)])


def make_legacy(host, tables, entries):
    """The demo mx1 legacy layout, plus `tables` hash: tables of `entries` lines in virtual_alias_maps."""
    tar = subprocess.run(["tar", "-C", str(DEMO / "rootfs"), "-c", "."], stdout=subprocess.PIPE, check=True).stdout
    host.run(["tar", "-C", "/", "--no-same-owner", "-xf", "-"], input=tar)
    host.run(["useradd", "-m", "alice"])
    host.run(["chmod", "0600", "/etc/postfix/sasl/sasl_passwd"])
    host.run(["sh", "-s"], input=(DEMO / "setup.sh").read_bytes())
    paths = table_paths(tables)
    for path in paths:
        write_table(host, path, entries)
    if paths:
        host.sh("for t in %s; do postmap hash:$t 2>/dev/null; done" % " ".join(paths))
        maps = ["hash:/etc/postfix/tables/virtual"] + ["hash:" + path for path in paths]
        host.run(["postconf", "-e", "virtual_alias_maps = " + ", ".join(maps)])
    host.run(["postfix", "start"])
    host.wait_listening()


def snapshot(host):
    """Remember the legacy state (configuration, tables, aliases) to go back to it with restore()."""
    host.run(["tar", "-C", "/", "-cf", SNAPSHOT, "etc/postfix", "etc/aliases", "etc/aliases.db"])


def restore(host):
    """Back to the snapshot: legacy configuration and tables, no new files, no backups, Postfix running."""
    host.sh("postfix stop >/dev/null 2>&1 || true; rm -rf /etc/postfix /etc/aliases.* /var/backups/mailops-nbdb "
            "/run/mailops-nbdb.lock /var/lib/postfix/*.lmdb; tar -C / -xf %s; postfix start >/dev/null 2>&1" % SNAPSHOT)
    host.wait_listening()


def start(label, tables, entries, image=None):
    host = BenchHost(label, image)
    host.start()
    try:
        if image is None:
            make_legacy(host, tables, entries)
        else:
            host.run(["postfix", "start"])
            host.wait_listening()
    except BaseException:
        host.stop()
        raise
    return host


def commit(host, tag):
    """The host's file system as an image (to start many identical legacy hosts quickly)."""
    image = "localhost/nbdb-bench-legacy:%s" % tag
    host.run(["postfix", "stop"])
    subprocess.run(["podman", "commit", "-q", host.name, image], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    host.run(["postfix", "start"])
    return image


def remove_image(image):
    subprocess.run(["podman", "rmi", "-f", image], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def postfix_version(host):
    return host.postconf("-dh", "mail_version").strip()
