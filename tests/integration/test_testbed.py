"""The test bed itself: every image runs the expected real Postfix, which starts and delivers mail."""
import time

import pytest

from tests.testbed.images import POSTFIX_SERIES

pytestmark = pytest.mark.integration


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.parametrize("distro", sorted(POSTFIX_SERIES))
def test_image_runs_real_postfix_and_delivers_mail(postfix_host, distro):
    host = postfix_host(distro, commands=[["useradd", "-m", "alice"]])
    version = host.postfix_version()
    assert version.startswith(POSTFIX_SERIES[distro] + "."), version
    # postconf -m lists hash and btree on every image but the 3.8 built without Berkeley DB (3.11's lists them
    # even then: test_no_berkeley_db.py tells them apart by an actual open)
    legacy = set() if distro == "nodb38" else {"hash", "btree"}
    assert {"cdb", "lmdb"} | legacy <= set(host.postconf("-m").split())
    if host.systemd:
        assert host.run(["systemctl", "is-active", "postfix"], check=False).stdout.strip() == "active"
    else:
        host.run(["postfix", "start"])
    assert host.postfix_running()
    host.run(["sendmail", "-f", "root@mx.example.test", "alice@mx.example.test"],
             input=b"Subject: testbed\n\nhello from the test bed\n")
    assert _wait_for(lambda: "hello from the test bed" in host.run(
        ["cat", "/var/mail/alice"], check=False).stdout), host.run(["postqueue", "-p"]).stdout


def test_module_runs_against_container(postfix_host):
    host = postfix_host("sid")
    result = host.module("mailops.nbdb.nbdb_info", check=True)
    assert not result.failed, result
    assert result["changed"] is False
    assert result["postfix"]["version"] == host.postfix_version()
