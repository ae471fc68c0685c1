"""nbdb_info's main() in process on the recorded hosts of tests/expectations/scenarios.py (one recording per
configuration, from its real release), asserted against the hand-written expectations of
tests/expectations/nbdb_info.py. What only a live host can tell (sizes against stat, free space against df, the
version the host reports) stays in tests/integration/test_nbdb_info.py.
"""
import pytest

from ansible_collections.mailops.nbdb.plugins.modules import nbdb_info
from tests.expectations.nbdb_info import EXPECTED, assert_same_items, scenarios_for, table_view
from tests.expectations.scenarios import SCENARIOS
from tests.recorded import replay
from tests.testbed.images import POSTFIX_SERIES

SUFFIXES = {"source": "", "db": ".db", "lmdb": ".lmdb", "cdb": ".cdb"}


def recording_of(name):
    return "%s@%s" % (name, SCENARIOS[name][0])


class Run:
    """Both runs of the module on one replayed host, and the host's files before and after each."""

    def __init__(self, name):
        self.name = name
        with replay.Host(recording_of(name)) as host:
            self.recording = host.recording
            self.before = host.tree()
            self.result = host.module(nbdb_info)
            self.after = host.tree()
            self.check_result = host.module(nbdb_info, check_mode=True)
            self.after_check = host.tree()
        assert not self.result["failed"], self.result
        assert not self.check_result["failed"], self.check_result


@pytest.fixture(scope="module")
def run(request):
    return Run(request.param)


def test_every_release_runs_at_least_two_configurations():
    distros = [distro for distro, dummy in SCENARIOS.values()]
    assert len(SCENARIOS) >= 6
    assert all(distros.count(d) >= 2 for d in ("sid", "trixie", "bookworm")), distros


def test_every_configuration_is_recorded_on_its_release():
    for name, (distro, dummy) in SCENARIOS.items():
        recording = replay.load(recording_of(name))
        assert recording["distro"] == distro
        assert recording["mail_version"].split("=")[1].strip().startswith(POSTFIX_SERIES[distro] + "."), name


@pytest.mark.parametrize("run", scenarios_for("references"), indirect=True)
def test_references(run):
    expected = EXPECTED[run.name]()
    assert_same_items(run.result["references"], expected["refs"], "references")


@pytest.mark.parametrize("run", scenarios_for("tables"), indirect=True)
def test_tables(run):
    expected = EXPECTED[run.name]()
    assert_same_items([table_view(t) for t in run.result["tables"]], expected["tables"], "tables")
    files = run.recording["files"]
    for table in run.result["tables"]:  # file facts are those of the recorded files
        for kind, facts in table["files"].items():
            path = table["path"] + SUFFIXES[kind]
            assert (facts is None) == (files[path]["kind"] == "missing"), (path, facts)
            if facts is not None:
                assert facts["path"] == path
                recorded = files[path]
                assert (facts["size"], facts["mode"], facts["uid"], facts["gid"], facts["owner"], facts["group"],
                        facts["mtime"]) == (recorded["size"], recorded["mode"], recorded["uid"], recorded["gid"],
                                            recorded["owner"], recorded["group"], recorded["mtime"]), path
        answer = run.recording["statvfs"][table["path"].rsplit("/", 1)[0] or "/"]
        assert table["free_bytes"] == answer["f_bavail"] * answer["f_frsize"], table["path"]


@pytest.mark.parametrize("run", scenarios_for("summary"), indirect=True)
def test_summary(run):
    expected = EXPECTED[run.name]()
    summary = run.result["summary"]
    roles = {"alias": 0, "map": 0, "cache": 0, "orphan": 0}
    for table in expected["tables"]:
        roles[table["role"]] += 1
    assert summary["references"] == len(expected["refs"])
    assert summary["tables"] == len(expected["tables"])
    assert summary["roles"] == roles
    assert summary["unresolved"] == []
    assert summary["instances_with_legacy_defaults"] == expected["legacy_defaults"]
    assert summary["migrated"] is False


@pytest.mark.parametrize("run", scenarios_for("lookalikes"), indirect=True)
def test_lookalikes_are_ignored(run):
    expected = EXPECTED[run.name]()
    assert_same_items(run.result["summary"]["ignored_lookalikes"], expected["lookalikes"],
                      "ignored look-alikes")
    legacy = [ref["expanded"] for ref in run.result["references"]]
    for item in expected["lookalikes"]:
        path = item["text"].split(":", 1)[1]
        assert not any(path in text for text in legacy), item
        assert not any(t["path"] == path for t in run.result["tables"]), item


@pytest.mark.parametrize("run", scenarios_for("instances"), indirect=True)
def test_instances(run):
    expected = EXPECTED[run.name]()
    got = [(i["name"], i["config_dir"], i["default_database_type"], i["default_cache_db_type"],
            i["migration_level"]) for i in run.result["instances"]]
    assert got == expected["instances"]
    distro = SCENARIOS[run.name][0]
    assert run.result["postfix"]["version"].startswith(POSTFIX_SERIES[distro] + ".")
    assert run.result["postfix"]["has_levels"] is (distro == "sid")
    assert {"btree", "cdb", "hash", "lmdb"} <= set(run.result["postfix"]["map_types"])


@pytest.mark.parametrize("run", scenarios_for("check_mode"), indirect=True)
def test_check_mode_reports_the_same_and_changes_nothing(run):
    for result in (run.result, run.check_result):
        assert result["changed"] is False
    assert (run.result["check_mode"], run.check_result["check_mode"]) == (False, True)
    # all else equal, free space and fingerprint too: the replayed host stands still
    assert dict(run.check_result, check_mode=False) == run.result
    assert run.after == run.before, "the normal run wrote"
    assert run.after_check == run.before, "the check-mode run wrote"
    assert len(run.before) >= 5  # the comparison saw the host's files


def test_a_table_without_room_for_its_rebuild_is_refused_by_name():
    """plan.refusals (issue 15 §4: decided in Python, not in the role): the recorded file system has 5 GiB free."""
    with replay.Host(recording_of("sid-upgraded")) as host:
        tight = host.module(nbdb_info, {"disk_factor": 10 ** 9})
        roomy = host.module(nbdb_info)
        off = host.module(nbdb_info, {"disk_factor": 0})
    builds = {name for instance in tight["plan"]["instances"].values() for name in instance["build"]}
    short = [text for text in tight["plan"]["refusals"] if "migrate_disk_factor" in text]
    assert builds and len(short) == len(builds)
    assert all(any(text.startswith(name + ": ") and "bytes free on its file system" in text for text in short)
               for name in builds)
    assert not [text for text in roomy["plan"]["refusals"] + off["plan"]["refusals"] if "migrate_disk_factor" in text]
