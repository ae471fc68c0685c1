"""security_check against real Postfix: every finding id from a risky state created on a real host.

Each scenario group gets one container (module-scoped fixtures); the module runs of a group that do
not change anything run in parallel threads. Expectations are written from the state the test
creates (paths, modes, owners, levels), and where Postfix itself knows the truth it is asked:
``postconf -dh`` for defaults, ``postfix non-bdb status`` for the level, and the real
nbdb_reindexd's log for what it refuses to index.
"""
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.testbed.ansible import run_module
from tests.testbed.container import PostfixContainer

pytestmark = pytest.mark.integration

CHECK = "mailops.nbdb.security_check"
LEVEL = "mailops.nbdb.nbdb_level"
MAIN_CF = "/etc/postfix/main.cf"
INSTANCE = "/etc/postfix"
SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")
MARKER_DIR = "/var/lib/mailops-nbdb"


# --- helpers -------------------------------------------------------------------------------------
def concurrently(*calls):
    """Run the callables in threads; their results in order."""
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def start(distro, script=None):
    host = PostfixContainer(distro)
    host.start()
    if script:
        host.sh(script)
    return host


def check(host, args=None, check_mode=False):
    return run_module(host, CHECK, args or {}, check=check_mode)


def assert_ran(result):
    """The module ran and its report is self-consistent (counts, summary, most severe first)."""
    assert "Traceback" not in result.get("msg", "") and "MODULE FAILURE" not in result.get("msg", ""), result
    assert "Traceback (most recent call last)" not in result.get("exception", ""), result["exception"]
    findings = result["findings"]
    assert result["counts"] == {sev: sum(1 for f in findings if f["severity"] == sev) for sev in SEVERITY_ORDER}, result
    assert len(result["summary"]) == len(findings)
    ranks = [SEVERITY_ORDER.index(f["severity"]) for f in findings]
    assert ranks == sorted(ranks, reverse=True), findings
    for item in findings:
        assert item["instance"] == INSTANCE, item
        assert "fix" not in item, item


def ok(result):
    assert not result.failed, result
    assert_ran(result)
    return result


def of(result, fid, **fields):
    """The findings with this id (and these field values)."""
    return [f for f in result["findings"] if f["id"] == fid and all(f[k] == v for k, v in fields.items())]


def one(result, fid, **fields):
    found = of(result, fid, **fields)
    assert len(found) == 1, "expected one %s %s, got %s\nall: %s" % (fid, fields, found, ids(result))
    return found[0]


def ids(result):
    return sorted((f["id"], f["severity"], f["file"], f["parameter"]) for f in result["findings"])


def hours_in(evidence):
    match = re.search(r"for at least ([0-9.]+) hours", evidence)
    assert match, evidence
    return float(match.group(1))


def stat_all(host, paths):
    return {path: host.stat(path) for path in paths}


def level_of(host):
    return host.run(["postfix", "non-bdb", "status"]).stdout.strip()


# --- enable-reindex: level age, refusals predicted and checked against the real nbdb_reindexd ------
REFUSED = {
    # path: (words the evidence must contain, words of the real nbdb_reindexd refusal in the log)
    "/srv/tables/canonical": (["outside non_bdb_migration_allow_root_prefixes"],
                              ["table /srv/tables/canonical has an unexpected pathname"]),
    "/etc/pfx/a/b/virtual": (["parent directory /etc/pfx ", "writable"],
                             ["legacy indexed file '/etc/pfx/a/b/virtual.db'", "writable by other user"]),
    "/etc/postfix/nodb": (["/etc/postfix/nodb.db does not exist"],
                          ["legacy indexed file '/etc/postfix/nodb.db': No such file or directory"]),
}
GOOD = "/etc/postfix/good"  # in /etc, root-owned, .db present: nbdb_reindexd indexes it
VERIFY_CACHE = "/var/lib/postfix/verify_cache"  # btree: cache, recreated by verify(8), never reindexed

REINDEX_SETUP = r"""
mkdir -p /srv/tables /etc/pfx/a/b
chmod 0775 /etc/pfx
chmod 0755 /etc/pfx/a /etc/pfx/a/b
printf 'x@example.com y@example.com\n' > /srv/tables/canonical
printf 'v@example.com w@example.com\n' > /etc/pfx/a/b/virtual
printf 's@example.com r@example.com\n' > /etc/postfix/nodb
printf 'g@example.com h@example.com\n' > /etc/postfix/good
postmap hash:/srv/tables/canonical hash:/etc/pfx/a/b/virtual hash:/etc/postfix/good 2>/dev/null
test -e /srv/tables/canonical.db && test -e /etc/pfx/a/b/virtual.db && test ! -e /etc/postfix/nodb.db
postconf -e canonical_maps=hash:/srv/tables/canonical virtual_alias_maps=hash:/etc/pfx/a/b/virtual \
  sender_canonical_maps=hash:/etc/postfix/nodb recipient_canonical_maps=hash:/etc/postfix/good \
  'address_verify_map=btree:${data_directory}/verify_cache' smtpd_recipient_restrictions=reject_unverified_recipient \
  address_verify_poll_count=1
postconf -e default_database_type=lmdb default_cache_db_type=lmdb
postfix non-bdb enable-redirect
"""

SMTP_PROBE = r"""
python3 - <<'EOF'
import smtplib
s = smtplib.SMTP("127.0.0.1", 25)
s.ehlo("client.test")
s.mail("a@client.test")
print(s.rcpt("someone@example.org"))
s.quit()
EOF
"""


def wait_for_log(host, needles, timeout=20):
    """Send mail (cleanup opens the canonical/virtual tables) until every needle is in the log."""
    deadline = time.monotonic() + timeout
    log = ""
    while time.monotonic() < deadline:
        host.sh("printf 'Subject: t\\n\\nhi\\n' | sendmail -f root x@example.com")
        time.sleep(2)
        log = host.read("/var/log/postfix.log")
        if all(needle in log for needle in needles):
            break
    return log


@pytest.fixture(scope="module")
def reindex():
    host = start("sid", REINDEX_SETUP)
    try:
        res = {"prefixes": host.postconf("-h", "non_bdb_migration_allow_root_prefixes").strip()}
        res["level_run"] = run_module(host, LEVEL, {"state": "enable-reindex"})
        res["level"] = level_of(host)
        res["markers"] = host.run(["sh", "-c", "ls %s/*" % MARKER_DIR], check=False).stdout.split()
        res["default"], res["age0"], res["fail_high"], res["fail_critical"] = concurrently(
            lambda: check(host), lambda: check(host, {"reindex_max_age": 0}),
            lambda: check(host, {"reindex_max_age": 0, "fail_on": "high"}),
            lambda: check(host, {"reindex_max_age": 0, "fail_on": "critical"}))
        # The real nbdb_reindexd: start Postfix, make cleanup open the tables, read its log.
        host.run(["postfix", "start"])
        needles = ["request to index hash:%s failed" % path for path in REFUSED] + [
            "successfully executed 'postmap lmdb:%s'" % GOOD]
        res["log"] = wait_for_log(host, needles)
        res["smtp"] = host.sh(SMTP_PROBE).stdout
        res["cache_exists"] = host.sh("for i in 1 2 3 4 5 6 7 8 9 10; do test -e %s.lmdb && exit 0; sleep 0.5; done; exit 1"
                                      % VERIFY_CACHE, check=False).returncode == 0
        res["log"] = host.read("/var/log/postfix.log")
        # Without the recording (main.cf backdated three days: not a substitute).
        host.sh("rm -f %s/*; touch -d '3 days ago' %s" % (MARKER_DIR, MAIN_CF))
        res["mtime"], res["mtime_age100"] = concurrently(
            lambda: check(host), lambda: check(host, {"reindex_max_age": 100}))
        # Back to enable-redirect: the same refusals are only information.
        host.run(["postfix", "non-bdb", "enable-redirect"])
        res["redirect_level"] = level_of(host)
        res["redirect"] = check(host)
        yield res
    finally:
        host.stop()


def test_enable_reindex_recorded_start_is_medium(reindex):
    assert not reindex["level_run"].failed, reindex["level_run"]
    assert reindex["level"] == "enable-reindex"
    assert len(reindex["markers"]) == 1, reindex["markers"]
    item = one(ok(reindex["default"]), "level.enable_reindex")
    assert item["severity"] == "medium"
    assert (item["file"], item["parameter"]) == (MAIN_CF, "non_bdb_migration_level")
    assert "non_bdb_migration_level = enable-reindex" in item["evidence"]
    assert "recorded by mailops.nbdb.nbdb_level" in item["evidence"] and reindex["markers"][0] in item["evidence"]
    assert 0 <= hours_in(item["evidence"]) < 0.5
    assert item["fixable"] and not item["fixed"]


def test_enable_reindex_older_than_max_age_is_high(reindex):
    item = one(ok(reindex["age0"]), "level.enable_reindex")
    assert item["severity"] == "high"
    assert "recorded by mailops.nbdb.nbdb_level" in item["evidence"] and reindex["markers"][0] in item["evidence"]


def test_enable_reindex_without_recording_is_of_unknown_age(reindex):
    """main.cf backdated three days: its modification time is not taken for the start (issue 16, 5e)."""
    for result in (reindex["mtime"], reindex["mtime_age100"]):
        item = one(ok(result), "level.enable_reindex")
        assert item["severity"] == "medium", item
        assert "for an unknown time" in item["evidence"] and "not recorded" in item["evidence"], item["evidence"]
        assert "modification time" not in item["evidence"] and "hours" not in item["evidence"]
        unknown = one(result, "level.enable_reindex_age_unknown")
        assert unknown["severity"] == "low" and unknown["parameter"] == "non_bdb_migration_level"
        assert "mailops.nbdb.nbdb_level" in unknown["remedy"]
    assert not of(reindex["default"], "level.enable_reindex_age_unknown")


@pytest.mark.parametrize("path", sorted(REFUSED))
def test_refused_tables_at_enable_reindex(reindex, path):
    item = one(ok(reindex["default"]), "reindex.refused", file=path)
    assert item["severity"] == "medium"
    assert "nbdb_reindexd would refuse to index %s" % path in item["evidence"]
    for word in REFUSED[path][0]:
        assert word in item["evidence"], item["evidence"]
    if path.startswith("/srv/"):
        assert reindex["prefixes"] in item["evidence"]  # the container's own setting
    assert not item["fixable"]


def test_refused_tables_are_info_at_enable_redirect(reindex):
    result = ok(reindex["redirect"])
    assert reindex["redirect_level"] == "enable-redirect"
    assert not of(result, "level.enable_reindex")
    for path in REFUSED:
        item = one(result, "reindex.refused", file=path)
        assert item["severity"] == "info"
        assert path in item["evidence"] and "mail waits" not in item["evidence"]


def test_acceptable_table_is_not_refused(reindex):
    assert not of(ok(reindex["default"]), "reindex.refused", file=GOOD)


def test_prediction_matches_the_real_nbdb_reindexd(reindex):
    """Every predicted refusal is one the real daemon logs; the accepted table really is indexed."""
    log = reindex["log"]
    for path, (dummy, words) in sorted(REFUSED.items()):
        lines = [line for line in log.splitlines() if "nbdb_reindexd" in line and "request to index hash:%s failed" % path in line]
        assert lines, "no refusal of %s in the log:\n%s" % (path, log)
        for word in words:
            assert word in lines[0], lines[0]
    assert "successfully executed 'postmap lmdb:%s' as uid 0" % GOOD in log, log
    assert "request to index hash:%s failed" % GOOD not in log


def test_btree_cache_is_recreated_not_reindexed(reindex):
    """Real Postfix: verify(8) creates the redirected lmdb cache itself; nbdb_reindexd is not involved."""
    assert "Address verification in progress" in reindex["smtp"], reindex["smtp"]
    assert reindex["cache_exists"]
    assert "redirecting btree:%s to lmdb:%s" % (VERIFY_CACHE, VERIFY_CACHE) in reindex["log"]
    assert not [line for line in reindex["log"].splitlines() if "nbdb_reindexd" in line and VERIFY_CACHE in line]


def test_btree_cache_is_not_reported_refused(reindex):
    assert not of(ok(reindex["default"]), "reindex.refused", file=VERIFY_CACHE), ids(reindex["default"])


def test_fail_on_high_fails_but_reports_everything(reindex):
    result = reindex["fail_high"]
    assert result.failed, result
    assert_ran(result)
    assert "high" in result["msg"] and "enable-reindex" in result["msg"], result["msg"]
    assert ids(result) == ids(reindex["age0"])


def test_fail_on_critical_passes(reindex):
    result = ok(reindex["fail_critical"])
    assert not [f for f in result["findings"] if f["severity"] == "critical"]
    assert ids(result) == ids(reindex["age0"])


# --- level disable: risky prefixes, Mailman hint, posture overrides -----------------------------
ROOT_PREFIXES = "/etc /tmp etc/relative /srv/ww /home/x"
RISKY_ROOT = {"/tmp": "/tmp", "etc/relative": "relative", "/srv/ww": "world-writable", "/home/x": "/home/x"}
DISABLE_SETUP = r"""
mkdir -p /srv/ww /srv/gw /var/lib/mailman
chmod 0777 /srv/ww
chmod 0775 /srv/gw
postconf -e 'non_bdb_migration_allow_root_prefixes=%s' 'non_bdb_migration_allow_user_prefixes=$data_directory /srv/gw'
postconf -e milter_default_action=tempfail
""" % ROOT_PREFIXES


@pytest.fixture(scope="module")
def disabled():
    host = start("sid")
    try:
        res = {"tls_effective": host.postconf("-xh", "smtp_tls_security_level").strip(),
               "milter_default": host.postconf("-dh", "milter_default_action").strip()}
        host.sh(DISABLE_SETUP)
        # Set smtp_tls_security_level to exactly the value it already had (this compatibility level's default).
        host.run(["postconf", "-e", "smtp_tls_security_level=" + res["tls_effective"]])
        res["level"] = level_of(host)
        res["result"] = check(host)
        yield res
    finally:
        host.stop()


@pytest.mark.parametrize("entry", sorted(RISKY_ROOT))
def test_risky_root_prefix_is_high(disabled, entry):
    found = [f for f in of(ok(disabled["result"]), "prefix.risky", parameter="non_bdb_migration_allow_root_prefixes")
             if entry in f["evidence"]]
    assert len(found) == 1, ids(disabled["result"])
    item = found[0]
    assert item["severity"] == "high"
    assert item["file"] == MAIN_CF
    assert "non_bdb_migration_allow_root_prefixes" in item["evidence"] and RISKY_ROOT[entry] in item["evidence"]


def test_safe_prefixes_not_flagged_and_group_writable_is_medium(disabled):
    result = ok(disabled["result"])
    root = of(result, "prefix.risky", parameter="non_bdb_migration_allow_root_prefixes")
    assert len(root) == len(RISKY_ROOT), root  # /etc is fine
    user = one(result, "prefix.risky", parameter="non_bdb_migration_allow_user_prefixes")
    assert user["severity"] == "medium" and "/srv/gw" in user["evidence"] and "group-writable" in user["evidence"]


def test_mailman_at_level_disable_needs_a_level(disabled):
    assert disabled["level"] == "disable"
    item = one(ok(disabled["result"]), "level.needed")
    assert item["severity"] == "medium"
    assert item["parameter"] == "non_bdb_migration_level"
    assert "/var/lib/mailman" in item["evidence"] and "disable" in item["evidence"]
    assert not of(disabled["result"], "level.unneeded") and not of(disabled["result"], "level.enable_reindex")


def test_milter_default_action_override(disabled):
    item = one(ok(disabled["result"]), "posture.override", parameter="milter_default_action")
    assert item["severity"] == "info" and item["file"] == MAIN_CF
    assert "milter_default_action = tempfail" in item["evidence"]
    assert disabled["milter_default"] and disabled["milter_default"] != "tempfail"
    assert disabled["milter_default"] in item["evidence"], item["evidence"]


def test_setting_the_effective_default_is_not_an_override(disabled):
    assert disabled["tls_effective"] == "may"  # compatibility_level 3.11 on the sid image
    assert not of(ok(disabled["result"]), "posture.override", parameter="smtp_tls_security_level"), ids(disabled["result"])


# --- legacy references and a stale .db ------------------------------------------------------------
LEGACY_SETUP = r"""
printf 'example.net smtp:[relay.example.net]\n' > /etc/postfix/transport
printf 'a@example.com b@example.com\n' > /etc/postfix/virtual
postmap hash:/etc/postfix/transport hash:/etc/postfix/virtual 2>/dev/null
postmap lmdb:/etc/postfix/virtual
postconf -e transport_maps=hash:/etc/postfix/transport virtual_alias_maps=lmdb:/etc/postfix/virtual
test -e /etc/postfix/virtual.db && test -e /etc/postfix/virtual.lmdb && test -e /etc/postfix/transport.db
"""


@pytest.fixture(scope="module")
def legacy():
    hosts = [start("sid", LEGACY_SETUP), start("sid", "postfix non-bdb enable-redirect"), start("sid")]
    try:
        results = concurrently(*[(lambda h=h: check(h)) for h in hosts])
        yield {"legacy": results[0], "redirect": results[1], "clean": results[2],
               "redirect_level": level_of(hosts[1]), "clean_level": level_of(hosts[2])}
    finally:
        for host in hosts:
            host.stop()


def test_legacy_reference_left(legacy):
    item = one(ok(legacy["legacy"]), "legacy.references")
    assert item["severity"] == "medium" and item["file"] == MAIN_CF
    assert "hash:/etc/postfix/transport (transport_maps)" in item["evidence"], item["evidence"]
    assert "virtual" not in item["evidence"]  # lmdb: is not legacy


def test_stale_db_next_to_migrated_table(legacy):
    item = one(ok(legacy["legacy"]), "legacy.stale_db")
    assert item["severity"] == "low"
    assert item["file"] == "/etc/postfix/virtual.db"
    assert "/etc/postfix/virtual.db" in item["evidence"]
    assert re.search(r"/etc/postfix/virtual(?!\.db)", item["evidence"]), item["evidence"]  # names the migrated table too
    assert not of(legacy["legacy"], "legacy.stale_db", file="/etc/postfix/transport.db")  # still in use


def test_enable_redirect_with_nothing_legacy_is_unneeded(legacy):
    assert legacy["redirect_level"] == "enable-redirect"
    result = ok(legacy["redirect"])
    item = one(result, "level.unneeded")
    assert item["severity"] == "info" and item["parameter"] == "non_bdb_migration_level"
    assert "enable-redirect" in item["evidence"]
    assert [f for f in result["findings"] if f["severity"] != "info"] == []


def test_clean_migrated_host_has_nothing_above_info(legacy):
    assert legacy["clean_level"] == "disable"
    result = ok(legacy["clean"])
    assert [f for f in result["findings"] if f["severity"] != "info"] == [], ids(result)
    assert not result["changed"]


# --- sensitive tables: check, fix in check mode, fix, check again -------------------------------
SASL = "/etc/postfix/sasl_passwd"
RELAY = "/etc/postfix/relay_passwords"  # given with sensitive_tables
SENSITIVE_SETUP = r"""
printf '[smtp.example.com]:587 user:secret\n' > %(sasl)s
chmod 0644 %(sasl)s
postmap lmdb:%(sasl)s
chmod 0640 %(sasl)s.lmdb
chown nobody:nogroup %(sasl)s.lmdb
printf 'relay secret\n' > %(relay)s
chmod 0604 %(relay)s
postconf -e smtp_sasl_password_maps=lmdb:%(sasl)s
""" % {"sasl": SASL, "relay": RELAY}
SENSITIVE_FILES = (SASL, SASL + ".lmdb", RELAY)


def test_sensitive_tables_check_fix_check(postfix_host):
    host = postfix_host("sid")
    host.sh(SENSITIVE_SETUP)
    args = {"sensitive_tables": [RELAY]}
    before = stat_all(host, SENSITIVE_FILES)

    audit = ok(check(host, args))
    assert not audit["changed"]
    readable = {f["file"]: f for f in of(audit, "sensitive.readable")}
    assert sorted(readable) == sorted(SENSITIVE_FILES), ids(audit)
    assert readable[SASL]["severity"] == "high" and "0644" in readable[SASL]["evidence"]
    assert readable[SASL + ".lmdb"]["severity"] == "medium" and "0640" in readable[SASL + ".lmdb"]["evidence"]
    assert readable[RELAY]["severity"] == "high" and "0604" in readable[RELAY]["evidence"]
    owner = one(audit, "sensitive.owner")
    assert owner["file"] == SASL + ".lmdb" and owner["severity"] == "medium"
    nobody = host.run(["id", "-u", "nobody"]).stdout.strip()
    assert "uid %s" % nobody in owner["evidence"]
    for item in list(readable.values()) + [owner]:
        assert item["file"] in item["evidence"] and item["fixable"] and not item["fixed"]

    dry = ok(check(host, dict(args, fix=True), check_mode=True))
    assert dry["changed"]
    fixable = [f for f in dry["findings"] if f["fixable"]]
    assert len(fixable) == 4 and all(f["fixed"] for f in fixable), dry["findings"]
    assert stat_all(host, SENSITIVE_FILES) == before  # nothing changed: modes, owners, mtime, inode

    fixed = ok(check(host, dict(args, fix=True)))
    assert fixed["changed"]
    assert all(f["fixed"] for f in fixed["findings"] if f["fixable"])
    after = stat_all(host, SENSITIVE_FILES)
    assert {p: (s["mode"], s["owner"]) for p, s in after.items()} == {
        SASL: ("0600", "root"), SASL + ".lmdb": ("0600", "root"), RELAY: ("0600", "root")}
    assert host.run(["postmap", "-q", "[smtp.example.com]:587", "lmdb:" + SASL]).stdout.strip() == "user:secret"

    again = ok(check(host, dict(args, fix=True)))
    assert not again["changed"]
    assert not [f for f in again["findings"] if f["fixable"]], ids(again)
    assert not of(again, "sensitive.readable") and not of(again, "sensitive.owner")
    assert stat_all(host, SENSITIVE_FILES) == after


# --- fix_level: enable-reindex back to enable-redirect -------------------------------------------
def test_fix_level_drops_enable_reindex(postfix_host):
    host = postfix_host("sid", postconf={"default_database_type": "lmdb", "default_cache_db_type": "lmdb"},
                        commands=[["postfix", "non-bdb", "enable-redirect"]])
    assert not run_module(host, LEVEL, {"state": "enable-reindex"}).failed
    assert level_of(host) == "enable-reindex"

    without = ok(check(host, {"fix": True}))  # fix alone never touches the level
    item = one(without, "level.enable_reindex")
    assert item["fixable"] and not item["fixed"] and not without["changed"]
    dry = ok(check(host, {"fix": True, "fix_level": True}, check_mode=True))
    assert one(dry, "level.enable_reindex")["fixed"] and dry["changed"]
    assert level_of(host) == "enable-reindex"

    fixed = ok(check(host, {"fix": True, "fix_level": True}))
    assert one(fixed, "level.enable_reindex")["fixed"] and fixed["changed"]
    assert level_of(host) == "enable-redirect"
    assert host.postconf("-M", "nbdb_reindex/unix").strip() == ""

    again = ok(check(host, {"fix": True, "fix_level": True}))
    assert not again["changed"] and not of(again, "level.enable_reindex")
    assert level_of(host) == "enable-redirect"


# --- Postfix 3.10 and 3.7: no levels, no nbdb_reindexd ---------------------------------------------
OLD_SETUP = r"""
printf '[smtp.example.com]:587 user:secret\n' > %(sasl)s
chmod 0644 %(sasl)s
postmap hash:%(sasl)s
chown nobody:nogroup %(sasl)s.db
postconf -e smtp_sasl_password_maps=hash:%(sasl)s
postconf -e 'non_bdb_migration_allow_root_prefixes=/etc /tmp' non_bdb_migration_level=enable-reindex
mkdir -p /var/lib/mailman
""" % {"sasl": SASL}


@pytest.fixture(scope="module", params=["trixie", "bookworm"])
def old(request):
    host = start(request.param, OLD_SETUP)
    try:
        yield {"distro": request.param, "version": host.postfix_version(), "result": check(host),
               "db_mode": host.stat(SASL + ".db")["mode"]}
    finally:
        host.stop()


def test_old_postfix_checks_that_apply(old):
    assert not old["version"].startswith("3.11"), old["version"]
    result = ok(old["result"])
    readable = {f["file"]: f for f in of(result, "sensitive.readable")}
    assert sorted(readable) == [SASL, SASL + ".db"], ids(result)
    assert readable[SASL]["severity"] == "high"
    assert old["db_mode"] == "0644"  # postmap gives the .db the source's mode & 0644
    assert readable[SASL + ".db"]["severity"] == "high"
    assert one(result, "sensitive.owner")["file"] == SASL + ".db"
    refs = one(result, "legacy.references")["evidence"]
    assert "hash:%s (smtp_sasl_password_maps)" % SASL in refs and "hash:/etc/aliases (alias_maps)" in refs, refs
    for fid in ("level.enable_reindex", "level.needed", "level.unneeded", "prefix.risky"):
        assert not of(result, fid), ids(result)


def test_old_postfix_has_no_reindex_refusals(old):
    assert not of(ok(old["result"]), "reindex.refused"), ids(old["result"])
