"""nbdb_info over real Ansible on real Postfix hosts: what only a live host can tell, one configuration per release.

Everything about what nbdb_info reports (references, tables, summary, look-alikes, instances, check mode) runs on
the recordings of all six configurations in tests/recorded/test_nbdb_info.py, against the hand-written
expectations of tests/expectations/nbdb_info.py; tests/integration/test_recordings_current.py proves those
recordings current. Here: file sizes and owners against ``stat``, free space against ``df``, the version the
host's postconf reports, and the module through Ansible's podman connection giving the expected references.
"""
import pytest

from tests.expectations.nbdb_info import EXPECTED, assert_same_items, scenarios_for
from tests.expectations.scenarios import SCENARIOS
from tests.integration.conftest import Host

pytestmark = pytest.mark.integration

MODULE = "mailops.nbdb.nbdb_info"
LIVE = ["bookworm-submission", "trixie-panel-tables", "sid-postmulti"]  # one per release


class Run:
    def __init__(self, name, host, result):
        self.name = name
        self.host = host
        self.result = result


@pytest.fixture(scope="module")
def run(request):
    """One container per configuration; the module runs once."""
    name = request.param
    distro, setup = SCENARIOS[name]
    host = Host(distro)
    try:
        host.start()
        for step in setup():
            host.lay_down(**step)
        result = host.module(MODULE)
        assert not result.failed, result
        yield Run(name, host, result)
    finally:
        host.stop()


def test_one_live_configuration_per_release():
    assert sorted(SCENARIOS[name][0] for name in LIVE) == ["bookworm", "sid", "trixie"]


@pytest.mark.parametrize("run", scenarios_for("references", LIVE), indirect=True)
def test_references_over_ansible(run):
    assert_same_items(run.result["references"], EXPECTED[run.name]()["refs"], "references")


@pytest.mark.parametrize("run", scenarios_for("tables", LIVE), indirect=True)
def test_file_facts_are_the_hosts(run):
    for table in run.result["tables"]:
        for kind, facts in table["files"].items():
            if facts is not None:
                stat = run.host.stat(facts["path"])
                assert (facts["size"], facts["owner"], facts["group"], facts["mode"], facts["mtime"]) == (
                    stat["size"], stat["owner"], stat["group"], stat["mode"], stat["mtime"]), facts


@pytest.mark.parametrize("run", scenarios_for("tables", LIVE), indirect=True)
def test_free_bytes_are_the_hosts(run):
    for table in run.result["tables"]:
        directory = table["path"].rsplit("/", 1)[0] or "/"
        df_avail = int(run.host.run(["df", "--output=avail", "-B1", directory]).stdout.split()[-1])
        assert abs(table["free_bytes"] - df_avail) <= max(df_avail // 20, 1 << 20), (table["path"], df_avail)


@pytest.mark.parametrize("run", scenarios_for("instances", LIVE), indirect=True)
def test_postfix_version_is_the_hosts(run):
    assert run.result["postfix"]["version"] == run.host.postfix_version()


# --- instances outside postmulti, and configurations another user can change -----------------------------------
SEPARATE = "/opt/postfix/conf"  # mailcow's: started with postfix -c, in no postmulti list
START_SEPARATE = """set -e
cp -a /etc/postfix /opt/postfix-conf-tmp && mkdir -p /opt/postfix && mv /opt/postfix-conf-tmp %(dir)s
postconf -c %(dir)s -e queue_directory=/var/spool/postfix-sep data_directory=/var/lib/postfix-sep \
    syslog_name=postfix-sep 'alias_maps=hash:%(dir)s/aliases' 'alias_database=hash:%(dir)s/aliases'
postconf -c %(dir)s -M# smtp/inet
printf 'root: alice\\n' > %(dir)s/aliases && postalias hash:%(dir)s/aliases
mkdir -p /var/spool/postfix-sep /var/lib/postfix-sep && chown postfix /var/lib/postfix-sep
postfix -c %(dir)s start
""" % {"dir": SEPARATE}


@pytest.fixture(scope="module")
def two_masters():
    host = Host("sid")
    try:
        host.start()
        host.run(["sh", "-c", START_SEPARATE])
        yield host
    finally:
        host.stop()


def test_an_instance_started_with_postfix_c_outside_postmulti_is_found(two_masters):
    """Found from its master's MAIL_CONFIG, which root reads with the capabilities of a root login; in a session
    without them (podman exec's) it is not found, nothing else breaks, and a warning names its master (the default
    instance's master, named by its master.pid, is not warned about)."""
    unseen = two_masters.module(MODULE)
    assert [item["config_dir"] for item in unseen["instances"]] == ["/etc/postfix"]
    pid = int(two_masters.run(["cat", "/var/spool/postfix-sep/pid/master.pid"]).stdout.split()[0])
    warned = [text for text in unseen.get("warnings", []) if "Postfix master runs as PID" in text]
    assert len(warned) == 1 and "PID %d " % pid in warned[0] and "config_dir" in warned[0], unseen.get("warnings")
    result = two_masters.module(MODULE, root_session=True)
    assert not result.failed, result
    assert not [text for text in result.get("warnings", []) if "Postfix master runs as PID" in text], result["warnings"]
    instances = {item["config_dir"]: item for item in result["instances"]}
    assert sorted(instances) == ["/etc/postfix", SEPARATE], instances
    assert (instances[SEPARATE]["separate"], instances[SEPARATE]["name"]) == (True, SEPARATE)
    assert instances["/etc/postfix"]["separate"] is False
    assert "hash:%s/aliases" % SEPARATE in [table["name"] for table in result["tables"]]
    two_masters.run(["postfix", "-c", SEPARATE, "stop"])
    try:  # a stopped one is not found (nbdb_info's documentation says so)
        assert [item["config_dir"] for item in two_masters.module(MODULE, root_session=True)["instances"]] == [
            "/etc/postfix"]
    finally:
        two_masters.run(["postfix", "-c", SEPARATE, "start"])


def test_a_configuration_directory_another_user_owns_is_refused_with_its_remedy(two_masters):
    """YunoHost's /etc/postfix is owned by postfix: refused before anything changes, and Postfix agrees."""
    two_masters.run(["chown", "postfix", "/etc/postfix"])
    try:
        result = two_masters.module(MODULE)
        check = two_masters.run(["postfix", "check"], check=False).stderr
    finally:
        two_masters.run(["chown", "root", "/etc/postfix"])
    refusals = result["plan"]["refusals"]
    assert len(refusals) == 1 and refusals[0].startswith("directory /etc/postfix (uid ") and \
        "chown root /etc/postfix && chmod go-w /etc/postfix" in refusals[0], refusals
    assert "not owned by root: /etc/postfix/." in check, check
    assert two_masters.module(MODULE)["plan"]["refusals"] == []
