"""Fleet report: the mail rescued after the migration (record field ``rescue``) and the orphans a host with
Berkeley DB would lose (``orphans_at_risk``), issue 17 §4-5: one column, two totals, a line per orphan."""
from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import fleet, render
from tests.unit.plugins.module_utils.test_reporting import history, record

RESCUE = {"table_errors_before": 2, "table_errors": 3, "requeued": 3, "delivered": 2, "still_deferred": 1, "other": 0,
          "sent_again": True}


def report():
    broken = record("mx6", "migrate", "migrated", "2026-12-01T11:00:00Z", berkeley_db="missing_311", rescue=RESCUE)
    risky = record("mx7", "dry_run", "would_migrate", "2026-12-01T11:00:00Z", berkeley_db="available",
                   orphans_at_risk=["/etc/postfix/relocated"],
                   rescue=dict(RESCUE, requeued=0, delivered=0, still_deferred=0, sent_again=False))
    old = record("mx8", "migrate", "migrated", "2026-12-01T11:00:00Z")  # a record from before these fields
    return fleet.build_report({"mx6": history(broken), "mx7": history(risky), "mx8": history(old)},
                              ["mx6", "mx7", "mx8"], "migrate_fleet", "2026-12-01T12:00:00Z", "Fleet")


def test_rows_and_totals():
    data = report()
    rows = {row["host"]: row for row in data["hosts"]}
    assert rows["mx6"]["rescue"] == RESCUE and rows["mx8"]["rescue"] is None
    assert rows["mx7"]["orphans_at_risk"] == ["/etc/postfix/relocated"]
    assert data["totals"]["mail_rescued"] == 2 and data["totals"]["orphans_at_risk"] == 1


def test_rendered():
    text = render.markdown(report())
    cells = {line.split(" | ")[0][2:]: line.split(" | ") for line in text.splitlines()
             if line.startswith("| mx") and len(line.split(" | ")) == len(render.HEADERS)}
    column = render.HEADERS.index("Rescued mail")
    assert cells["mx6"][column] == "2/3 delivered (1 still deferred)"
    assert cells["mx7"][column] == "3 deferred" and cells["mx8"][column] == "-"
    assert "| mx7 | orphan at risk | /etc/postfix/relocated: only its .db is left" in text
    assert "Mail rescued" in text and "Orphans at risk" in text
    assert "2/3 delivered" in render.html(report())


def test_a_rerun_that_finds_no_deferred_mail_keeps_the_migrations_rescue():
    migrated = record("mx6", "migrate", "migrated", "2026-12-01T11:00:00Z", berkeley_db="missing_311", rescue=RESCUE)
    again = record("mx6", "migrate", "unchanged", "2026-12-01T11:30:00Z", berkeley_db="missing_311",
                   rescue=dict((key, 0) for key in RESCUE if key != "sent_again"))
    row = fleet.host_row("mx6", history(migrated, again))
    assert row["state"] == "unchanged" and row["rescue"] == RESCUE
