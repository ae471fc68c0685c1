"""security_check against real Postfix: every finding id from a risky state created on a real host.

Each scenario group gets one container (module-scoped fixtures); the module runs of a group that do
not change anything run in parallel threads. Expectations are written from the state the test
creates (paths, modes, owners, levels), and where Postfix itself knows the truth it is asked:
``postconf -dh`` for defaults, ``postfix non-bdb status`` for the level, and the real
nbdb_reindexd's log for what it refuses to index.
"""
import pathlib
import re
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

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
    host = start("sid", LEGACY_SETUP)
    try:
        yield {"legacy": check(host)}
    finally:
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


def test_enable_redirect_with_nothing_legacy_is_unneeded(fresh):
    assert fresh["levels"]["sid-enable-redirect"] == "enable-redirect"
    result = ok(fresh["sid-enable-redirect"])
    item = one(result, "level.unneeded")
    assert item["severity"] == "info" and item["parameter"] == "non_bdb_migration_level"
    assert "enable-redirect" in item["evidence"]
    assert [f for f in result["findings"] if f["severity"] != "info"] == []


def test_clean_migrated_host_has_nothing_above_info(fresh):
    assert fresh["levels"]["sid-stock"] == "disable"
    result = ok(fresh["sid-stock"])
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


# --- fix_level: enable-reindex back to enable-redirect (on the fresh host, see below) ------------------
def test_fix_level_drops_enable_reindex(fresh):
    fix = fresh["fix_level"]
    assert fresh["levels"]["sid-enable-reindex"] == "enable-reindex"
    item = one(ok(fix["without"]), "level.enable_reindex")  # fix alone never touches the level
    assert item["fixable"] and not item["fixed"] and not fix["without"]["changed"]
    assert one(ok(fix["dry"]), "level.enable_reindex")["fixed"] and fix["dry"]["changed"]
    assert fix["level_after_dry"] == "enable-reindex"
    assert one(ok(fix["fixed"]), "level.enable_reindex")["fixed"] and fix["fixed"]["changed"]
    assert fix["level_after_fix"] == "enable-redirect" and fix["service_after_fix"] == ""
    again = ok(fix["again"])
    assert not again["changed"] and not of(again, "level.enable_reindex")
    assert fix["level_after_again"] == "enable-redirect"


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


# --- fresh hosts: exactly the findings docs/security-findings.md lists (the doc cannot rot) ------------
DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "security-findings.md"
CORPUS = pathlib.Path(__file__).resolve().parents[1] / "corpus"
SNAKEOIL_KEY, SNAKEOIL_CERT = "/etc/ssl/private/ssl-cert-snakeoil.key", "/etc/ssl/certs/ssl-cert-snakeoil.pem"
# What Debian's ssl-cert 1.1.2 does (postinst, make-ssl-cert generate-default-snakeoil): group ssl-cert,
# /etc/ssl/private root:ssl-cert 0710, the key root:ssl-cert 0640, the certificate 0644; postfix's postinst then
# appends /usr/share/postfix/main.cf.tls to a new main.cf when the snakeoil key exists. The images have no
# openssl (nor ssl-cert): the pair is made on the controller.
SSL_CERT_LAYOUT = r"""
groupadd --system ssl-cert
mkdir -p /etc/ssl/private /etc/ssl/certs
chown root:ssl-cert /etc/ssl/private && chmod 0710 /etc/ssl/private
"""
SCACHE = "btree:/var/lib/postfix/smtp_scache (smtp_tls_session_cache_database)"


def snakeoil(host):
    host.sh(SSL_CERT_LAYOUT)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj",
                        "/CN=mx.example.test", "-keyout", scratch + "/key", "-out", scratch + "/cert"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        host.write(SNAKEOIL_KEY, pathlib.Path(scratch, "key").read_bytes(), mode="0640", owner="root:ssl-cert")
        host.write(SNAKEOIL_CERT, pathlib.Path(scratch, "cert").read_bytes(), mode="0644")
    host.sh("cat /usr/share/postfix/main.cf.tls >> /etc/postfix/main.cf")


def documented():
    """{host: {(id, severity, file, parameter)}} from the table of docs/security-findings.md (- for none)."""
    found = {}
    for line in DOC.read_text().splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] in HOSTS:
            rows = found.setdefault(cells[0], set())
            if cells[1] != "none":
                rows.add(tuple(None if cell == "-" else cell for cell in cells[1:5]))
    return found


def observed(result):
    return {(f["id"], f["severity"], f["file"], f["parameter"]) for f in ok(result)["findings"]}


@pytest.fixture(scope="module")
def fresh():
    """One sid host through the states a fresh install goes through: stock, each level (enable-reindex dropped by
    fix_level, then disable), then Debian's default TLS."""
    host = start("sid")
    try:
        res = {"sid-stock": check(host), "levels": {"sid-stock": level_of(host)}}
        host.run(["postfix", "non-bdb", "enable-redirect"])
        res["sid-enable-redirect"], res["levels"]["sid-enable-redirect"] = check(host), level_of(host)
        res["level_run"] = run_module(host, LEVEL, {"state": "enable-reindex"})
        fix = res["fix_level"] = {}
        res["sid-enable-reindex"], fix["without"], fix["dry"] = concurrently(  # none of them changes the host
            lambda: check(host), lambda: check(host, {"fix": True}),
            lambda: check(host, {"fix": True, "fix_level": True}, check_mode=True))
        res["levels"]["sid-enable-reindex"] = level_of(host)
        fix["level_after_dry"] = level_of(host)
        fix["fixed"] = check(host, {"fix": True, "fix_level": True})
        fix["level_after_fix"], fix["service_after_fix"] = level_of(host), host.postconf("-M", "nbdb_reindex/unix").strip()
        fix["again"] = check(host, {"fix": True, "fix_level": True})
        fix["level_after_again"] = level_of(host)
        host.run(["postfix", "non-bdb", "disable"])
        res["sid-disable-again"], res["levels"]["sid-disable-again"] = check(host), level_of(host)
        snakeoil(host)
        res["sid-tls"], res["levels"]["sid-tls"] = check(host), level_of(host)
        yield res
    finally:
        host.stop()


@pytest.fixture(scope="module")
def mailman3():
    """The Mailman 3 corpus host (list:list 2770 data directory, hash: tables built by list), then migrated."""
    expected = yaml.safe_load((CORPUS / "mailman3" / "expected.yml").read_text())
    host = PostfixContainer("sid", hostname=expected.get("hostname", "mx.example.test"))
    host.start()
    try:
        root = CORPUS / "mailman3" / "rootfs"
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            host.write("/" + str(path.relative_to(root)), path.read_bytes(), mode="0644")
        host.run(["sh", "-s"], input=(CORPUS / "mailman3" / "setup.sh").read_bytes())
        res = {"mailman3": check(host)}
        res["switch"] = run_module(host, "mailops.nbdb.nbdb_switch", {})
        res["level"] = level_of(host)
        res["mailman3-migrated"] = check(host)
        yield res
    finally:
        host.stop()


HOSTS = ("sid-stock", "sid-enable-redirect", "sid-enable-reindex", "sid-disable-again", "sid-tls", "mailman3",
         "mailman3-migrated")


def test_every_host_kind_is_documented():
    assert sorted(documented()) == sorted(HOSTS), DOC


@pytest.mark.parametrize("name", HOSTS[:5])
def test_fresh_sid_findings_are_the_documented_ones(fresh, name):
    assert not fresh["level_run"].failed, fresh["level_run"]
    assert fresh["levels"] == {"sid-stock": "disable", "sid-enable-redirect": "enable-redirect",
                               "sid-enable-reindex": "enable-reindex", "sid-disable-again": "disable",
                               "sid-tls": "disable"}
    assert observed(fresh[name]) == documented()[name], fresh[name]["summary"]


@pytest.mark.parametrize("name", HOSTS[5:])
def test_mailman3_findings_are_the_documented_ones(mailman3, name):
    assert not mailman3["switch"].failed, mailman3["switch"]
    assert mailman3["level"] == "enable-redirect"
    assert observed(mailman3[name]) == documented()[name], mailman3[name]["summary"]


def test_debian_tls_and_stock_hosts_have_no_false_alarm(fresh):
    """Nothing above info on the stock host at disable and enable-redirect; with Debian's TLS only the btree: session
    cache main.cf.tls still writes (a true legacy reference); the snakeoil key (root:ssl-cert 0640) is fine."""
    for name in ("sid-stock", "sid-enable-redirect", "sid-disable-again"):
        assert [f for f in fresh[name]["findings"] if f["severity"] != "info"] == [], (name, ids(fresh[name]))
    above = [f for f in fresh["sid-tls"]["findings"] if f["severity"] != "info"]
    assert [f["id"] for f in above] == ["legacy.references"] and SCACHE in above[0]["evidence"], above
    assert not [f for f in fresh["sid-tls"]["findings"] if f["file"] == SNAKEOIL_KEY]


# --- an exposed host: every table after migration, config files, TLS keys, prefixes in master.cf, leftovers ----
FAKE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
EXPOSED_SETUP = r"""
mkdir -p /srv/gw && chmod 0775 /srv/gw
printf 'spam@example.com REJECT\n' > /srv/gw/access
postmap lmdb:/srv/gw/access
printf '/^Subject: spam/ REJECT\n' > /etc/postfix/header_checks && chmod 0646 /etc/postfix/header_checks
printf 'example.com OK\n' > /etc/postfix/relays
postmap lmdb:/etc/postfix/relays && postmap hash:/etc/postfix/relays 2>/dev/null
chmod 0664 /etc/postfix/relays.db
touch /etc/postfix/relays.lmdb-lock
printf '%%s' '%(key)s' > /etc/postfix/smtpd.key && chmod 0644 /etc/postfix/smtpd.key
printf '%%s' '%(key)s' > /etc/postfix/sni.key && chgrp adm /etc/postfix/sni.key && chmod 0640 /etc/postfix/sni.key
printf 'CERTIFICATE\n' > /etc/postfix/sni.crt && chmod 0644 /etc/postfix/sni.crt
printf 'mx.example.test /etc/postfix/sni.key /etc/postfix/sni.crt\n' > /etc/postfix/sni && chmod 0600 /etc/postfix/sni
printf '[relay.example.com]:587 user:secret\n' > /etc/postfix/sasl_proxy
postmap lmdb:/etc/postfix/sasl_proxy
chgrp postfix /etc/postfix/sasl_proxy /etc/postfix/sasl_proxy.lmdb
chmod 0640 /etc/postfix/sasl_proxy /etc/postfix/sasl_proxy.lmdb
postconf -e 'smtpd_sender_restrictions=check_sender_access lmdb:/srv/gw/access' \
  header_checks=regexp:/etc/postfix/header_checks relay_domains=lmdb:/etc/postfix/relays \
  smtpd_tls_key_file=/etc/postfix/smtpd.key tls_server_sni_maps=lmdb:/etc/postfix/sni \
  smtp_sasl_password_maps=proxy:lmdb:/etc/postfix/sasl_proxy
postconf -M 'nbdb_reindex/unix=nbdb_reindex unix y n n - 1 nbdb_reindexd'
postconf -P 'nbdb_reindex/unix/non_bdb_migration_allow_user_prefixes=/var'
chmod 0664 /etc/postfix/main.cf
""" % {"key": FAKE_KEY}
EXPOSED = {  # (id, severity, file): fixable
    ("table.directory", "medium", "/srv/gw"): False,
    ("table.writable", "high", "/etc/postfix/header_checks"): True,
    ("db.writable", "medium", "/etc/postfix/relays.db"): True,
    ("legacy.stale_db", "low", "/etc/postfix/relays.db"): False,
    ("lmdb.lock_file", "low", "/etc/postfix/relays.lmdb-lock"): False,
    ("config.writable", "high", MAIN_CF): True,
    ("tls.key_readable", "high", "/etc/postfix/smtpd.key"): True,
    ("tls.key_readable", "medium", "/etc/postfix/sni.key"): True,
    ("reindex.service_left", "medium", "/etc/postfix/master.cf"): False,
    ("prefix.broad", "medium", "/etc/postfix/master.cf"): False,
}
EXPOSED_AFTER = {"/etc/postfix/header_checks": "0644", "/etc/postfix/relays.db": "0644", MAIN_CF: "0644",
                 "/etc/postfix/smtpd.key": "0640", "/etc/postfix/sni.key": "0600",
                 "/etc/postfix/sasl_proxy": "0640", "/etc/postfix/sasl_proxy.lmdb": "0640"}


@pytest.fixture(scope="module")
def exposed():
    host = start("sid", EXPOSED_SETUP)
    try:
        res = {"before": stat_all(host, EXPOSED_AFTER)}
        res["audit"], res["dry"] = concurrently(lambda: check(host, {"fail_on": "high"}),
                                                lambda: check(host, {"fix": True, "fail_on": "high"}, check_mode=True))
        res["unchanged"] = stat_all(host, EXPOSED_AFTER)
        res["fixed"] = check(host, {"fix": True, "fail_on": "high"})
        res["after"] = stat_all(host, EXPOSED_AFTER)
        res["again"] = check(host)
        res["proxy_lookup"] = host.run(["postmap", "-q", "[relay.example.com]:587", "lmdb:/etc/postfix/sasl_proxy"],
                                       user="postfix", check=False)
        yield res
    finally:
        host.stop()


def test_exposed_host_findings(exposed):
    result = exposed["audit"]
    assert result.failed and "security findings at or above high" in result["msg"], result
    assert_ran(result)
    got = {(f["id"], f["severity"], f["file"]): f["fixable"] for f in result["findings"] if (f["id"], f["severity"], f["file"]) in EXPOSED}
    assert got == EXPOSED, ids(result)
    broad = one(result, "prefix.broad")
    assert "nbdb_reindex/unix -o non_bdb_migration_allow_user_prefixes" in broad["evidence"] and "/var" in broad["evidence"]
    assert "/etc/postfix/sni.crt" not in {f["file"] for f in result["findings"]}  # a certificate, no key in it
    assert exposed["before"]["/etc/postfix/sni.key"]["size"] == len(FAKE_KEY)
    # proxy: 0640 root:postfix is right: no finding, and the unprivileged user postfix really reads it
    assert not [f for f in result["findings"] if (f["file"] or "").startswith("/etc/postfix/sasl_proxy")], ids(result)
    assert exposed["proxy_lookup"].stdout.strip() == "user:secret", exposed["proxy_lookup"]


def test_exposed_host_fix_in_check_mode_changes_nothing(exposed):
    dry = exposed["dry"]
    assert not dry.failed, dry  # check mode predicts the real run: the highs would be fixed
    assert exposed["unchanged"] == exposed["before"]
    assert sorted(c["file"] for c in dry["changes"]) == sorted(f for (i, s, f), fixable in EXPOSED.items() if fixable)


def test_exposed_host_fix_changes_exactly_the_judged_files(exposed):
    fixed = exposed["fixed"]
    assert not fixed.failed, fixed  # every high finding was fixed in this run: fail_on high passes
    assert fixed["changed"] and fixed["not_fixed"] == []
    assert {p: s["mode"] for p, s in exposed["after"].items()} == EXPOSED_AFTER
    changes = {c["file"]: (c["before"], c["after"]) for c in fixed["changes"]}
    assert changes == {"/etc/postfix/header_checks": ("0646", "0644"), "/etc/postfix/relays.db": ("0664", "0644"),
                       MAIN_CF: ("0664", "0644"), "/etc/postfix/smtpd.key": ("0644", "0640"),
                       "/etc/postfix/sni.key": ("0640", "0600")}, fixed["changes"]
    for path in ("/etc/postfix/sasl_proxy", "/etc/postfix/sasl_proxy.lmdb"):
        assert exposed["after"][path] == exposed["before"][path]  # proxy: 0640 root:postfix left alone
    left = {(f["id"], f["severity"], f["file"]) for f in ok(exposed["again"])["findings"]}
    assert left & set(EXPOSED) == {key for key, fixable in EXPOSED.items() if not fixable}
