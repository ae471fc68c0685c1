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
