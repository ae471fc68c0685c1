"""Bad input for every module and the role (issue 11): a clear error naming the file, line or table, and the
host unchanged; or, where the input is legitimate, the right result. Never a Python traceback.

Rows that need no real host run in process instead (MOVED: module cases in tests/unit/plugins/modules/cases, the
role's argument spec in tests/unit/test_role_argument_specs.py); test_every_input_has_an_expectation_for_every_module
proves that every (input, module) pair is checked in one place, with the same words.

One container per bad input; every module and the role that need the host run against it in turn, the host's
fingerprint (/etc/postfix*, /etc/aliases*, /srv, the master PID) taken before and after each run. The containers run in
parallel (one module at a time on each), once per test session; each test then checks one (input, module) pair.
"""
import json
import os
import pathlib
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from tests.integration import faultlog
from tests.testbed.ansible import CONNECTION, connection_env, run_module
from tests.testbed.container import PostfixContainer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "migrate.yml"
TABLES = "/etc/postfix/tables"
VIRTUAL = TABLES + "/virtual"
GOOD = "alice@example.org alice\nbob@example.org bob\n"


# --- the bad inputs: how each host is laid down, and the table spec the modules are given -------------------
def write(host, path, data, mode="0644", owner="root:root"):
    host.write(path, data, mode, owner)


def base(host, source=GOOD, spec="hash:" + VIRTUAL, build=True):
    """A small legacy host: virtual_alias_maps = spec, built with the real postmap, Postfix running."""
    host.run(["postconf", "-e", "virtual_alias_domains=example.org", "virtual_alias_maps=" + spec,
              "maillog_file=/var/log/postfix.log"])
    if source is not None:
        write(host, VIRTUAL, source)
    if build:
        host.run(["postmap", "hash:" + VIRTUAL])
    host.run(["postfix", "start"])


def with_dotdot(host):
    base(host, spec="hash:%s/../tables/virtual" % TABLES)


def with_symlink_out(host):
    write(host, "/srv/outside/virtual", GOOD)
    host.run(["mkdir", "-p", TABLES])
    host.run(["ln", "-s", "/srv/outside/virtual", VIRTUAL])
    base(host, source=None)


def with_relative_path(host):
    base(host, spec="hash:tables/virtual")


def with_other_writable_dir(host):
    base(host)
    host.run(["chmod", "0777", TABLES])


def with_foreign_owner(host):
    base(host)
    host.run(["chown", "nobody:nogroup", VIRTUAL, VIRTUAL + ".db"])


def with_malformed_line(host):
    base(host, source=GOOD + "lonelykey\ncarol@example.org carol\n")


def with_binary_junk(host):
    base(host, source=GOOD.encode() + bytes(range(256)) * 4 + b"\n")


def with_huge_key(host):
    base(host, source=GOOD + "k" * 600 + "@example.org OK\n")  # lmdb keys are at most 511 bytes


def with_huge_line(host):
    base(host, source=GOOD + "big@example.org " + "v" * 1000000 + "\n")


def with_empty_table(host):
    base(host, source="")


def with_non_utf8_key(host):
    base(host, source=GOOD.encode() + b"caf\xe9@example.org alice\n")


def without_lmdb(host):
    base(host)
    host.run(["sed", "-i", "/^lmdb[[:space:]]/d", "/etc/postfix/dynamicmaps.cf"])


def with_invalid_level(host):
    base(host)
    host.run(["postconf", "-e", "non_bdb_migration_level=bogus"])


def with_vanished_instance(host):
    base(host)
    for argv in (["postmulti", "-e", "init"], ["postmulti", "-I", "postfix-out", "-G", "mta", "-e", "create"],
                 ["rm", "-rf", "/etc/postfix-out"]):
        host.run(argv)


# name: (distro, lay down, table spec given to table_reindex)
INPUTS = {
    "dot-dot path": ("sid", with_dotdot, "hash:%s/../tables/virtual" % TABLES),
    "symlink leaving the directory": ("sid", with_symlink_out, "hash:" + VIRTUAL),
    "relative path": ("sid", with_relative_path, "hash:tables/virtual"),
    "other-writable directory": ("sid", with_other_writable_dir, "hash:" + VIRTUAL),
    "source owned by another user": ("sid", with_foreign_owner, "hash:" + VIRTUAL),
    "malformed line": ("sid", with_malformed_line, "hash:" + VIRTUAL),
    "binary junk": ("sid", with_binary_junk, "hash:" + VIRTUAL),
    "huge key": ("sid", with_huge_key, "hash:" + VIRTUAL),
    "huge line": ("sid", with_huge_line, "hash:" + VIRTUAL),
    "empty table": ("sid", with_empty_table, "hash:" + VIRTUAL),
    "non-UTF-8 key": ("sid", with_non_utf8_key, "hash:" + VIRTUAL),
    "lmdb missing from postconf -m": ("bookworm", without_lmdb, "hash:" + VIRTUAL),
    "invalid migration level": ("sid", with_invalid_level, "hash:" + VIRTUAL),
    "instance directory vanished": ("sid", with_vanished_instance, "hash:" + VIRTUAL),
}


def module_runs(spec, names=None):
    """(name, module, args) of the modules (all, or those named) run against a bad-input host (the role's are
    extra vars)."""
    runs = [
        ("nbdb_info", "mailops.nbdb.nbdb_info", {}),
        ("table_reindex", "mailops.nbdb.table_reindex", {"tables": [spec], "database_type": "lmdb"}),
        ("db_types", "mailops.nbdb.db_types", {}),
        ("nbdb_switch", "mailops.nbdb.nbdb_switch", {}),
        ("nbdb_level", "mailops.nbdb.nbdb_level", {"state": "enable-redirect"}),
        ("nbdb_backup", "mailops.nbdb.nbdb_backup", {}),
        ("security_check", "mailops.nbdb.security_check", {}),
        ("role", None, {}),
    ]
    return [(name, module, args) for name, module, args in runs if names is None or name in names]


MODULES = [name for name, dummy, dummy2 in module_runs("")]


# --- fingerprint and runs ---------------------------------------------------------------------------------
# Directory mtimes are left out: a build directory that came and went is no change.
FINGERPRINT = r"""
find /etc/postfix* /etc/aliases* /srv -printf '%p %y %s %m %u %g %i %l ' -a \( -type d -printf '-\n' -o -printf '%T@\n' \) \
    2>/dev/null | sort
find /etc/postfix* /etc/aliases* /srv -type f -exec sha256sum {} + 2>/dev/null | sort
echo "master pid: $(cat /var/spool/postfix/pid/master.pid 2>/dev/null)"
"""
SNAPSHOT = "/root/nbdb-bad-input.tar"
PATHS = "/etc/postfix* /etc/aliases* /srv"
TAKE = "tar -cpf %s $(ls -d %s 2>/dev/null)" % (SNAPSHOT, PATHS)
# Put every file back as it was and restart Postfix on it (when the configuration lets it run at all).
RESTORE = "rm -rf %s; tar -xpf %s -C /; (postfix stop; postfix start) >/dev/null 2>&1 || true" % (PATHS, SNAPSHOT)


def fingerprint(host):
    """What "the host is unchanged" means: every config and table file (metadata and content), the master PID."""
    return host.run(["sh", "-s"], input=FINGERPRINT.encode()).stdout


def dump(host, spec):
    """``postmap -s`` of a table (None when it cannot be read)."""
    proc = host.run(["postmap", "-s", spec], check=False, binary=True)
    return proc.stdout if proc.returncode == 0 else None


class Outcome:
    """One run: failed?, its messages, everything a traceback could hide in, the host before and after, and
    what the migrated table holds afterwards."""

    def __init__(self, failed, msg, raw, before, after, built):
        self.failed, self.msg, self.raw, self.before, self.after, self.built = failed, msg, raw, before, after, built


def run_role(host, extra_vars):
    """The migrate role with the JSON callback: (failed?, messages of every failed task, raw output)."""
    argv = ["ansible-playbook", "-i", host.name + ",", "-c", CONNECTION, str(PLAYBOOK)]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER="auto_silent", **connection_env())
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1200, check=False)
    out = proc.stdout.decode("utf-8", "replace")
    messages = []
    try:
        doc = json.loads(out[out.index("{"):])
        for task in doc["plays"][0]["tasks"]:
            result = task["hosts"].get(host.name, {})
            for item in [result] + result.get("results", []):
                if item.get("failed"):
                    messages.append(item.get("msg", ""))
    except (ValueError, KeyError, IndexError):
        messages.append(out)  # not JSON: the whole output is the message
    return proc.returncode != 0, " | ".join(messages), out


def run_one(host, name, module, args):
    """Run one module (or the role) on the host as laid down; afterwards put the host back if it changed."""
    before = fingerprint(host)
    if name == "role":
        failed, msg, raw = run_role(host, args)
    else:
        result = run_module(host, module, args)
        failed, msg = result.failed, result.get("msg", "")
        raw = json.dumps({key: result.get(key) for key in ("msg", "module_stderr", "module_stdout", "exception")})
    outcome = Outcome(failed, msg, raw, before, fingerprint(host), dump(host, "lmdb:" + VIRTUAL))
    if outcome.after != before:
        host.sh(RESTORE)
    return outcome


def run_input(name):
    """Every module and the role against one host with this bad input: {module: Outcome}, and the legacy dump."""
    distro, lay_down, spec = INPUTS[name]
    host = PostfixContainer(distro)
    try:
        host.start()
        lay_down(host)
        host.sh(TAKE)
        runs = {"legacy": dump(host, "hash:" + VIRTUAL)}
        for module_name, module, args in module_runs(spec, EXPECTED[name]):
            runs[module_name] = run_one(host, module_name, module, args)
        return runs
    except Exception as exc:  # pylint: disable=broad-except  # reported by the tests of this input only
        return exc
    finally:
        host.stop()


@pytest.fixture(scope="module")
def outcomes():
    """All inputs, three containers at a time, once per session."""
    with ThreadPoolExecutor(3) as pool:
        futures = {name: pool.submit(run_input, name) for name in INPUTS}
        return {name: future.result() for name, future in futures.items()}


# --- what each (input, module) must give --------------------------------------------------------------------
# ("error", words): fails, the message names them, host unchanged.  ("ok",): succeeds, host unchanged (read-only
# or writing only its backup folder).  ("works",): the input is legitimate: succeeds; the modules that build
# tables leave lmdb:VIRTUAL answering exactly what the legacy table did.
OK, WORKS = ("ok",), ("works",)
BUILDERS = ("table_reindex", "nbdb_switch", "role")


def error(*words):
    return ("error", words)


def table_error(*words):
    """A table the migration must refuse: the modules that build it fail; the others are unaffected."""
    return {"nbdb_info": OK, "table_reindex": error(*words), "db_types": WORKS, "nbdb_switch": error(*words),
            "nbdb_level": WORKS, "nbdb_backup": OK, "security_check": OK, "role": error(*words)}


LEGITIMATE = {"nbdb_info": OK, "table_reindex": WORKS, "db_types": WORKS, "nbdb_switch": WORKS,
              "nbdb_level": WORKS, "nbdb_backup": OK, "security_check": OK, "role": WORKS}
LEVEL = "invalid non-Berkeley-DB migration level: 'bogus'"
GONE = ("/etc/postfix-out", "does not exist")
DOT_DOT = ("/etc/postfix/tables/../tables/virtual", "'..'")
EXPECTED = {
    "dot-dot path": dict(table_error(*DOT_DOT), nbdb_backup=error(*DOT_DOT)),
    "symlink leaving the directory": table_error("hash:" + VIRTUAL, "symlink", "/srv/outside/virtual"),
    "relative path": table_error("hash:tables/virtual", "relative"),
    # issue 16: anyone could swap the files root builds there, so nothing is built (not even as the owner)
    "other-writable directory": table_error("/etc/postfix/tables", "every user (mode o+w)"),
    "source owned by another user": LEGITIMATE,
    "malformed line": table_error(VIRTUAL + ", line 3: expected format: key whitespace value"),
    "binary junk": table_error(VIRTUAL + ", line 4: non-UTF-8 input"),
    "huge key": table_error("lmdb:" + VIRTUAL, "MDB_BAD_VALSIZE"),
    "huge line": LEGITIMATE,
    "empty table": LEGITIMATE,
    "non-UTF-8 key": table_error(VIRTUAL + ", line 3: non-UTF-8 input"),
    "lmdb missing from postconf -m": {
        "nbdb_info": OK, "table_reindex": error("hash:" + VIRTUAL, "postconf -m lacks it", "postfix-lmdb"),
        "nbdb_backup": OK, "security_check": OK, "role": error("lacks lmdb", "install postfix-lmdb")},
    "invalid migration level": {"table_reindex": error(LEVEL), "nbdb_backup": OK, "security_check": OK,
                                "role": error(LEVEL)},
    "instance directory vanished": {
        "nbdb_info": error(*GONE), "table_reindex": WORKS, "db_types": WORKS, "nbdb_switch": error(*GONE),
        "nbdb_level": WORKS, "nbdb_backup": error(*GONE), "security_check": error(*GONE), "role": error(*GONE)},
}
# Rows proven in process (no host needed: argument validation, or the first Postfix command's recorded output):
# input: {module: (where, the words the old row asserted)}. A module case is cases/<module>.yml#<id>.
UNIT = "tests/unit/plugins/modules/cases/%s.yml#%s"
ROLE_SPEC = "tests/unit/test_role_argument_specs.py#"
MOVED = {
    "wrong variable types": {
        "nbdb_info": (UNIT % ("nbdb_info", "config-dir-given-as-a-list"), ("['/etc/postfix']/main.cf",)),
        "table_reindex": (UNIT % ("table_reindex", "lookup-sample-not-int"), ("lookup_sample", "many")),
        "db_types": (UNIT % ("db_types", "backup-not-bool"), ("backup", "maybe")),
        "nbdb_switch": (UNIT % ("nbdb_switch", "exclude-given-as-a-dict"), ("exclude", "list")),
        "nbdb_level": (UNIT % ("nbdb_level", "reload-not-bool"), ("reload", "perhaps")),
        "nbdb_backup": (UNIT % ("nbdb_backup", "keep-not-int"), ("keep", "five")),
        "security_check": (UNIT % ("security_check", "reindex-max-age-not-float"), ("reindex_max_age", "float")),
        "role": (ROLE_SPEC + "wrong variable types", ("migrate_backup_keep", "five"))},
    "unsupported map type": {
        "nbdb_info": (UNIT % ("nbdb_info", "database-type-btree"), ("database_type", "btree")),
        "table_reindex": (UNIT % ("table_reindex", "target-type-btree"), ("target_type", "btree")),
        "db_types": (UNIT % ("db_types", "database-type-hash"), ("database_type", "hash")),
        "nbdb_switch": (UNIT % ("nbdb_switch", "database-type-pcre"), ("database_type", "pcre")),
        "nbdb_level": (UNIT % ("nbdb_level", "state-unknown"), ("state", "enable-everything")),
        "nbdb_backup": (UNIT % ("nbdb_backup", "state-unknown"), ("state", "broken")),
        "security_check": (UNIT % ("security_check", "fail-on-unknown-severity"), ("fail_on", "severe")),
        "role": (ROLE_SPEC + "unsupported map type", ("migrate_database_type", "hash"))},
    "invalid migration level": {
        "nbdb_info": (UNIT % ("nbdb_info", "invalid-level"), (LEVEL,)),
        "db_types": (UNIT % ("db_types", "invalid-level"), (LEVEL,)),
        "nbdb_switch": (UNIT % ("nbdb_switch", "invalid-level"), (LEVEL,)),
        "nbdb_level": (UNIT % ("nbdb_level", "invalid-level-is-refused-with-its-repair"),
                       ("non_bdb_migration_level", "postconf -X non_bdb_migration_level"))},
    "lmdb missing from postconf -m": {
        "db_types": (UNIT % ("db_types", "lmdb-missing"), ("postconf -m lacks it", "postfix-lmdb")),
        "nbdb_switch": (UNIT % ("nbdb_switch", "lmdb-missing"), ("postconf -m lacks it", "postfix-lmdb")),
        "nbdb_level": (UNIT % ("nbdb_level", "no-levels-before-3.11"), ("3.7.11", "no migration levels"))},
}
# Promises the collection does not keep yet (strict: they must fail until fixed).
FINDINGS = {}


def cases():
    for bad_input in INPUTS:
        for module in [name for name in MODULES if name in EXPECTED[bad_input]]:
            reason = FINDINGS.get((bad_input, module))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(bad_input, module, marks=marks, id="%s-%s" % (bad_input, module))


def moved_words(where):
    """The words the in-process test of a moved row asserts."""
    path, name = where.split("#")
    if path == ROLE_SPEC[:-1]:
        from tests.unit.test_role_argument_specs import CASES  # pylint: disable=import-outside-toplevel
        return CASES[name][1] or []
    cases = yaml.safe_load((ROOT / path).read_text())["cases"]
    found = [case for case in cases if case["id"] == name]
    assert len(found) == 1, where
    assert found[0]["expected"]["failed"] is True and not found[0].get("xfail"), where
    return found[0]["expected"]["msg"]


def test_every_input_has_an_expectation_for_every_module():
    assert set(EXPECTED) == set(INPUTS)
    for bad_input in set(EXPECTED) | set(MOVED):
        here, moved = set(EXPECTED.get(bad_input, {})), set(MOVED.get(bad_input, {}))
        assert here | moved == set(MODULES) and not here & moved, bad_input
    for bad_input, rows in MOVED.items():
        for module, (where, words) in rows.items():
            asserted = " ".join(moved_words(where))
            assert all(word in asserted for word in words), (bad_input, module, where)


@pytest.mark.parametrize("bad_input, module", list(cases()))
def test_bad_input(outcomes, bad_input, module):
    faultlog.add("bad inputs tried")
    runs = outcomes[bad_input]
    if isinstance(runs, Exception):
        raise runs
    outcome, expected = runs[module], EXPECTED[bad_input][module]
    assert "Traceback" not in outcome.raw and "MODULE FAILURE" not in outcome.raw, outcome.raw[-3000:]
    if expected[0] == "error":
        assert outcome.failed, outcome.msg[-3000:]
        for word in expected[1]:
            assert word in outcome.msg, (word, outcome.msg[-3000:])
    else:
        assert not outcome.failed, outcome.msg[-3000:]
    if expected[0] in ("error", "ok"):
        assert outcome.after == outcome.before
    elif module in BUILDERS:
        assert outcome.built == runs["legacy"], "lmdb:%s does not answer like the legacy table" % VIRTUAL
    faultlog.add("bad inputs handled")
