"""Fleet report: history of records per host, host state, dry-run predictions, totals, Markdown and HTML."""
import json
from html.parser import HTMLParser

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import fleet, render, store


def record(host, run, status, at, **extra):
    base = {"host": host, "run": run, "status": status, "started_at": at, "finished_at": at,
            "postfix_version": "3.11.7", "levels_before": {"/etc/postfix": "disable"},
            "levels_after": {"/etc/postfix": "enable-redirect"}, "tables_migrated": [], "references_rewritten": 0,
            "downtime_seconds": 0.0, "findings": {"high": 0, "medium": 1}, "backup_path": None}
    base.update(extra)
    return base


DRY = record("mx1", "dry_run", "would_migrate", "2026-11-26T10:00:00Z", tables_migrated=["lmdb:/a", "lmdb:/b"],
             references_rewritten=3)
MIGRATED = record("mx1", "migrate", "migrated", "2026-11-26T11:00:00Z", tables_migrated=["lmdb:/a", "lmdb:/b"],
                  references_rewritten=3, downtime_seconds=0.8, backup_path="/var/backups/mailops-nbdb/x",
                  legacy_references_left=0)
AGAIN = record("mx1", "migrate", "unchanged", "2026-11-26T12:00:00Z", levels_before={"/etc/postfix": "enable-redirect"},
               legacy_references_left=0)


def history(*records):
    result = None
    for item in records:
        result = fleet.add_record(result, item)
    return result


def test_a_rerun_that_changes_nothing_keeps_what_the_migration_did():
    row = fleet.host_row("mx1", history(DRY, MIGRATED, AGAIN))
    assert row["state"] == "unchanged"
    assert row["tables_migrated"] == 2 and row["references_rewritten"] == 3 and row["downtime_seconds"] == 0.8
    assert row["levels_before"] == {"/etc/postfix": "disable"}
    assert row["migrated_at"] == "2026-11-26T11:00:00Z"
    assert row["prediction"]["matched"] is True


def test_a_prediction_that_differs_is_flagged():
    real = dict(MIGRATED, tables_migrated=["lmdb:/a"])
    item = fleet.host_row("mx1", history(DRY, real))["prediction"]
    assert item["matched"] is False and item["predicted"]["tables"] == 2 and item["actual"]["tables"] == 1


def test_a_dry_run_after_the_migration_is_not_compared():
    late_dry = record("mx1", "dry_run", "nothing_to_do", "2026-11-26T13:00:00Z")
    assert fleet.host_row("mx1", history(MIGRATED, late_dry))["prediction"] is None


def test_not_reached_does_not_hide_an_earlier_migration():
    skipped = record("mx1", "migrate", "not_reached", "2026-11-26T14:00:00Z")
    row = fleet.host_row("mx1", history(MIGRATED, skipped))
    assert row["state"] == "migrated" and row["last_run"]["status"] == "not_reached"


def test_a_newer_playbook_rollback_wins_and_an_older_one_does_not():
    restored = record("mx1", "rollback", "restored", "2026-11-26T12:30:00Z")
    assert fleet.host_row("mx1", history(MIGRATED, restored))["state"] == "restored"
    assert fleet.host_row("mx1", history(restored, dict(AGAIN, status="migrated", finished_at="2026-11-26T13:00:00Z")))["state"] == "migrated"


@pytest.mark.parametrize("bad, message", [
    ({"run": "migrate", "status": "migrated"}, "lacks 'host'"),
    ({"host": "mx1", "run": "upgrade", "status": "migrated"}, "unknown run 'upgrade'"),
    ({"host": "mx1", "run": "migrate", "status": "done"}, "unknown status 'done'"),
    ("mx1", "must be a dict"),
])
def test_bad_records_are_refused_clearly(bad, message):
    with pytest.raises(fleet.RecordError, match=message):
        fleet.add_record(None, bad)


def fleet_report(dry_run=False):
    failed = record("mx2", "migrate", "rolled_back", "2026-11-26T11:05:00Z", error="postfix start failed",
                    backup_path="/var/backups/mailops-nbdb/y", findings={"critical": 1})
    histories = {"mx1": history(DRY, MIGRATED), "mx2": history(failed)}
    return fleet.build_report(histories, ["mx1", "mx2", "mx3"], "dry_run" if dry_run else "migrate_fleet",
                              "2026-11-26T12:00:00Z", "Fleet <test>")


def test_totals_count_every_host_even_without_a_record():
    report = fleet_report()
    totals = report["totals"]
    assert [row["host"] for row in report["hosts"]] == ["mx1", "mx2", "mx3"]
    assert report["hosts"][2]["state"] == "no_result"
    assert (totals["hosts"], totals["migrated"], totals["rolled_back"], totals["failed"]) == (3, 1, 1, 0)
    assert totals["tables_migrated"] == 2 and totals["references_rewritten"] == 3
    assert totals["downtime_seconds_max"] == 0.8 and totals["legacy_free"] == 1
    assert totals["findings"]["critical"] == 1 and totals["findings"]["medium"] == 1
    assert totals["predictions_matched"] == 1 and not report["dry_run"]
    json.dumps(report)  # the schema is plain JSON


class Cells(HTMLParser):
    """Text of every element with an id or a data-host, and every external reference."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.rows, self.external, self.text, self.scripts = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-host" in attrs:
            self.rows.append(attrs["data-host"])
        self.external += [value for key, value in attrs.items()
                          if key in ("src", "href") and value and not value.startswith("#")]
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_self_contained_escaped_and_has_a_row_per_host():
    page = render.html(fleet_report(dry_run=True))
    parser = Cells()
    parser.feed(page)
    assert parser.rows == ["mx2", "mx3", "mx1"]  # rolled back, no result yet, migrated: attention first
    assert parser.external == [] and parser.scripts == 0 and "url(" not in page
    assert "Fleet &lt;test&gt;" in page and "<test>" not in page
    assert "DRY RUN" in page and "postfix start failed" in "".join(parser.text)


def test_markdown_has_the_totals_and_a_row_per_host():
    text = render.markdown(fleet_report())
    assert "| Migrated | 1 |" in text and "| Rolled back | 1 |" in text and "DRY RUN" not in text
    assert sum(1 for line in text.splitlines() if line.startswith("| mx")) == 3
    assert "as predicted: would_migrate, 2 tables, 3 refs -> migrated, 2 tables, 3 refs" in text


def test_store_writes_atomically_and_reports_changes_truthfully(tmp_path):
    path = str(tmp_path / "records" / "mx1.json")
    with store.locked(str(tmp_path)):
        assert store.write_text(path, "one\n") is True
        assert store.write_text(path, "one\n") is False
    assert [p.name for p in (tmp_path / "records").iterdir()] == ["mx1.json"]
    with pytest.raises(store.StoreError, match="mx1.json: cannot read"):
        store.read_histories(str(tmp_path))  # a damaged record is named, never skipped
    store.write_text(path, store.to_json(history(DRY)))
    assert store.read_histories(str(tmp_path)) == {"mx1": history(DRY)}
    with pytest.raises(store.StoreError, match="cannot be a file name"):
        store.record_path(str(tmp_path), "../etc")


def test_pre_existing_problems_and_regressions_are_listed_per_host():
    quirky = record("mx4", "migrate", "migrated", "2026-11-26T11:00:00Z", verification={
        "route": "delivered on this host", "probe_before": "deferred", "probe_after": "deferred",
        "pre_existing": ["the probe before the switch was deferred: connect to 127.0.0.1[127.0.0.1]:10024: refused",
                         "the mail log before the switch: error: open file /etc/postfix/vmd: No such file"],
        "regressions": []})
    broken = record("mx5", "migrate", "rolled_back", "2026-11-26T11:00:00Z", verification={
        "route": "probe skipped: mail for root is forwarded to ops@elsewhere.example, off the host",
        "pre_existing": [], "regressions": ["new in the mail log since the switch: warning: lmdb:/x is unavailable"]})
    report = fleet.build_report({"mx4": history(quirky), "mx5": history(broken)}, ["mx4", "mx5"], "migrate_fleet",
                                "2026-11-26T12:00:00Z", "Fleet")
    text = render.markdown(report)
    section = text.split("## Verification against each host's baseline")[1]
    assert section.count("| mx4 | pre-existing |") == 2 and "10024" in section
    assert "| mx5 | regression |" in section and "| mx5 | note |" in section
    row = [line for line in text.splitlines() if line.startswith("| mx4 |")][0]
    assert row.split(" | ")[render.HEADERS.index("Pre-existing")] == "2"
    page = render.html(report)
    assert 'id="verification"' in page and page.count('<tr class="good"><td>mx4</td>') == 2


def test_no_verification_section_without_problems():
    text = render.markdown(fleet_report())
    assert "each host's baseline" not in text and text.count("- not run") == 3  # said per host
