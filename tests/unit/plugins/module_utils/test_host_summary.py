"""Issue 15 §4: the host's record (host_summary, the role's summary filter) is decided in Python from the role's
registered results: status, levels, what nbdb_switch reported doing, verification, rescue, service."""
import datetime

import pytest

from ansible_collections.mailops.nbdb.plugins.filter.host_summary import FilterModule
from ansible_collections.mailops.nbdb.plugins.module_utils._reporting.summary import host_summary

from tests.unit import report_records as synthetic

START = {"host": "mx1", "run": "migrate", "check_mode": False, "started_at": "2026-12-01T10:00:00Z", "status": "failed",
         "error": None, "failed_task": None}
NOW = datetime.datetime(2026, 12, 1, 10, 5, 0)
LEFT = ["hash:/etc/aliases", "hash:/etc/postfix/access"]


def before(needed=True):
    info = synthetic.info()
    info["plan"] = {"needed": needed, "references_migrated": LEFT if needed else [], "tables_kept": ["hash:/srv/keep"],
                    "exclude_unmatched": ["/srv/nothing"]}
    return info


def after():
    return {"instances": [{"config_dir": "/etc/postfix", "migration_level": "enable-redirect"}],
            "plan": {"references_migrated": []}}


def switched():
    return dict(synthetic.switch(), downtime=0.25, instances=[
        {"tables": [{"target": "lmdb:/etc/aliases"}, {"target": "lmdb:/etc/postfix/access"}], "rewritten": 3}])


def summary(outcome="done", check_mode=False, level="enable-redirect", info=None, **results):
    return host_summary(START, info or before(), outcome, check_mode, level, now=NOW, **results)


@pytest.mark.parametrize("outcome, check_mode, needed, backup, expected", [
    ("done", False, True, None, "migrated"),
    ("done", False, False, None, "unchanged"),
    ("done", True, True, None, "would_migrate"),
    ("done", "True", False, None, "nothing_to_do"),  # ansible-core 2.18 templates the boolean to a string
    ("rolled_back", False, True, {"path": "/var/backups/mailops-nbdb/1"}, "rolled_back"),
    ("rolled_back", False, True, {"skipped": True}, "failed"),  # no backup taken: nothing was restored
    ("rolled_back", True, True, None, "would_fail"),
])
def test_status(outcome, check_mode, needed, backup, expected):
    assert summary(outcome, check_mode, info=before(needed), backup=backup)["status"] == expected


def test_a_real_run_records_what_the_switch_did_and_the_levels_measured_after():
    record = summary(after=after(), switch=switched())
    assert record["tables_migrated"] == ["lmdb:/etc/aliases", "lmdb:/etc/postfix/access"]
    assert record["references_rewritten"] == 3 and record["downtime_seconds"] == 0.25
    assert record["levels_before"] == {"/etc/postfix": "disable"}
    assert record["levels_after"] == {"/etc/postfix": "enable-redirect"}
    assert record["legacy_references_left"] == 0
    assert (record["tables_kept"], record["exclude_unmatched"]) == (["hash:/srv/keep"], ["/srv/nothing"])
    assert record["finished_at"] == "2026-12-01T10:05:00Z"
    assert {key: record[key] for key in START if key != "status"} == {key: START[key] for key in START if key != "status"}


def test_a_dry_run_predicts_the_level_and_leaves_references_unmeasured():
    record = summary(check_mode=True, switch=switched())
    assert record["levels_after"] == {"/etc/postfix": "enable-redirect"}  # predicted: no nbdb_info after
    assert record["legacy_references_left"] is None
    assert record["tables_migrated"] == ["lmdb:/etc/aliases", "lmdb:/etc/postfix/access"]  # what the switch predicted


def test_level_keep_and_a_postfix_without_levels_predict_no_change():
    assert summary(check_mode=True, level="keep")["levels_after"] == {"/etc/postfix": "disable"}
    old = before()
    old["postfix"]["has_levels"] = False
    assert summary(check_mode=True, info=old)["levels_after"] == {"/etc/postfix": "disable"}


def test_a_rolled_back_host_keeps_its_levels_and_reports_nothing_switched():
    record = summary("rolled_back", after=after(), switch=switched(), backup={"path": "/b"})
    assert record["levels_after"] == {"/etc/postfix": "disable"}
    assert record["tables_migrated"] == [] and record["references_rewritten"] == 0
    assert record["legacy_references_left"] == len(LEFT) and record["backup_path"] == "/b"


def test_verification_and_service_facts():
    baseline = {"baseline": {}, "route": "delivered on this host", "probe": {"outcome": "deferred"}}
    verified = {"probe": {"outcome": "delivered"}, "verdict": {"pre_existing": ["content filter down"], "regressions": []}}
    record = summary(after=after(), baseline=baseline, verified=verified, service={"manager": "systemd"},
                     running_before=False, running_after=True)
    assert record["verification"] == {"route": "delivered on this host", "probe_before": "deferred",
                                      "probe_after": "delivered", "pre_existing": ["content filter down"],
                                      "regressions": []}
    assert record["service"] == {"manager": "systemd", "running_before": False, "running_after": True}
    assert summary(baseline={"skipped": True})["verification"] is None


def test_rescue_counts_and_whether_mail_was_sent_again():
    deferred = {"results": [{"table_errors": 4}, {"skipped": True}]}
    rescued = {"results": [{"table_errors": 0, "requeued": 4, "delivered": 3, "still_deferred": 1, "other": None},
                           {"skipped": True}]}
    assert summary(deferred_before=deferred, rescued=rescued)["rescue"] == {
        "table_errors_before": 4, "table_errors": 0, "requeued": 4, "delivered": 3, "still_deferred": 1, "other": 0,
        "sent_again": True}
    assert summary(check_mode=True, deferred_before=deferred, rescued=rescued)["rescue"]["sent_again"] is False
    assert summary(rescued={"skipped": True, "changed": False})["rescue"] is None


def test_findings_detail_and_orphans():
    record = summary(security=synthetic.security(), orphans_at_risk=["/etc/postfix/old_relays.db"])
    assert record["findings"] == synthetic.security()["counts"]
    assert record["orphans_at_risk"] == ["/etc/postfix/old_relays.db"]
    assert {table["name"] for table in record["detail"]["tables"]} >= {"hash:/etc/aliases"}
    assert synthetic.SECRET_PASSWORD not in str(record)


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="outcome must be one of"):
        summary("finished")


def test_the_filter_is_host_summary():
    assert FilterModule().filters()["host_summary"] is host_summary
