"""Issue 16, finding 5e: without a recorded start the enable-reindex age is unknown: reported as unknown (a finding
of its own), never guessed from main.cf's modification time."""
import os

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import security_state
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import security


def test_without_a_marker_the_start_is_unknown_not_main_cf_mtime(tmp_path, monkeypatch):
    monkeypatch.setattr(security_state, "REINDEX_SINCE_DIR", str(tmp_path / "none"))
    (tmp_path / "main.cf").write_text("non_bdb_migration_level = enable-reindex\n")
    os.utime(str(tmp_path / "main.cf"), (1000.0, 1000.0))
    since, how = security_state.reindex_since(str(tmp_path))
    assert since is None, (since, how)
    assert "not recorded" in how and "modification time" not in how


def test_a_recorded_start_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(security_state, "REINDEX_SINCE_DIR", str(tmp_path))
    with open(security_state.reindex_marker("/etc/postfix"), "w") as handle:
        handle.write("12345.5\n")
    assert security_state.reindex_since("/etc/postfix")[0] == 12345.5


STATE = {"config_dir": "/etc/postfix", "version": "3.11.7", "has_levels": True, "level": "enable-reindex",
         "now": 100000.0, "references": [], "prefixes": {}, "prefix_dirs": {}, "posture": {}, "legacy_tables": {},
         "sensitive_tables": {}, "stale_db": [], "mailman": [],
         "reindex_since": (None, "not recorded (no /var/lib/mailops-nbdb/reindex-since_etc_postfix)")}


def test_the_rule_reports_an_unknown_age_as_a_finding_of_its_own():
    found = security.check_level(dict(STATE), 24)
    assert sorted(f["id"] for f in found) == ["level.enable_reindex", "level.enable_reindex_age_unknown"]
    assert all("hours" not in f["evidence"] or "unknown" in f["evidence"] for f in found)
