"""nbdb_info on broken hosts, replayed from recordings of the real release (record.py RECORDINGS): a clear message
naming the file or instance, in Postfix's own words where Postfix said something, never a traceback."""
import pytest

from ansible_collections.mailops.nbdb.plugins.modules import nbdb_info
from tests.recorded import replay

# recording -> words the message must hold (written by hand from the broken layout)
CASES = {
    "missing-config-dir@sid": ["/etc/postfix-gone", "No such file or directory"],
    "main-cf-rejected@sid": ["/etc/postfix/main.cf", "postconf", "line 86", "missing '='"],
    "postmulti-dir-gone@sid": ["/etc/postfix-out", "does not exist"],
    "no-postconf@bookworm": ["postconf", "not found"],
    "main-cf-not-a-file@trixie": ["/srv/pf/main.cf", "Is a directory"],
}


def assert_clear_failure(result, *words):
    assert result["failed"], result
    assert "Traceback" not in result["msg"], result
    for word in words:
        assert word in result["msg"], result["msg"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_clear_failure(name):
    with replay.Host(name) as host:
        before = host.tree()
        params = {"config_dir": host.recording["config_dir"]} if host.recording["config_dir"] else {}
        result = host.module(nbdb_info, params)
        assert host.tree() == before
    assert_clear_failure(result, *CASES[name])
    assert result["msg"] == host.recording["error"]  # what discovery said on the real host
