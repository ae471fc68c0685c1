"""nbdb_info on broken hosts: a clear message naming the file or instance, never a traceback."""
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


def test_missing_config_dir(postfix_host):
    host = postfix_host("sid")
    assert_clear_failure(host.module(INFO, {"config_dir": "/etc/postfix-gone"}), "/etc/postfix-gone")


def test_main_cf_that_postconf_rejects(postfix_host):
    host = postfix_host("sid")
    host.sh("printf 'this line has no equals sign\\n' >> /etc/postfix/main.cf")
    result = host.module(INFO)
    assert_clear_failure(result, "/etc/postfix/main.cf", "postconf")


def test_postmulti_instance_whose_directory_is_gone(postfix_host):
    host = postfix_host("sid", commands=[
        ["postmulti", "-e", "init"], ["postmulti", "-I", "postfix-out", "-G", "mta", "-e", "create"],
        ["rm", "-rf", "/etc/postfix-out"]])
    assert_clear_failure(host.module(INFO), "/etc/postfix-out", "does not exist")


def test_no_postconf_on_the_host(postfix_host):
    host = postfix_host("bookworm", commands=[["mv", "/usr/sbin/postconf", "/usr/sbin/postconf.hidden"]])
    assert_clear_failure(host.module(INFO), "postconf", "not found")


def test_main_cf_is_not_a_file(postfix_host):
    host = postfix_host("trixie", commands=[["mkdir", "-p", "/srv/pf"], ["mkdir", "/srv/pf/main.cf"]])
    assert_clear_failure(host.module(INFO, {"config_dir": "/srv/pf"}), "/srv/pf/main.cf")
