"""nbdb_level against real Postfix (sid 3.11.7; trixie 3.10 and bookworm 3.7 for the no-level case).

What ``postfix non-bdb LEVEL`` must leave is stated from the documented behaviour of the command
(/work/shared/reference/postfix-3.11-facts.md): ``enable-*`` sets ``non_bdb_migration_level`` with
``postconf -e`` (appended to main.cf when absent, replaced in place otherwise), ``disable`` removes
it; only ``enable-reindex`` has the master.cf service, in postconf's column layout
``nbdb_reindex unix y      n       n       -       1       nbdb_reindexd``. The containers run
concurrently (see test_db_types.run_jobs); each test asserts on what its job recorded.
"""
import pytest

from tests.integration.test_db_types import batch, run_jobs

pytestmark = pytest.mark.integration

MODULE = "mailops.nbdb.nbdb_level"
PATHS = ("/etc/postfix/main.cf", "/etc/postfix/master.cf")
REINDEX_LINE = "nbdb_reindex unix y      n       n       -       1       nbdb_reindexd\n"
STEPS = ["disable", "enable-redirect", "enable-reindex", "enable-redirect", "disable"]


def files(host):
    """Content, inode and modification time (ns) of main.cf and master.cf (one podman exec)."""
    out = batch(host, [c for path in PATHS for c in ("cat " + path, "stat -c '%i %.9Y' " + path)])
    return {path: {"text": out[2 * i], "inode_mtime": out[2 * i + 1]} for i, path in enumerate(PATHS)}


def texts(state):
    return {path: state[path]["text"] for path in PATHS}


def expected_texts(main, master, level):
    """main.cf/master.cf after ``postfix non-bdb level`` on the level-free main and master text."""
    return {PATHS[0]: main + ("" if level == "disable" else "non_bdb_migration_level = %s\n" % level),
            PATHS[1]: master + (REINDEX_LINE if level == "enable-reindex" else "")}


def expected_diff(before, after):
    return [{"before_header": path, "after_header": path, "before": before[path], "after": after[path]}
            for path in PATHS if before[path] != after[path]]


# --------------------------------------------------------------------------- jobs
def levels_job(host):
    """Switch the defaults with db_types, then walk the levels: check(+diff) -> apply(+diff) -> apply."""
    host.lay_down(files={"/etc/postfix/transport": "example.test   relay:[mx.example.net]\n"},
                  postconf={"transport_maps": "hash:/etc/postfix/transport"},
                  postmap=["hash:/etc/postfix/transport"])
    switched = host.module("mailops.nbdb.db_types", {})
    base = files(host)
    steps = []
    for level in STEPS:
        before = files(host)
        check = host.module(MODULE, {"state": level}, check=True, diff=True)
        after_check = files(host)
        apply = host.module(MODULE, {"state": level}, diff=True)
        status = host.run(["postfix", "non-bdb", "status"], check=False)
        service = host.postconf("-M", "nbdb_reindex/unix")
        after_apply = files(host)
        again = host.module(MODULE, {"state": level})
        after_again = files(host)
        steps.append(dict(level=level, before=before, check=check, after_check=after_check, apply=apply,
                          status=status, service=service, after_apply=after_apply, again=again,
                          after_again=after_again))
    return {"switched": switched, "base": base, "steps": steps}


def refusals_job(host):
    out = {}
    original = host.read(PATHS[0])

    def attempt(key, state, settings=None):
        host.write(PATHS[0], original)
        if settings:
            host.run(["postconf", "-e"] + ["%s=%s" % item for item in settings])
        before = files(host)
        result = host.module(MODULE, {"state": state})
        out[key] = (result, before, files(host))

    attempt("hash-default", "enable-redirect", [("default_database_type", "hash")])
    attempt("indirect", "enable-redirect", [("my_type", "hash"), ("default_database_type", "$my_type")])
    # the real command lets the indirection through (its shell test sees an empty value)
    out["indirect-real"] = host.run(["postfix", "non-bdb", "enable-redirect"], check=False)
    out["indirect-real-level"] = host.postconf("-h", "non_bdb_migration_level").strip()
    attempt("skip-redirect", "enable-reindex")
    attempt("bogus", "enable-redirect", [("non_bdb_migration_level", "bogus")])
    out["bogus-real"] = host.run(["postfix", "non-bdb", "status"], check=False)
    host.write(PATHS[0], original)
    return out


def reload_job(host):
    host.run(["postfix", "start"])
    out = {"running_before": host.postfix_running()}
    out["redirect"] = host.module(MODULE, {"state": "enable-redirect", "reload": True})
    out["running_after_redirect"] = host.postfix_running()
    out["status_after_redirect"] = host.run(["postfix", "non-bdb", "status"]).stdout.strip()
    out["unchanged"] = host.module(MODULE, {"state": "enable-redirect", "reload": True})
    out["disable"] = host.module(MODULE, {"state": "disable", "reload": True})
    out["running_after_disable"] = host.postfix_running()
    out["status_after_disable"] = host.run(["postfix", "non-bdb", "status"]).stdout.strip()
    host.run(["postfix", "stop"], check=False)
    return out


def old_release_job(host):
    before = files(host)
    out = {"version": host.postfix_version()}
    out["disable-check"] = host.module(MODULE, {"state": "disable"}, check=True, diff=True)
    out["disable"] = host.module(MODULE, {"state": "disable"})
    out["redirect"] = host.module(MODULE, {"state": "enable-redirect"})
    out["before"], out["after"] = before, files(host)
    return out


@pytest.fixture(scope="module")
def outcomes():
    return run_jobs({
        "levels": ("sid", [], levels_job),
        "refusals": ("sid", [], refusals_job),
        "reload": ("sid", [], reload_job),
        "trixie": ("trixie", [], old_release_job),
        "bookworm": ("bookworm", [], old_release_job),
    })


# --------------------------------------------------------------------------- the level walk
@pytest.fixture
def levels(outcomes):
    out = outcomes["levels"].get()
    assert not out["switched"].failed and out["switched"]["changed"] is True, out["switched"]
    return out


def step_ids():
    return ["%d-%s" % (number, level) for number, level in enumerate(STEPS)]


@pytest.mark.parametrize("index", range(len(STEPS)), ids=step_ids())
def test_level_step(levels, index):
    step = levels["steps"][index]
    level = step["level"]
    base = levels["base"]
    previous = STEPS[index - 1] if index else "disable"  # a fresh sid has no level: disable
    main, master = base[PATHS[0]]["text"], base[PATHS[1]]["text"]
    assert "non_bdb_migration_level" not in main and "nbdb_reindex" not in master
    before, after = expected_texts(main, master, previous), expected_texts(main, master, level)
    assert texts(step["before"]) == before
    runs = [step["check"], step["apply"], step["again"]]
    for run in runs:
        assert not run.failed, (level, run.get("msg"))
        assert run["level"] == level and run["previous_level"] == (previous if run is not step["again"] else level)
        assert run["nbdb_reindex_service"] is (level == "enable-reindex")
    changes = before != after
    assert [run["changed"] for run in runs] == [changes, changes, False]
    # check mode: same diff as the real run, nothing written
    assert step["check"]["diff"] == step["apply"]["diff"] == expected_diff(before, after)
    assert step["after_check"] == step["before"]
    # the real command ran: files as predicted, level and service as Postfix reports them
    assert texts(step["after_apply"]) == after
    assert step["status"].returncode == 0 and step["status"].stdout.strip() == level, step["status"]
    assert bool(step["service"].strip()) is (level == "enable-reindex"), step["service"]
    if not changes:
        assert step["after_apply"] == step["before"]  # not even rewritten
    # the no-change run leaves content, inode and mtime alone
    assert step["after_again"] == step["after_apply"]
    assert step["again"]["diff"] == []


# --------------------------------------------------------------------------- refusals
@pytest.fixture
def refusals(outcomes):
    return outcomes["refusals"].get()


@pytest.mark.parametrize("key, words", [
    ("hash-default", ["default_database_type", "Berkeley DB", "hash", "mailops.nbdb.db_types"]),
    ("indirect", ["default_database_type", "Berkeley DB", "hash", "mailops.nbdb.db_types"]),
    ("skip-redirect", ["enable-redirect first"]),
    ("bogus", ["postconf -X non_bdb_migration_level"]),
])
def test_refused_and_files_untouched(refusals, key, words):
    result, before, after = refusals[key]
    assert result.failed, result
    for word in words:
        assert word in result["msg"], (word, result["msg"])
    assert after == before  # content, inode, mtime


def test_indirection_passes_the_real_command(refusals):
    """Why the module checks postconf -x itself: `postfix non-bdb` accepts default_database_type = $my_type."""
    assert refusals["indirect-real"].returncode == 0, refusals["indirect-real"].stderr
    assert refusals["indirect-real-level"] == "enable-redirect"


def test_bogus_level_breaks_the_real_command(refusals):
    real = refusals["bogus-real"]
    assert real.returncode == 1 and "invalid non-Berkeley-DB migration level: 'bogus'" in real.stderr, real.stderr


# --------------------------------------------------------------------------- reload
def test_reload_with_running_postfix(outcomes):
    out = outcomes["reload"].get()
    assert out["running_before"]
    for key, level in (("redirect", "enable-redirect"), ("disable", "disable")):
        result = out[key]
        assert not result.failed, result.get("msg")
        assert result["changed"] is True and result["reloaded"] is True and result["level"] == level
    assert out["running_after_redirect"] and out["status_after_redirect"] == "enable-redirect"
    assert out["running_after_disable"] and out["status_after_disable"] == "disable"
    unchanged = out["unchanged"]
    assert not unchanged.failed and unchanged["changed"] is False and unchanged["reloaded"] is False


# --------------------------------------------------------------------------- before 3.11
@pytest.mark.parametrize("distro, series", [("trixie", "3.10"), ("bookworm", "3.7")])
def test_release_without_levels(outcomes, distro, series):
    out = outcomes[distro].get()
    assert out["version"].startswith(series + ".")
    for key in ("disable-check", "disable"):
        result = out[key]
        assert not result.failed, result.get("msg")
        assert result["changed"] is False and result["previous_level"] == "unsupported"
        assert result["version"] == out["version"] and result["reloaded"] is False
    assert out["disable-check"]["diff"] == []
    redirect = out["redirect"]
    assert redirect.failed, redirect
    msg = redirect["msg"]
    for word in (out["version"], "no migration levels", "3.11", "mailops.nbdb.db_types", "mailops.nbdb.table_reindex"):
        assert word in msg, (word, msg)
    assert out["after"] == out["before"]
