"""Security rules over a hand-made host state."""
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import security


def facts(path, uid=0, mode=0o644):
    return {"path": path, "uid": uid, "gid": 0, "mode": mode}


def table(path, source=None, db=None, parents=None):
    return {"path": path, "files": {"source": source, "db": db, "lmdb": None, "cdb": None},
            "parents": parents or [facts("/etc/postfix", mode=0o755), facts("/etc", mode=0o755), facts("/", mode=0o755)]}


def state(**changes):
    base = {"config_dir": "/etc/postfix", "version": "3.11.7", "has_levels": True, "level": "disable", "now": 100000.0,
            "references": [], "prefixes": {"non_bdb_migration_allow_root_prefixes": ("/etc /usr/local/etc", "/etc /usr/local/etc")},
            "prefix_dirs": {}, "posture": {}, "legacy_tables": {}, "sensitive_tables": {}, "stale_db": [], "mailman": []}
    base.update(changes)
    return base


def ids(found):
    return sorted((f["id"], f["severity"]) for f in found)


def test_reindex_age_raises_severity():
    young = state(level="enable-reindex", reindex_since=(100000.0 - 3600, "recorded"))
    old = state(level="enable-reindex", reindex_since=(100000.0 - 3600 * 30, "recorded"))
    assert ids(security.check_level(young, 24)) == [("level.enable_reindex", "medium")]
    assert ids(security.check_level(old, 24)) == [("level.enable_reindex", "high")]


def test_reindex_refusals():
    tables = {
        "/srv/tables/canonical": table("/srv/tables/canonical", facts("/srv/tables/canonical"), facts("/srv/tables/canonical.db")),
        "/etc/pfx/a/b/virtual": table("/etc/pfx/a/b/virtual", facts("/etc/pfx/a/b/virtual"), facts("/etc/pfx/a/b/virtual.db"),
                                      [facts("/etc/pfx/a/b", mode=0o755), facts("/etc/pfx/a", mode=0o755),
                                       facts("/etc/pfx", mode=0o775), facts("/etc", mode=0o755), facts("/", mode=0o755)]),
        "/etc/postfix/ok": table("/etc/postfix/ok", facts("/etc/postfix/ok"), facts("/etc/postfix/ok.db")),
        "/etc/postfix/nodb": table("/etc/postfix/nodb", facts("/etc/postfix/nodb")),
    }
    found = security.check_reindex_rules(state(level="enable-reindex", legacy_tables=tables))
    assert sorted(f["file"] for f in found) == ["/etc/pfx/a/b/virtual", "/etc/postfix/nodb", "/srv/tables/canonical"]
    assert {f["severity"] for f in found} == {"medium"}
    assert {f["severity"] for f in security.check_reindex_rules(state(legacy_tables=tables))} == {"info"}


def test_risky_prefixes():
    found = security.check_prefixes(state(
        prefixes={"non_bdb_migration_allow_root_prefixes": ("/etc /tmp relative /srv/open /home/x", "/etc /usr/local/etc")},
        prefix_dirs={"/srv/open": facts("/srv/open", mode=0o777)}))
    assert len(found) == 4 and {f["severity"] for f in found} == {"high"}


def test_sensitive_tables_and_fixes():
    found = security.check_sensitive(state(sensitive_tables={"/etc/postfix/sasl_passwd": table(
        "/etc/postfix/sasl_passwd", facts("/etc/postfix/sasl_passwd", mode=0o644),
        facts("/etc/postfix/sasl_passwd.db", uid=1000, mode=0o640))}))
    assert ids(found) == [("sensitive.owner", "medium"), ("sensitive.readable", "high"), ("sensitive.readable", "medium")]
    assert all(f["fixable"] for f in found)
    assert [f["fix"]["mode"] for f in found if f["id"] == "sensitive.readable"] == [0o600, 0o600]


def test_posture_compares_effective_values():
    posture = {"smtp_tls_security_level": {"set": "may", "effective": "may", "effective_default": "may",
                                           "default": "${{$compatibility_level} <level {3.11} ? {} : {may}}"},
               "milter_default_action": {"set": "tempfail", "effective": "tempfail", "effective_default": "shutdown",
                                         "default": "shutdown"}}
    found = security.check_posture(state(posture=posture))
    assert [f["parameter"] for f in found] == ["milter_default_action"]


def test_no_reindex_rules_before_3_11():
    tables = {"/srv/x": table("/srv/x", facts("/srv/x"))}
    assert security.check_reindex_rules(state(has_levels=False, legacy_tables=tables)) == []


def test_fail_on_thresholds():
    assert security.severity_at_least("high", "medium") and not security.severity_at_least("low", "medium")
