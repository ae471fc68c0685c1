"""db_types against real Postfix, on every discovery configuration of tests/integration/configs.

Each configuration (set up exactly as test_nbdb_info does, by importing its scenarios) gets one
container and the community.crypto pattern per instance: check(+diff) -> apply(+diff) -> check ->
apply, expecting changed True, True, False, False. What the files and ``postconf`` must look like
afterwards is stated independently of the module: every ``hash:``/``btree:`` token (not
``texthash:`` and the like) in a non-comment line becomes ``<database_type>:``/``lmdb:``, the
superseded (earlier, dead) duplicate definitions listed below stay as they are, and the settings
that only a built-in default held before 3.11 (``postconf -d`` of 3.7/3.10:
``address_verify_map = btree:$data_directory/verify_cache``, ``postscreen_cache_map =
btree:$data_directory/postscreen_cache``, ``default_database_type = hash``) are written
explicitly. Nothing else may change.
"""
import difflib
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.conftest import Host
from tests.expectations.scenarios import CONFIGS, SCENARIOS

pytestmark = pytest.mark.integration

MODULE = "mailops.nbdb.db_types"
INFO = "mailops.nbdb.nbdb_info"
LEGACY = re.compile(r"(^|[^A-Za-z0-9_])(hash|btree):", re.M)  # = (^|[^[:alnum:]_])(hash|btree):
CACHE_TYPE = "lmdb"


# --------------------------------------------------------------------------- independent expectations
def migrate_text(text, database_type):
    """hash: -> database_type:, btree: -> lmdb: wherever they stand as a map type."""
    text = re.sub(r"(^|[^A-Za-z0-9_])hash:", r"\g<1>%s:" % database_type, text)
    return re.sub(r"(^|[^A-Za-z0-9_])btree:", r"\g<1>%s:" % CACHE_TYPE, text)


def is_comment_or_blank(line):
    return not line.strip() or line.lstrip().startswith("#")


LEGACY_DEFAULTS_37_310 = {
    "address_verify_map": "lmdb:$data_directory/verify_cache",
    "postscreen_cache_map": "lmdb:$data_directory/postscreen_cache",
}


class Inst:
    """Expectations for one instance (hand-written from the config text and postconf -d)."""

    def __init__(self, config_dir="/etc/postfix", added=None, superseded=(), default_types=None):
        self.config_dir = config_dir
        self.added = dict(added or {})  # main.cf settings the module must append
        self.superseded = set(superseded)  # main.cf lines of dead duplicate definitions: untouched
        # postconf -d default_database_type/default_cache_db_type of the release
        self.default_types = default_types


# scenario -> (module args, database_type, instances, pass config_dir)
HASH_ONLY = {"default_database_type": "hash", "default_cache_db_type": None}  # 3.7/3.10 (no cache type parameter)
SID = {"default_database_type": "cdb", "default_cache_db_type": "lmdb"}
PLANS = {
    # 3.7: address_verify_map/postscreen_cache_map only by default; line 38 alias_maps is overridden by line 51
    "bookworm-mailman2": ({}, "lmdb", [Inst(added=LEGACY_DEFAULTS_37_310, superseded=[38],
                                            default_types=HASH_ONLY)], False),
    # 3.7: both caches are set in main.cf (lines 77, 78); ${default_database_type}:... follows the new default
    "bookworm-submission": ({}, "lmdb", [Inst(default_types=HASH_ONLY)], False),
    "trixie-plesk": ({}, "lmdb", [Inst(added=LEGACY_DEFAULTS_37_310, default_types=HASH_ONLY)], False),
    # postscreen_cache_map is set in main.cf (line 104), address_verify_map is not
    "trixie-panel-tables": ({}, "lmdb", [Inst(added={"address_verify_map": "lmdb:$data_directory/verify_cache"},
                                              default_types=HASH_ONLY)], False),
    # the cdb variant: 3.11 defaults are already cdb/lmdb
    "sid-upgraded": ({"database_type": "cdb"}, "cdb", [Inst(default_types=SID)], False),
    # multi-instance: one run per config_dir; both main.cf say default_database_type = cdb (line 8)
    "sid-postmulti": ({}, "lmdb", [Inst(default_types=SID),
                                   Inst("/etc/postfix-out", default_types=SID)], True),
}


def wanted_default_types(inst, database_type):
    return {"default_database_type": database_type,
            "default_cache_db_type": CACHE_TYPE if inst.default_types["default_cache_db_type"] else None}


def expected_main_lines(before, inst, database_type):
    """(lines up to the original end, set of lines that must be appended)."""
    wanted = wanted_default_types(inst, database_type)
    lines = []
    present = set()
    for number, line in enumerate(before.splitlines(True), 1):
        match = re.match(r"(default_database_type|default_cache_db_type)\s*=\s*(\S*)\s*$", line)
        if is_comment_or_blank(line) or number in inst.superseded:
            lines.append(line)
        elif match:
            present.add(match.group(1))
            value = wanted[match.group(1)]
            lines.append(line if match.group(2) == value else "%s = %s\n" % (match.group(1), value))
        else:
            lines.append(migrate_text(line, database_type))
    appended = {"%s = %s\n" % item for item in inst.added.items()}
    for name, value in wanted.items():
        # a default type is set explicitly only where the built-in default differs
        if value is not None and name not in present and inst.default_types[name] != value:
            appended.add("%s = %s\n" % (name, value))
    return lines, appended


def parse_postconf(text):
    out = {}
    for line in text.splitlines():
        name, dummy, value = line.partition(" = ")
        if dummy or line.endswith(" ="):
            out[name.rstrip(" =")] = value
    return out


def expected_postconf_n(before, inst, database_type):
    """postconf -n after: migrated values, the added settings, the default types where they differ."""
    expected = {name: migrate_text(value, database_type) for name, value in before.items()}
    expected.update(inst.added)
    for name, value in wanted_default_types(inst, database_type).items():
        if value is not None and (name in before or inst.default_types[name] != value):
            expected[name] = value
    return expected


# --------------------------------------------------------------------------- helpers
SEP = "\n@@nbdb-test-separator@@\n"


def batch(host, commands):
    """Outputs of several shell commands (written here, fixed text) run in one podman exec."""
    script = "; ".join("%s; printf '%s'" % (cmd, SEP.replace("\n", "\\n")) for cmd in commands)
    parts = host.sh(script).stdout.split(SEP)
    assert len(parts) == len(commands) + 1 and parts[-1] == "", parts[-1:]
    return parts[:-1]


def files_state(host, config_dirs):
    """{path: (content, inode, mtime in ns)} of main.cf/master.cf of each config_dir."""
    paths = [d + "/" + f for d in config_dirs for f in ("main.cf", "master.cf")]
    if not paths:
        return {}
    out = batch(host, [c for path in paths for c in ("cat " + path, "stat -c '%i %.9Y' " + path)])
    return {path: (out[2 * i], out[2 * i + 1]) for i, path in enumerate(paths)}


def snapshot(host, config_dir):
    keys = ["main.cf", "master.cf", "n", "P", "nx", "Px", "x_types"]
    commands = ["cat %s/main.cf" % config_dir, "cat %s/master.cf" % config_dir] + [
        "postconf -c %s %s" % (config_dir, option) for option in ("-n", "-P", "-nx", "-Px", "-xh default_database_type")]
    return dict(zip(keys, batch(host, commands)))


def contents(host, config_dir="/etc/postfix"):
    """sha256 of main.cf and master.cf: byte-identical or not."""
    lines = host.run(["sha256sum", config_dir + "/main.cf", config_dir + "/master.cf"]).stdout.split("\n")
    return {line.split()[1]: line.split()[0] for line in lines if line.strip()}


def explain_lines(actual, expected):
    return "".join(difflib.unified_diff(expected, actual, "expected", "actual"))


# --------------------------------------------------------------------------- running containers in parallel
class Outcome:
    """What one job recorded, or the exception it raised (re-raised by the test that reads it)."""

    def __init__(self, value=None, error=None):
        self.value = value
        self.error = error

    def get(self):
        if self.error is not None:
            raise self.error
        return self.value


def run_jobs(jobs, workers=5):
    """Run {name: (distro, run_args, func(host) -> value)} in parallel, one container each (always removed).

    Module runs mostly wait on podman and Ansible start-up, so a few containers at once keep the runtime down."""
    def one(spec):
        distro, run_args, func = spec
        host = Host(distro, run_args=run_args)
        try:
            host.start()
            return Outcome(func(host))
        except Exception as exc:  # recorded; the test that needs it fails with it
            return Outcome(error=exc)
        finally:
            host.stop()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(one, spec) for name, spec in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


class Migration:
    def __init__(self, name, plan):
        self.name = name
        self.args, self.database_type, self.instances, self.pass_dir = plan
        self.runs = {}  # config_dir -> [check, apply, check, apply]
        self.before = {}
        self.after = {}
        self.state_after_first_check = {}
        self.others_untouched = []
        self.info = None


def migrate(name):
    """Lay down the configuration, then check -> apply -> check -> apply for each instance."""
    def job(host):
        for step in SCENARIOS[name][1]():
            host.lay_down(**step)
        mig = Migration(name, PLANS[name])
        dirs = [inst.config_dir for inst in mig.instances]
        for inst in mig.instances:
            mig.before[inst.config_dir] = snapshot(host, inst.config_dir)
        for inst in mig.instances:
            args = dict(mig.args, **({"config_dir": inst.config_dir} if mig.pass_dir else {}))
            others = [d for d in dirs if d != inst.config_dir]
            others_before = files_state(host, others)
            state = files_state(host, [inst.config_dir])
            runs = [host.module(MODULE, args, check=True, diff=True)]
            mig.state_after_first_check[inst.config_dir] = (state, files_state(host, [inst.config_dir]))
            runs.append(host.module(MODULE, args, diff=True))
            runs.append(host.module(MODULE, args, check=True, diff=True))
            runs.append(host.module(MODULE, args))
            mig.runs[inst.config_dir] = runs
            mig.others_untouched.append((inst.config_dir, others_before, files_state(host, others)))
        for inst in mig.instances:
            mig.after[inst.config_dir] = snapshot(host, inst.config_dir)
        mig.info = host.module(INFO)
        return mig
    return SCENARIOS[name][0], [], job


@pytest.fixture(scope="module")
def outcomes():
    """Every container of this file, run concurrently once; tests assert on what was recorded."""
    scratch = tempfile.mkdtemp(prefix="nbdb-ro-")
    try:
        jobs = {name: migrate(name) for name in SCENARIOS}
        jobs["exclude-mailman-aliases"] = exclude_job({"database_type": "cdb", "exclude": [MAILMAN_ALIASES]})
        jobs["exclude-virtual-mailman"] = exclude_job({"exclude": [VMM]})
        jobs["bad-input"] = bad_input_job(scratch)
        yield run_jobs(jobs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def migration(request, outcomes):
    return outcomes[request.param].get()


def scenarios():
    return [pytest.param(name, id=name) for name in SCENARIOS]


def test_every_discovery_configuration_is_covered():
    assert sorted(PLANS) == sorted(SCENARIOS)
    assert {SCENARIOS[name][0] for name in PLANS} == {"sid", "trixie", "bookworm"}
    assert sorted(os.listdir(str(CONFIGS))) == sorted(SCENARIOS)


# --------------------------------------------------------------------------- tests: the pattern
@pytest.mark.parametrize("migration", scenarios(), indirect=True)
def test_check_apply_check_apply(migration):
    for config_dir, runs in migration.runs.items():
        for run in runs:
            assert not run.failed, (config_dir, run.get("msg"), run.stderr[-2000:])
        assert [run["changed"] for run in runs] == [True, True, False, False], config_dir
        assert runs[2]["diff"] == [] and runs[2]["rewritten"] == [], runs[2]


@pytest.mark.parametrize("migration", scenarios(), indirect=True)
def test_check_mode_diff_is_the_real_diff(migration):
    for config_dir, runs in migration.runs.items():
        check, apply = runs[0], runs[1]
        assert check["diff"] == apply["diff"], config_dir
        assert check["rewritten"] == apply["rewritten"], config_dir
        before, after = migration.before[config_dir], migration.after[config_dir]
        by_file = {d["before_header"]: d for d in apply["diff"]}
        for name in ("main.cf", "master.cf"):
            path = config_dir + "/" + name
            if before[name] == after[name]:
                assert path not in by_file, path
            else:
                assert by_file[path]["before"] == before[name] and by_file[path]["after"] == after[name], path


@pytest.mark.parametrize("migration", scenarios(), indirect=True)
def test_check_mode_writes_nothing(migration):
    for config_dir, (before, after) in migration.state_after_first_check.items():
        assert before == after, config_dir  # content, inode and mtime
    for config_dir, before, after in migration.others_untouched:
        assert before == after, "running for %s touched another instance" % config_dir


@pytest.mark.parametrize("migration", scenarios(), indirect=True)
def test_no_legacy_reference_left(migration):
    for inst in migration.instances:
        after = migration.after[inst.config_dir]
        for key in ("nx", "Px"):
            left = [line for line in after[key].splitlines() if LEGACY.search(line)]
            assert not left, (inst.config_dir, key, left)
        assert after["x_types"].strip() == migration.database_type
    assert not migration.info.failed, migration.info
    assert migration.info["references"] == [], migration.info["references"]
    assert migration.info["summary"]["references"] == 0
    assert migration.info["summary"]["unresolved"] == []
    assert migration.info["summary"]["instances_with_legacy_defaults"] == []


@pytest.mark.parametrize("migration", scenarios(), indirect=True)
def test_postconf_n_only_rewritten_parameters_changed(migration):
    for inst in migration.instances:
        before = parse_postconf(migration.before[inst.config_dir]["n"])
        after = parse_postconf(migration.after[inst.config_dir]["n"])
        expected = expected_postconf_n(before, inst, migration.database_type)
        differing = sorted(k for k in set(expected) | set(after) if expected.get(k) != after.get(k))
        assert not differing, "%s: %s" % (inst.config_dir, "\n".join(
            "%s: expected %r, got %r" % (k, expected.get(k), after.get(k)) for k in differing))
        # every changed value had a legacy type, or is one of the settings the module may add
        for name in after:
            if after[name] != before.get(name):
                assert LEGACY.search(before.get(name, "")) or name in inst.added or name.startswith("default_"), name


@pytest.mark.parametrize("migration", scenarios(), indirect=True)
def test_postconf_P_only_rewritten_options_changed(migration):
    for inst in migration.instances:
        before = parse_postconf(migration.before[inst.config_dir]["P"])
        after = parse_postconf(migration.after[inst.config_dir]["P"])
        expected = {name: migrate_text(value, migration.database_type) for name, value in before.items()}
        assert after == expected, inst.config_dir


@pytest.mark.parametrize("migration", scenarios(), indirect=True)
def test_files_line_by_line(migration):
    for inst in migration.instances:
        before, after = migration.before[inst.config_dir], migration.after[inst.config_dir]
        # master.cf: only the legacy tokens of non-comment lines change
        expected_master = [line if is_comment_or_blank(line) else migrate_text(line, migration.database_type)
                           for line in before["master.cf"].splitlines(True)]
        actual_master = after["master.cf"].splitlines(True)
        assert actual_master == expected_master, explain_lines(actual_master, expected_master)
        # main.cf: same, plus replaced default-type lines and appended settings
        lines, appended = expected_main_lines(before["main.cf"], inst, migration.database_type)
        actual = after["main.cf"].splitlines(True)
        assert actual[:len(lines)] == lines, explain_lines(actual[:len(lines)], lines)
        assert sorted(actual[len(lines):]) == sorted(appended)  # order of the new lines: not specified


@pytest.mark.parametrize("migration", scenarios(), indirect=True)
def test_lookalikes_untouched(migration):
    for inst in migration.instances:
        before, after = migration.before[inst.config_dir], migration.after[inst.config_dir]
        for key in ("main.cf", "master.cf", "nx", "Px"):
            found_before = re.findall(r"[A-Za-z0-9_]+(?:hash|btree):\S+", before[key])
            found_after = re.findall(r"[A-Za-z0-9_]+(?:hash|btree):\S+", after[key])
            assert found_before == found_after, (inst.config_dir, key)


# --------------------------------------------------------------------------- exclude
MAILMAN_ALIASES = "hash:/var/lib/mailman/data/aliases"
VMM = "/var/lib/mailman/data/virtual-mailman"


def exclude_job(args):
    """bookworm-mailman2 migrated with exclude: first run, its postconf -nx/-Px, second run, nbdb_info."""
    def job(host):
        for step in SCENARIOS["bookworm-mailman2"][1]():
            host.lay_down(**step)
        first = host.module(MODULE, args)
        state = {"first": first, "nx": host.postconf("-nx"), "Px": host.postconf("-Px"),
                 "type": host.postconf("-xh", "default_database_type").strip()}
        state["second"] = host.module(MODULE, args)
        state["info"] = host.module(INFO)
        return state
    return "bookworm", [], job


def legacy_left(postconf_text, kept):
    return [line for line in postconf_text.splitlines() if LEGACY.search(line.replace(kept, ""))]


def test_exclude_keeps_the_mailman_table(outcomes):
    state = outcomes["exclude-mailman-aliases"].get()
    first = state["first"]
    assert not first.failed, first.get("msg")
    assert first["changed"] is True
    assert set(first["excluded"]) == {MAILMAN_ALIASES}
    assert parse_postconf(state["nx"])["alias_maps"] == "cdb:/etc/aliases, " + MAILMAN_ALIASES
    assert legacy_left(state["nx"], MAILMAN_ALIASES) == [] and legacy_left(state["Px"], MAILMAN_ALIASES) == []
    assert state["type"] == "cdb"
    assert not state["second"].failed and state["second"]["changed"] is False, state["second"]
    assert {ref["expanded"] for ref in state["info"]["references"]} == {MAILMAN_ALIASES}


def test_exclude_by_path_keeps_every_use_of_that_table(outcomes):
    """The Mailman virtual table is used by relay_domains and virtual_alias_maps: both stay hash:."""
    state = outcomes["exclude-virtual-mailman"].get()
    first = state["first"]
    assert not first.failed, first.get("msg")
    assert first["changed"] is True
    assert set(first["excluded"]) == {"hash:" + VMM}
    nx = parse_postconf(state["nx"])
    assert nx["virtual_alias_maps"] == "hash:" + VMM
    assert nx["relay_domains"].endswith(", hash:" + VMM)
    assert nx["alias_maps"] == "lmdb:/etc/aliases, lmdb:/var/lib/mailman/data/aliases"
    assert legacy_left(state["nx"], "hash:" + VMM) == [] and legacy_left(state["Px"], "hash:" + VMM) == []
    assert state["type"] == "lmdb"
    assert not state["second"].failed and state["second"]["changed"] is False, state["second"]
    assert {ref["expanded"] for ref in state["info"]["references"]} == {"hash:" + VMM}


# --------------------------------------------------------------------------- failures leave the files alone
RO_DIR = "/etc/postfix-ro"
RO_MAIN = "compatibility_level = 3.11\ntransport_maps = hash:/etc/postfix/transport\n"
WRAPPER = ("#!/bin/sh\nfor arg in \"$@\"; do\n  if [ \"$arg\" = check ]; then\n"
           "    echo 'postfix/postfix-script: fatal: forced check failure' >&2\n    exit 1\n  fi\ndone\n"
           "exec /usr/sbin/postfix.real \"$@\"\n")
UNSAFE = "${{$compatibility_level} <level {3.11} ? {hash:/etc/postfix/a} : {hash:/etc/postfix/b}}"
BAD_TYPES = {
    "hash": ({"database_type": "hash"}, "value of database_type must be one of: lmdb, cdb, got: hash"),
    "bogus": ({"database_type": "bogus"}, "value of database_type must be one of: lmdb, cdb, got: bogus"),
    "cache-cdb": ({"cache_db_type": "cdb"}, "value of cache_db_type must be one of: lmdb, got: cdb"),
}


def bad_input_job(scratch):
    """sid with legacy references in main.cf and a master.cf -o, plus a read-only config directory
    (a read-only bind mount); each case records its runs and the file hashes before and after."""
    with open(os.path.join(scratch, "main.cf"), "w") as handle:
        handle.write(RO_MAIN)
    shutil.copy(str(CONFIGS / "sid-upgraded" / "master.cf"), os.path.join(scratch, "master.cf"))
    os.chmod(scratch, 0o755)

    def job(host):
        host.lay_down(
            files={"/etc/postfix/transport": "example.test   relay:[mx.example.net]\n",
                   "/etc/postfix/sender_access": "spam@example.test   REJECT\n"},
            postconf={"transport_maps": "hash:/etc/postfix/transport"},
            master={"submission/inet": "submission inet n - y - - smtpd "
                                       "-o smtpd_sender_restrictions=check_sender_access,hash:/etc/postfix/sender_access"},
            postmap=["hash:/etc/postfix/transport", "hash:/etc/postfix/sender_access"])
        out = {}
        original = host.read("/etc/postfix/main.cf")

        # forced verification failure: postfix check exits 1, everything else is the real postfix
        before = contents(host)
        host.run(["mv", "/usr/sbin/postfix", "/usr/sbin/postfix.real"])
        try:
            host.write("/usr/sbin/postfix", WRAPPER, "0755")
            runs = [host.module(MODULE, {}, check=True), host.module(MODULE, {})]
        finally:
            host.run(["mv", "-f", "/usr/sbin/postfix.real", "/usr/sbin/postfix"])
        out["restore"] = (runs, before, contents(host), host.postconf("-nx"), host.postconf("-Px"))

        for key, (args, dummy) in BAD_TYPES.items():
            before = contents(host)
            out["type-" + key] = (host.module(MODULE, args), before, contents(host))

        # a main.cf that Postfix rejects
        host.write("/etc/postfix/main.cf", original + "this line has no equals sign\n")
        before = contents(host)
        rejected = host.run(["postconf", "-n"], check=False)
        runs = [host.module(MODULE, {}, check=True), host.module(MODULE, {})]
        out["rejected"] = (runs, before, contents(host), rejected)
        host.write("/etc/postfix/main.cf", original)

        # a reference inside an expression that cannot be rewritten safely
        host.run(["postconf", "-e", "relocated_maps=" + UNSAFE])
        before = contents(host)
        runs = [host.module(MODULE, {}, check=True), host.module(MODULE, {})]
        out["unsafe"] = (runs, before, contents(host))
        host.write("/etc/postfix/main.cf", original)

        # read-only config directory
        before = contents(host, RO_DIR)
        probe = host.run(["touch", RO_DIR + "/probe"], check=False)
        runs = [host.module(MODULE, {"config_dir": RO_DIR}, check=True, diff=True),
                host.module(MODULE, {"config_dir": RO_DIR})]
        out["read-only"] = (runs, before, contents(host, RO_DIR), probe)
        return out

    return "sid", ["--mount", "type=bind,source=%s,destination=%s,ro=true" % (scratch, RO_DIR)], job


@pytest.fixture
def bad(outcomes):
    return outcomes["bad-input"].get()


def test_verification_failure_restores_the_originals(bad):
    (check, result), before, after, nx, px = bad["restore"]
    assert not check.failed and check["changed"] is True  # check mode does not verify: nothing written
    assert result.failed, result
    msg = result["msg"]
    assert "restored" in msg and "/etc/postfix/main.cf" in msg and "/etc/postfix/master.cf" in msg, msg
    assert "forced check failure" in msg, msg
    assert after == before  # byte-identical
    assert LEGACY.search(nx) and LEGACY.search(px)


@pytest.mark.parametrize("key", sorted(BAD_TYPES))
def test_unknown_type_is_an_argument_error(bad, key):
    result, before, after = bad["type-" + key]
    assert result.failed and BAD_TYPES[key][1] in result["msg"], result
    assert after == before


def test_main_cf_postfix_rejects(bad):
    runs, before, after, rejected = bad["rejected"]
    assert rejected.returncode != 0 and "missing '='" in rejected.stderr, rejected.stderr
    for result in runs:
        assert result.failed, result
        assert "missing '='" in result["msg"] and "main.cf" in result["msg"], result["msg"]
    assert after == before


def test_untraceable_reference_is_refused(bad):
    runs, before, after = bad["unsafe"]
    for result in runs:
        assert result.failed, result
        assert "hash:/etc/postfix/b" in result["msg"] and "cannot be rewritten safely" in result["msg"], result["msg"]
    assert after == before


def test_untraceable_reference_error_names_the_parameter(bad):
    runs = bad["unsafe"][0]
    assert runs[1].failed
    assert "relocated_maps" in runs[1]["msg"], runs[1]["msg"]


def test_read_only_config_directory(bad):
    (check, result), before, after, probe = bad["read-only"]
    assert probe.returncode != 0 and "Read-only file system" in probe.stderr  # really read-only
    assert not check.failed and check["changed"] is True, check
    # 3.11 default_database_type is cdb, so lmdb must be set explicitly
    assert [d["after"] for d in check["diff"]] == [migrate_text(RO_MAIN, "lmdb") + "default_database_type = lmdb\n"]
    assert result.failed, result
    assert "Read-only file system" in result["msg"] and RO_DIR in result["msg"], result["msg"]
    assert after == before
