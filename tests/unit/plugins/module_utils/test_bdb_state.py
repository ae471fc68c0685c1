"""bdb_state: Postfix's answers to opens of hash:/btree: tables, recorded in the real images (with Berkeley DB:
Debian sid; without: upstream 3.11.6 and 3.8.9 built with -DNO_DB), classified."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb_state
from tests.unit import bdb_messages

ENTRIES = bdb_messages.load()


def test_recording_covers_every_case_and_state():
    assert [(e["image"], e["argv"], e["state"]) for e in ENTRIES] == [
        (image, argv, state) for image, setup, argv, kind, state in bdb_messages.CASES]
    assert {e["state"] for e in ENTRIES} == {"available", "missing_311", "unsupported_type", "db_missing"}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: "%s-%s-%s" % (e["image"], e["argv"][0], e["argv"][-1]))
def test_recorded_answer_is_classified(entry):
    read = bdb_state.probe_state if entry["kind"] == "probe" else bdb_state.classify
    state, line = read(entry["rc"], entry["stderr"] + entry["stdout"])
    assert state == entry["state"], entry
    if state in bdb_state.UNAVAILABLE + (bdb_state.DB_MISSING,):
        assert line and line in entry["stderr"] and "fatal:" in line
    elif entry["kind"] == "table":
        assert line is None


def test_later_311_wording_for_this_build():
    text = ("postmap: fatal: Berkeley DB support for 'hash:/etc/aliases' is not available for this build;"
            " see https://www.postfix.org/NON_BERKELEYDB_README.html for alternatives\n")
    assert bdb_state.classify(1, text) == (bdb_state.MISSING_311, text.strip())


@pytest.mark.parametrize("rc, text, state", [
    (0, "OK\n", "available"),
    (1, "", "available"),  # not found, table opened
    (1, "postmap: fatal: open /etc/postfix/x: Permission denied\n", "unknown"),
    (2, "", "unknown"),
    (1, "postmap: fatal: unsupported dictionary type: hashy\n", "unknown"),  # not a Berkeley DB type
    (1, "postmap: fatal: open database /etc/postfix/x.lmdb: No such file or directory\n", "unknown"),  # redirected
])
def test_other_answers(rc, text, state):
    assert bdb_state.classify(rc, text)[0] == state


def test_probe_turns_the_missing_probe_file_into_available_and_nothing_else():
    missing = "postmap: fatal: open database /nonexistent/nbdb-bdb-probe.db: No such file or directory\n"
    assert bdb_state.probe_state(1, missing)[0] == "available"
    assert bdb_state.classify(1, missing)[0] == "db_missing"


def test_host_and_table_states():
    ok, gone = bdb_state.describe("available"), bdb_state.describe("missing_311", "postmap: fatal: ...")
    assert ok["readable"] and not gone["readable"] and gone["message"] == "postmap: fatal: ..."
    assert bdb_state.host_state([ok, gone]) == "missing_311" and bdb_state.host_state([ok]) == "available"
    table = {"role": "alias", "files": {"db": None, "source": {"size": 3}}}
    assert bdb_state.table_state("available", table) == "db_missing"
    assert bdb_state.table_state("unsupported_type", table) == "unsupported_type"
    assert bdb_state.table_state("available", dict(table, files={"db": {"size": 1}})) == "available"
    assert bdb_state.table_state("available", dict(table, role="cache")) == "available"


def test_not_probed_is_unknown_and_not_readable():
    state = bdb_state.describe(bdb_state.UNKNOWN, note="not probed")
    assert state == {"state": "unknown", "readable": False, "message": None, "note": "not probed"}
