"""nbdb_info on a broken host over real Ansible: the failure arrives as the module's message, never a traceback or
a MODULE FAILURE. The broken hosts themselves (missing config dir, main.cf postconf rejects, main.cf not a file, a
postmulti directory gone, no postconf) are recorded from the real releases and replayed in
tests/recorded/test_nbdb_info_errors.py."""
import pytest

pytestmark = pytest.mark.integration

INFO = "mailops.nbdb.nbdb_info"


def assert_clear_failure(result, *words):
    assert result.failed, result
    assert "Traceback" not in result.get("msg", ""), result
    assert "Traceback (most recent call last)" not in result.get("exception", ""), result["exception"]
    assert "MODULE FAILURE" not in result.get("msg", ""), result
    for word in words:
        assert word in result["msg"], result["msg"]


def test_main_cf_that_postconf_rejects(postfix_host):
    host = postfix_host("sid")
    host.sh("printf 'this line has no equals sign\\n' >> /etc/postfix/main.cf")
    result = host.module(INFO)
    assert_clear_failure(result, "/etc/postfix/main.cf", "postconf")
