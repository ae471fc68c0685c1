"""table_reindex against real Postfix: lmdb/cdb tables answer exactly like the legacy BDB tables.

Every expectation is written by hand from the data the test creates (tables/reindex-*), checked
first against the real legacy postmap/postalias, then against the new tables key by key.
Module runs cost seconds each, so independent runs go in parallel threads.
"""
import pathlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.testbed.ansible import run_module
from tests.testbed.container import PostfixContainer

pytestmark = pytest.mark.integration

MODULE = "mailops.nbdb.table_reindex"
TABLES = pathlib.Path(__file__).resolve().parent / "tables"
HOSTNAME = "mx.example.test"
ALIAS_EXTRAS = ("@", "YP_LAST_MODIFIED", "YP_MASTER_NAME")

# --- the data and what Postfix makes of it (written by hand) -----------------------------------
VIRTUAL = "/etc/postfix/reindex-virtual"
VIRTUAL_ENTRIES = {
    "user@example.com": "alice@example.net",  # "User@Example.COM": keys are case-folded
    "mixedcase.domain.test": "OK",
    "postmaster@example.com": "root",
    "longvalue@example.com": "first,    second,\tthird",  # continuation lines, comment between them
    "dup@example.com": "first-wins",  # DUP@Example.com and the second dup@ lose
    '"quoted key"@example.com': "quoted",
    "plain@example.com": "value with   inner  spaces",
    "hash@example.com": "OK # not a comment",
}
VIRTUAL_QUERIES = sorted(VIRTUAL_ENTRIES) + [
    "User@Example.COM", "MIXEDCASE.Domain.test", "DUP@EXAMPLE.COM", "nobody@example.com"]
VIRTUAL_WARNINGS = ["%s, line 10: duplicate entry" % VIRTUAL, "%s, line 12: duplicate entry" % VIRTUAL]

ALIASES = "/etc/postfix/reindex-aliases"  # in alias_maps: role auto must pick postalias
ALIAS_ENTRIES = {
    "mailman": '"|/var/lib/mailman/mail/mailman post mailman"',
    "mailman-admin": '"|/var/lib/mailman/mail/mailman admin mailman"',
    "mailman-bounces": '"|/var/lib/mailman/mail/mailman bounces mailman"',
    "postmaster": "root",
    "staff": "alice, bob, carol",
    "root": "admin@example.com",  # ROOT: second-loses is a duplicate
    "list-owner": "a, b",
}
ALIAS_QUERIES = sorted(ALIAS_ENTRIES) + ["Mailman-Bounces", "POSTMASTER", "nobody"] + list(ALIAS_EXTRAS)
ALIAS_WARNINGS = ["%s, line 10: duplicate entry" % ALIASES]

# Fields that check mode must predict exactly (verified/recovered_source differ by design).
PREDICTED = ("table", "path", "role", "tool", "target", "target_file", "action", "reason", "changed",
             "entries", "added", "removed", "changed_keys", "duplicates", "fold_case", "sensitive",
             "warnings", "reader", "matches_legacy")


# --- helpers -------------------------------------------------------------------------------------
def concurrently(*calls):
    """Run the callables in threads; their results in order (the first failure is raised)."""
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def reindex(host, args, check=False, diff=False, timeout=120):
    result = run_module(host, MODULE, args, check=check, diff=diff, timeout=timeout)
    assert not result.failed, (result.get("msg"), result.get("exception", ""), result.stderr[-3000:])
    return result


def reindex_fails(host, args):
    result = run_module(host, MODULE, args)
    assert result.failed, result
    msg = result.get("msg", "")
    assert "MODULE FAILURE" not in msg and "Traceback" not in msg, result
    assert "Traceback (most recent call last)" not in result.get("exception", ""), result["exception"]
    assert result.get("changed") is False, result
    return msg


def prediction(result):
    return [{field: table.get(field) for field in PREDICTED} for table in result["tables"]]


def by_path(result):
    return {table["path"]: table for table in result["tables"]}


def crypto_cycle(host, args, after_check=None, timeout=120):
    """check+diff -> run -> check+diff -> run (community.crypto style); check mode must predict
    the real run exactly, and only the first two runs change anything."""
    first_check = reindex(host, args, check=True, diff=True, timeout=timeout)
    for table in first_check["tables"]:  # check mode wrote nothing
        assert not host.exists(table["target_file"]), table
    if after_check:
        after_check()
    first = reindex(host, args, timeout=timeout)
    second_check = reindex(host, args, check=True, diff=True, timeout=timeout)
    second = reindex(host, args, timeout=timeout)
    runs = (first_check, first, second_check, second)
    assert [run["changed"] for run in runs] == [True, True, False, False], [prediction(run) for run in runs]
    assert prediction(first_check) == prediction(first)
    assert prediction(second_check) == prediction(second)
    assert [t["action"] for t in first["tables"]] == ["build"] * len(args["tables"]), prediction(first)
    assert [t["action"] for t in second["tables"]] == ["none"] * len(args["tables"]), prediction(second)
    for run in (first_check, second_check, second):
        assert all(t["verified"] == 0 for t in run["tables"]), prediction(run)
    for run in (first_check, second_check):
        assert all(t["recovered_source"] is None for t in run["tables"]), prediction(run)
    assert len(first_check["diff"]) == len(args["tables"]), first_check["diff"]
    assert second_check["diff"] == [], second_check["diff"]
    return runs


def parse_lines(text, tool):
    """``key<TAB>value`` lines of postmap -q/-s (postalias: ``key:<TAB>value``)."""
    answers = {}
    for line in text.decode("utf-8").split("\n"):
        if not line:
            continue
        key, dummy, value = line.partition("\t")
        if tool == "postalias" and key.endswith(":"):
            key = key[:-1]
        assert key not in answers, (key, text)
        answers[key] = value
    return answers


def lookup(host, tool, table, keys):
    """{query: answer} of ``tool -q - table`` for each key (keys without an answer are absent)."""
    proc = host.run([tool, "-q", "-", table], input="".join(key + "\n" for key in keys).encode(),
                    check=False, binary=True)
    assert proc.returncode in (0, 1), (tool, table, proc.returncode, proc.stderr)
    return parse_lines(proc.stdout, tool)


def dump(host, tool, table):
    return parse_lines(host.run([tool, "-s", table], binary=True).stdout, tool)


def listing(host, *directories, **options):
    """Every file with type, size, mtime, mode, owner and inode: what "the host is unchanged" means.
    dir_mtimes=False leaves out the mtimes of directories (a build directory came and went)."""
    out = host.run(["find"] + list(directories) + ["-printf", "%p %y %s %T@ %m %u %g %i\n"]).stdout
    lines = []
    for line in out.splitlines():
        fields = line.split(" ")
        if fields[1] == "d" and not options.get("dir_mtimes", True):
            fields[3] = "-"
        lines.append(" ".join(fields))
    return sorted(lines)


def assert_same_answers(new, legacy, what):
    missing = {key: value for key, value in legacy.items() if new.get(key) != value}
    extra = {key: value for key, value in new.items() if key not in legacy}
    assert not missing and not extra, "%s: legacy answers differ: want %r, extra %r" % (what, missing, extra)


# --- 1, 2, 7: check mode, equivalence with the legacy table, old Postfix versions ---------------
LEGACY_LAYOUT = dict(
    files={VIRTUAL: (TABLES / "reindex-virtual").read_bytes(), ALIASES: (TABLES / "reindex-aliases").read_bytes()},
    postconf={"alias_maps": "hash:" + ALIASES},
    postmap=["hash:" + VIRTUAL], postalias=["hash:" + ALIASES])


def legacy_answers(host):
    """What the real legacy tables contain and answer, checked against the hand-written truth."""
    assert dump(host, "postmap", "hash:" + VIRTUAL) == VIRTUAL_ENTRIES
    aliases = dump(host, "postalias", "hash:" + ALIASES)
    assert {k: v for k, v in aliases.items() if k not in ALIAS_EXTRAS} == ALIAS_ENTRIES
    assert aliases["@"] == "@" and aliases["YP_MASTER_NAME"] == HOSTNAME and aliases["YP_LAST_MODIFIED"].isdigit()
    virtual = lookup(host, "postmap", "hash:" + VIRTUAL, VIRTUAL_QUERIES)
    assert virtual == dict(VIRTUAL_ENTRIES, **{
        "User@Example.COM": "alice@example.net", "MIXEDCASE.Domain.test": "OK", "DUP@EXAMPLE.COM": "first-wins"})
    alias = lookup(host, "postalias", "hash:" + ALIASES, ALIAS_QUERIES)
    assert {k: v for k, v in alias.items() if k not in ALIAS_EXTRAS} == dict(ALIAS_ENTRIES, **{
        "Mailman-Bounces": ALIAS_ENTRIES["mailman-bounces"], "POSTMASTER": "root"})
    assert alias["@"] == "@"
    return virtual, alias


def check_rebuilt(host, target_type, runs, legacy, reader):
    first_check, first, dummy, second = runs
    virtual, aliases = by_path(first)[VIRTUAL], by_path(first)[ALIASES]
    assert (virtual["role"], virtual["tool"], aliases["role"], aliases["tool"]) == (
        "map", "postmap", "alias", "postalias")
    assert virtual["target"] == "%s:%s" % (target_type, VIRTUAL)
    assert virtual["target_file"] == VIRTUAL + "." + target_type
    expect = {VIRTUAL: (VIRTUAL_ENTRIES, 2, VIRTUAL_WARNINGS), ALIASES: (ALIAS_ENTRIES, 1, ALIAS_WARNINGS)}
    for path, (entries, duplicates, warnings) in expect.items():
        table = by_path(first)[path]
        assert (table["entries"], table["added"], table["removed"], table["changed_keys"], table["duplicates"],
                table["verified"], table["matches_legacy"], table["fold_case"], table["sensitive"]) == (
                    len(entries), len(entries), 0, 0, duplicates, len(entries), True, True, False), table
        assert table["reason"] == "target file does not exist" and table["reader"] is None, table
        assert len(table["warnings"]) == len(warnings), table["warnings"]
        for text, want in zip(table["warnings"], warnings):
            assert text.startswith(want), table["warnings"]
        again = by_path(second)[path]
        assert (again["reason"], again["reader"], again["entries"]) == (
            "content matches the source", reader, len(entries)), again
    diffs = {entry["after_header"].split(" ")[0]: entry for entry in first_check["diff"]}
    after = diffs[VIRTUAL + "." + target_type]["after"]
    assert "user@example.com alice@example.net\n" in after and "dup@example.com first-wins\n" in after, after
    assert "second-loses" not in after and "User@" not in after, after
    after = diffs[ALIASES + "." + target_type]["after"]
    assert 'mailman-bounces "|/var/lib/mailman/mail/mailman bounces mailman"\n' in after, after
    assert "YP_" not in after and "@ @" not in after, after  # postalias's own entries are not content
    # Key by key, the new tables answer exactly as the legacy ones did.
    new = lookup(host, "postmap", "%s:%s" % (target_type, VIRTUAL), VIRTUAL_QUERIES)
    assert_same_answers(new, legacy[0], "%s:%s" % (target_type, VIRTUAL))
    new = lookup(host, "postalias", "%s:%s" % (target_type, ALIASES), ALIAS_QUERIES)
    assert_same_answers(new, legacy[1], "%s:%s" % (target_type, ALIASES))
    # postalias added its own @ and YP_* entries to the new table too.
    if target_type == "lmdb":
        extras = dump(host, "postalias", "lmdb:" + ALIASES)
        assert extras["YP_MASTER_NAME"] == HOSTNAME and extras["YP_LAST_MODIFIED"].isdigit(), extras
    else:  # cdb records are klen, dlen, key, value; postalias's YP_* have no NUL
        data = host.run(["cat", ALIASES + ".cdb"], binary=True).stdout
        assert b"YP_MASTER_NAME" + HOSTNAME.encode() in data and b"YP_LAST_MODIFIED" in data


def rebuild_like_legacy(host, readers, lmdb_tables=(), after_check=None):
    """lmdb and cdb cycles (in parallel) over the legacy virtual and alias tables, plus more
    tables in the lmdb cycle; returns the lmdb runs."""
    legacy = legacy_answers(host)
    tables = ["hash:" + VIRTUAL, "hash:" + ALIASES]
    runs = concurrently(
        lambda: crypto_cycle(host, {"tables": tables + list(lmdb_tables), "target_type": "lmdb"}, after_check),
        lambda: crypto_cycle(host, {"tables": tables, "target_type": "cdb"}))
    for target_type, cycle in zip(("lmdb", "cdb"), runs):
        check_rebuilt(host, target_type, cycle, legacy, readers[target_type])
    assert legacy_answers(host) == legacy  # the legacy tables are left alone
    return runs[0]


@pytest.mark.parametrize("distro", ["trixie", "bookworm"])
def test_old_postfix_builds_and_reads_without_python_lmdb(postfix_host, distro):
    """3.10 and 3.7 have no python3-lmdb (lmdb is read with postmap -s) and no pure-cdb."""
    host = postfix_host(distro, **LEGACY_LAYOUT)
    assert host.run(["python3", "-c", "import lmdb"], check=False).returncode != 0
    rebuild_like_legacy(host, {"lmdb": "postmap -s", "cdb": "cdb reader"})


# --- 4, 5: orphan recovery, owner and mode, sensitive tables (same sid host as 1, 2) ----------------
OWNER = "tabowner"
ORPHAN = "/etc/postfix/orphan-access"
ORPHAN_TEXT = "# will be deleted\n10.0.0.1 OK\nSpammer@Example.COM REJECT go away\nexample.org DISCARD\n"
ORPHAN_ANSWERS = {"10.0.0.1": "OK", "spammer@example.com": "REJECT go away", "example.org": "DISCARD"}
ORPHAN_LINES = ["10.0.0.1 OK", "example.org DISCARD", "spammer@example.com REJECT go away"]
OWNED = "/etc/postfix/owned-canonical"
SASL = "/etc/postfix/sasl_passwd"
RELAY_AUTH = "/etc/postfix/relay_auth"  # sensitive because smtp_sasl_password_maps uses it
SECRETS = ((SASL, "SeCrEtPaSs1", "[smtp.example.com]:587"), (RELAY_AUTH, "SeCrEtPaSs2", "[relay.example.net]:25"))


def test_sid_legacy_equivalence_orphan_owner_and_sensitive_tables(postfix_host):
    host = postfix_host("sid", files=dict(LEGACY_LAYOUT["files"], **{
        ORPHAN: ORPHAN_TEXT,
        SASL: ("[smtp.example.com]:587 relayuser:SeCrEtPaSs1\n", "0644", "root:root"),
        RELAY_AUTH: ("[relay.example.net]:25 other:SeCrEtPaSs2\n", "0644", "root:root"),
    }), postconf=dict(LEGACY_LAYOUT["postconf"], smtp_sasl_password_maps="hash:" + RELAY_AUTH), commands=[
        ["useradd", "--system", "--no-create-home", OWNER],
    ], postmap=LEGACY_LAYOUT["postmap"] + ["hash:" + ORPHAN, "hash:" + SASL, "hash:" + RELAY_AUTH],
        postalias=LEGACY_LAYOUT["postalias"])
    host.write(OWNED, "Root root@mail.example.com\n", "0640", "%s:%s" % (OWNER, OWNER))
    host.run(["chown", "%s:%s" % (OWNER, OWNER), ORPHAN + ".db"])
    assert lookup(host, "postmap", "hash:" + ORPHAN, sorted(ORPHAN_ANSWERS)) == ORPHAN_ANSWERS
    host.run(["rm", ORPHAN])

    def orphan_still_missing():  # check mode dumps the orphan to a scratch directory only
        assert not host.exists(ORPHAN)

    extra = ["hash:" + ORPHAN, "hash:" + OWNED, "hash:" + SASL, "hash:" + RELAY_AUTH]
    first_check, first, dummy, second = rebuild_like_legacy(
        host, {"lmdb": "python-lmdb", "cdb": "cdb reader"}, extra, orphan_still_missing)

    # Orphan: source recovered (0600, owner of the .db) with the original content, then built.
    orphan = by_path(first_check)[ORPHAN]
    assert (orphan["role"], orphan["recovered_source"]) == ("orphan", None), orphan
    assert orphan["reason"].startswith("orphan"), orphan
    orphan = by_path(first)[ORPHAN]
    assert (orphan["role"], orphan["recovered_source"], orphan["entries"], orphan["verified"]) == (
        "orphan", ORPHAN, 3, 3), orphan
    assert by_path(second)[ORPHAN]["role"] == "map"
    recovered = host.stat(ORPHAN)
    assert (recovered["mode"], recovered["owner"], recovered["group"]) == ("0600", OWNER, OWNER), recovered
    lines = [line for line in host.read(ORPHAN).splitlines() if line and not line.startswith("#")]
    assert sorted(lines) == ORPHAN_LINES, host.read(ORPHAN)
    assert lookup(host, "postmap", "lmdb:" + ORPHAN, sorted(ORPHAN_ANSWERS)) == ORPHAN_ANSWERS
    assert host.stat(ORPHAN + ".lmdb")["owner"] == OWNER

    # A source owned by another user, mode 0640: the built file has the same owner and mode.
    built = host.stat(OWNED + ".lmdb")
    assert (built["owner"], built["group"], built["mode"]) == (OWNER, OWNER, "0640"), built
    assert lookup(host, "postmap", "lmdb:" + OWNED, ["root"]) == {"root": "root@mail.example.com"}

    # Sensitive tables (by name, by smtp_sasl_password_maps): mode 0644 source, built file 0600 (not proxied),
    # values hidden in the diff.
    diffs = {entry["after_header"].split(" ")[0]: entry for entry in first_check["diff"]}
    for path, secret, key in SECRETS:
        assert by_path(first)[path]["sensitive"] is True, by_path(first)[path]
        built = host.stat(path + ".lmdb")
        assert built["mode"] == "0600" and built["owner"] == "root", (path, built)  # issue 16: was 0640
        assert host.run(["cat", path + ".lmdb"], user="nobody", check=False).returncode != 0
        assert lookup(host, "postmap", "lmdb:" + path, [key])[key].endswith(":" + secret)
        text = str(diffs[path + ".lmdb"])
        assert secret not in text and key + " <hidden>" in text, text
    assert "SeCrEtPaSs" not in str(first_check) + str(first) + str(second)


# --- 3: 100 000 entries ---------------------------------------------------------------------------
BIG = "/etc/postfix/big"
BIG_AWK = "awk 'BEGIN { for (i = 0; i < 100000; i++) printf \"user%%d@example%%d.com%s\\n\", i, i %% 100%s }'"
BIG_SOURCE = BIG_AWK % (" OK%05d", ", i")
BIG_KEYS = BIG_AWK % ("", "")
BIG_ANSWERS = BIG_AWK % ("\\tOK%05d", ", i")
BIG_TIMEOUT = 120  # a hang (as once with a pipe deadlock on large tables) becomes a failure


def test_100000_entries(postfix_host):
    host = postfix_host("sid")
    host.sh("%s > %s" % (BIG_SOURCE, BIG))
    assert host.run(["wc", "-l", BIG]).stdout.split()[0] == "100000"
    # A sound module needs a few seconds per run here; the timeout turns a hang into a failure.
    runs = concurrently(*[lambda t=t: crypto_cycle(host, {"tables": [BIG], "target_type": t}, timeout=BIG_TIMEOUT)
                          for t in ("lmdb", "cdb")])
    for target_type, (first_check, first, dummy, second) in zip(("lmdb", "cdb"), runs):
        table = first["tables"][0]
        assert (table["entries"], table["added"], table["verified"], table["duplicates"]) == (
            100000, 100000, 100000, 0), table
        assert second["tables"][0]["entries"] == 100000
        assert "100000 entries" in first_check["diff"][0]["after_header"]
        # Every key answers its own value through the real postmap (truth from awk, not the module).
        host.sh("%s | postmap -q - %s:%s > /tmp/answers.%s; %s > /tmp/want; cmp /tmp/want /tmp/answers.%s"
                % (BIG_KEYS, target_type, BIG, target_type, BIG_ANSWERS, target_type))


# --- 6: idempotence by content ------------------------------------------------------------------------
ACCESS = "/etc/postfix/reindex-access"


def test_rebuilds_on_content_not_mtime(postfix_host):
    host = postfix_host("sid", files={ACCESS: "a@example.com OK\nb@example.com REJECT\nc@example.com OK\n"},
                        postmap=["hash:" + ACCESS, "lmdb:" + ACCESS])  # the lmdb table is already current
    args = {"tables": ["hash:" + ACCESS], "target_type": "lmdb"}
    before = host.stat(ACCESS + ".lmdb")
    host.run(["touch", "-d", "@%d" % (before["mtime"] + 3600), ACCESS])  # newer source, same content
    result = reindex(host, args)
    assert result["changed"] is False and result["tables"][0]["reason"] == "content matches the source", result
    assert host.stat(ACCESS + ".lmdb") == before

    host.write(ACCESS, "a@example.com OK\nb@example.com DISCARD\nc@example.com OK\n")
    host.run(["postmap", "hash:" + ACCESS])  # an edit as an administrator makes it: the .db agrees with the source
    check = reindex(host, args, check=True, diff=True)
    result = reindex(host, args)
    assert prediction(check) == prediction(result)
    table = result["tables"][0]
    assert (result["changed"], table["changed_keys"], table["added"], table["removed"], table["verified"]) == (
        True, 1, 0, 0, 3), table
    assert table["reason"] == "content differs: 0 added, 0 removed, 1 changed", table
    assert check["diff"][0]["before"] == "a@example.com OK\nb@example.com REJECT\nc@example.com OK\n"
    assert check["diff"][0]["after"] == "a@example.com OK\nb@example.com DISCARD\nc@example.com OK\n"
    assert lookup(host, "postmap", "lmdb:" + ACCESS, ["b@example.com"]) == {"b@example.com": "DISCARD"}
    assert host.stat(ACCESS + ".lmdb")["inode"] != before["inode"]


# --- 8: bad input: a clear error naming the table, the host unchanged ----------------------------------
SMALL = "/srv/small"  # a 64 KiB tmpfs
SENDERS = SMALL + "/senders"
SMALL_SOURCE = "awk 'BEGIN { for (i = 0; i < %d; i++) printf \"user%%d@example.com OK%%05d\\n\", i, i }' > " + SENDERS


@pytest.fixture
def small_disk_host():
    host = PostfixContainer("sid", run_args=["--mount", "type=tmpfs,destination=%s,tmpfs-size=64k,tmpfs-mode=0755" % SMALL])
    try:
        host.start()
        yield host
    finally:
        host.stop()


BAD_INPUT = [
    ("missing source", "hash:/etc/postfix/missing", ["hash:/etc/postfix/missing", "does not exist"]),
    ("dot-dot", "hash:/etc/postfix/../postfix/virtual", ["hash:/etc/postfix/../postfix/virtual", "'..'"]),
    ("relative", "hash:postfix/virtual", ["hash:postfix/virtual", "relative"]),
    ("symlink out", "hash:/etc/postfix/linked", ["hash:/etc/postfix/linked", "symlink", "/srv/outside/linked"]),
    ("rejected line", "hash:/etc/postfix/badline",
     ["hash:/etc/postfix/badline", "/etc/postfix/badline, line 3", "expected format"]),
]


def test_bad_input_fails_clearly_and_changes_nothing(postfix_host, small_disk_host):
    host = small_disk_host
    host.write("/srv/outside/linked", "x@example.com OK\n")
    host.write("/etc/postfix/virtual", "y@example.com OK\n")
    host.write("/etc/postfix/badline", "# comment\ngood@example.com OK\nlonelykey\nother@example.com OK\n")
    host.sh("ln -s /srv/outside/linked /etc/postfix/linked; postmap hash:/etc/postfix/virtual hash:/etc/postfix/badline;"
            " postmap hash:/etc/postfix/linked")
    host.sh(SMALL_SOURCE % 20 + "; postmap lmdb:%s cdb:%s" % (SENDERS, SENDERS))
    old = lookup(host, "postmap", "lmdb:" + SENDERS, ["user%d@example.com" % i for i in range(20)])
    assert old == {"user%d@example.com" % i: "OK%05d" % i for i in range(20)}
    before = listing(host, "/etc/postfix", "/srv")

    def bad_input():
        return [reindex_fails(host, {"tables": [spec], "target_type": "lmdb"}) for dummy, spec, dummy2 in BAD_INPUT]

    def full_disk():
        host.sh(SMALL_SOURCE % 600)
        disk_before = listing(host, SMALL, dir_mtimes=False)
        messages = [reindex_fails(host, {"tables": [SENDERS], "target_type": t}) for t in ("lmdb", "cdb")]
        return disk_before, messages

    def not_built_in():
        old_host = postfix_host("bookworm", files={VIRTUAL: "z@example.com OK\n"}, postmap=["hash:" + VIRTUAL],
                                commands=[["sed", "-i", "/^lmdb[[:space:]]/d", "/etc/postfix/dynamicmaps.cf"]])
        assert "lmdb" not in old_host.postconf("-m").split()
        old_before = listing(old_host, "/etc/postfix")
        msg = reindex_fails(old_host, {"tables": ["hash:" + VIRTUAL], "target_type": "lmdb"})
        return old_before, listing(old_host, "/etc/postfix"), msg

    messages, (disk_before, disk_messages), (old_before, old_after, old_msg) = concurrently(
        bad_input, full_disk, not_built_in)
    for (what, dummy, words), msg in zip(BAD_INPUT, messages):
        for word in words:
            assert word in msg, (what, word, msg)
    # postmap lmdb: on a full file system can exit 0 leaving an empty table (3.11.7, seen by hand):
    # then only the module's own lookup verification stands between it and the live table.
    for msg in disk_messages:
        assert SENDERS in msg, msg
        assert "No space left on device" in msg or (
            "do not look up" in msg and "the old table was left in place" in msg), msg
    assert listing(host, SMALL, dir_mtimes=False) == disk_before  # no half-written file or build directory left
    assert lookup(host, "postmap", "lmdb:" + SENDERS, sorted(old)) == old  # the old tables still answer
    assert lookup(host, "postmap", "cdb:" + SENDERS, sorted(old)) == old
    assert [line for line in listing(host, "/etc/postfix", "/srv") if not line.startswith(SMALL)] == [
        line for line in before if not line.startswith(SMALL)]
    assert "hash:" + VIRTUAL in old_msg and "postfix-lmdb" in old_msg, old_msg
    assert old_after == old_before
