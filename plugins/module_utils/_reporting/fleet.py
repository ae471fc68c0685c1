# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: per-host history of records, and the report built from it (schema: docs/fleet-report.md).

A record is what the migrate role leaves in ``migrate_summary`` for one run on one host. The history of a host
keeps the latest dry run, the latest real run, the latest run that migrated, the latest playbook rollback and the
latest record of any kind, so a re-run that changes nothing does not hide what the migration did.
"""

from __future__ import absolute_import, division, print_function

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._masking import mask_text

__metaclass__ = type

SCHEMA_VERSION = 1
SEVERITIES = ("critical", "high", "medium", "low", "info")
DRY_RUN_STATES = ("would_migrate", "nothing_to_do", "would_fail")
REAL_STATES = ("migrated", "unchanged", "failed", "rolled_back")
ROLLBACK_STATES = ("restored", "nothing_to_restore", "would_restore", "restore_failed")
SKIPPED_STATES = ("not_reached", "unreachable")
STATES = REAL_STATES + ROLLBACK_STATES + DRY_RUN_STATES + SKIPPED_STATES + ("no_result",)
RUNS = ("dry_run", "migrate", "rollback")


class RecordError(NbdbError):
    """A record that the report cannot use; str() says which field."""


def check_record(record):
    """Raise RecordError unless record has a host, a known run and a known status."""
    if not isinstance(record, dict):
        raise RecordError("record must be a dict, got %s" % type(record).__name__)
    for key in ("host", "run", "status"):
        if not record.get(key):
            raise RecordError("record of host %r lacks %r" % (record.get("host"), key))
    if record["run"] not in RUNS:
        raise RecordError("record of host %s: unknown run %r (expected one of %s)" % (record["host"], record["run"], ", ".join(RUNS)))
    if record["status"] not in STATES:
        raise RecordError("record of host %s: unknown status %r" % (record["host"], record["status"]))


def add_record(history, record):
    """The host's history after one more record (history may be None for a new host)."""
    check_record(record)
    history = dict(history or {"host": record["host"]})
    history["last"] = record
    if record["status"] in SKIPPED_STATES:
        return history
    history[record["run"]] = record
    if record["status"] == "migrated":
        history["migrated"] = record
    return history


def host_state(history):
    """(state, the record it comes from): a rollback newer than the real run wins, then the real run, then the dry run."""
    migrate, rollback, dry_run = history.get("migrate"), history.get("rollback"), history.get("dry_run")
    if rollback and rollback["status"] == "restored" and (not migrate or _after(rollback, migrate)):
        return "restored", rollback
    if migrate:
        return migrate["status"], migrate
    last = history.get("last")
    if dry_run and not (last and last["status"] in SKIPPED_STATES and last["run"] != "dry_run" and _after(last, dry_run)):
        return dry_run["status"], dry_run  # a later rollout that did not reach the host shows as such
    return (last["status"], last) if last else ("no_result", {})


def _after(one, other):
    return (one.get("finished_at") or one.get("started_at") or "") >= (other.get("finished_at") or other.get("started_at") or "")


def _count(value):
    return len(value) if isinstance(value, (list, tuple)) else int(value or 0)


def prediction(history):
    """The dry run's prediction next to what the later real run did, or None when there is no such pair."""
    dry_run = history.get("dry_run")
    real = history.get("migrated") or history.get("migrate")
    if not dry_run or not real or _after(dry_run, real):
        return None
    predicted = {"status": dry_run["status"], "tables": _count(dry_run.get("tables_migrated")),
                 "references": _count(dry_run.get("references_rewritten")), "levels_after": dry_run.get("levels_after") or {}}
    actual = {"status": real["status"], "tables": _count(real.get("tables_migrated")),
              "references": _count(real.get("references_rewritten")), "levels_after": real.get("levels_after") or {}}
    expected_status = {"would_migrate": "migrated", "nothing_to_do": "unchanged", "would_fail": "failed"}
    matched = (expected_status.get(predicted["status"]) == actual["status"] or
               (predicted["status"] == "would_fail" and actual["status"] == "rolled_back"))
    matched = matched and all(predicted[key] == actual[key] for key in ("tables", "references", "levels_after"))
    return {"dry_run_at": dry_run.get("finished_at"), "predicted": predicted, "actual": actual, "matched": matched}


def host_row(name, history):
    """One host of the report: its state and the facts of the run that set it."""
    history = history or {"host": name}
    state, source = host_state(history)
    migrated = history.get("migrated") or {}
    last = history.get("last") or {}
    known = _with_detail(source, last, history.get("migrate"), history.get("dry_run")) or source  # measured the host
    findings = dict((severity, 0) for severity in SEVERITIES)
    findings.update((source.get("findings") or last.get("findings") or known.get("findings") or {}))
    return {
        "host": name,
        "state": state,
        "postfix_version": source.get("postfix_version") or last.get("postfix_version") or known.get("postfix_version"),
        "berkeley_db": source.get("berkeley_db") or last.get("berkeley_db") or known.get("berkeley_db"),
        "levels_before": (migrated or source).get("levels_before") or {},
        "levels_after": source.get("levels_after") or {},
        "tables_migrated": _count(migrated.get("tables_migrated")) if migrated else _count(source.get("tables_migrated")),
        "references_rewritten": _count((migrated or source).get("references_rewritten")),
        "downtime_seconds": float((migrated or source).get("downtime_seconds") or 0.0),
        "legacy_references_left": source.get("legacy_references_left"),
        "findings": findings,
        "backup_path": (migrated or source).get("backup_path"),
        "migrated_at": migrated.get("finished_at"),
        "error": source.get("error"),
        "failed_task": source.get("failed_task"),
        "last_run": {key: last.get(key) for key in ("run", "status", "started_at", "finished_at", "error")} if last else None,
        "prediction": prediction(history),
        "verification": _verification(source.get("verification") or last.get("verification")),
        "batch": source.get("batch"),
        "run": source.get("run"),
        "timeline": _timeline(history),
        "detail": _detail(migrated or _with_detail(source, history.get("migrate"), history.get("dry_run")) or source,
                          known),
        "rescue": _rescue_of(source, migrated),
        "orphans_at_risk": [str(path) for path in source.get("orphans_at_risk") or []],
    }


def _rescue(value):
    """Mail deferred for table errors and sent again after the migration (issue 17 §5), or None."""
    if not isinstance(value, dict):
        return None
    counts = dict((key, _count(value.get(key))) for key in
                  ("table_errors_before", "table_errors", "requeued", "delivered", "still_deferred", "other"))
    counts["sent_again"] = bool(value.get("sent_again"))
    return counts


def _rescue_of(source, migrated):
    """The rescue of the run that found mail deferred for table errors (a re-run that changes nothing finds none and
    must not hide what the migration sent again), else the latest run's."""
    for value in (source.get("rescue"), (migrated or {}).get("rescue")):
        if isinstance(value, dict) and (_count(value.get("table_errors_before")) or _count(value.get("table_errors"))):
            return _rescue(value)
    return _rescue(source.get("rescue") or (migrated or {}).get("rescue"))


def _timeline(history):
    """When the host was dry-run, migrated and re-checked (a later real run), and in which batch."""
    def at(record):
        return {"at": record.get("finished_at") or record.get("started_at"), "batch": record.get("batch"),
                "status": record.get("status")} if record else None
    migrated, migrate, last = history.get("migrated"), history.get("migrate"), history.get("last")
    rechecked = migrate if migrate and migrated and migrate != migrated and _after(migrate, migrated) else None
    real = migrate if migrate and not migrated else None
    shown = [history.get("dry_run"), migrated, rechecked, real, history.get("rollback")]
    return {"dry_run": at(history.get("dry_run")), "migrated": at(migrated), "rechecked": at(rechecked),
            "real_run": at(real), "rollback": at(history.get("rollback")),
            "last": at(last) if last and last not in shown else None}


def _with_detail(*records):
    """The first record that carries a detail (a not_reached record has none: the dry run says what will happen)."""
    return next((record for record in records if record and record.get("detail")), None)


def _masked(items, keys):
    """Configuration text of a record masked once more (records written by hand or by older releases)."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            item = dict(item)
            for key in keys:
                if isinstance(item.get(key), str):
                    item[key] = mask_text(item[key])
            out.append(item)
    return out


def _detail(migration, latest):
    """Tables and references of the run that migrated the host (else the latest), findings and Berkeley DB of the latest
    run; what the host would lose without Berkeley DB: tables whose content only its .db holds or whose .db differs."""
    tables = [dict(table) for table in (migration.get("detail") or {}).get("tables") or [] if isinstance(table, dict)]
    latest_detail = latest.get("detail") or {}
    lost = [table["name"] for table in tables if table.get("role") == "orphan" or table.get("matches_legacy") is False]
    return {"tables": tables,
            "references": _masked((migration.get("detail") or {}).get("references"), ("before", "after")),
            "findings": _masked(latest_detail.get("findings"), ("evidence", "remedy")),
            "berkeley_db": _masked(latest_detail.get("berkeley_db"), ("message",)),
            "writers": _masked(latest_detail.get("writers"), ("command", "note")),
            "lost_without_berkeley_db": lost,
            "of_run": {"run": migration.get("run"), "status": migration.get("status")} if migration else None}


def _verification(value):
    """The baseline verification of the run (issue 15 §2): where the probe went, and the problems that were
    there before the switch (reported, never a reason to roll back) next to those the switch caused."""
    if not isinstance(value, dict):
        return None
    return {"route": value.get("route"), "probe_before": value.get("probe_before"),
            "probe_after": value.get("probe_after"),
            "pre_existing": [str(line) for line in value.get("pre_existing") or []],
            "regressions": [str(line) for line in value.get("regressions") or []]}


def build_report(histories, hosts, generated_by, generated_at, title):
    """The whole report. hosts: names that belong to the fleet (listed even without a record)."""
    names = sorted(set(hosts) | set(histories))
    rows = [host_row(name, histories.get(name)) for name in names]
    states = dict((state, 0) for state in STATES)
    for row in rows:
        states[row["state"]] += 1
    downtimes = [row["downtime_seconds"] for row in rows if row["downtime_seconds"]]
    findings = dict((severity, sum(row["findings"][severity] for row in rows)) for severity in SEVERITIES)
    totals = {
        "hosts": len(rows),
        "states": states,
        "migrated": states["migrated"],
        "unchanged": states["unchanged"],
        "failed": states["failed"] + states["restore_failed"],
        "rolled_back": states["rolled_back"] + states["restored"],
        "tables_migrated": sum(row["tables_migrated"] for row in rows),
        "references_rewritten": sum(row["references_rewritten"] for row in rows),
        "downtime_seconds_total": round(sum(downtimes), 3),
        "downtime_seconds_max": round(max(downtimes), 3) if downtimes else 0.0,
        "legacy_free": sum(1 for row in rows if row["legacy_references_left"] == 0),
        "findings": findings,
        "without_berkeley_db": sum(1 for row in rows if row["berkeley_db"] in ("missing_311", "unsupported_type")),
        "mail_rescued": sum(row["rescue"]["delivered"] for row in rows if row["rescue"]),
        "orphans_at_risk": sum(len(row["orphans_at_risk"]) for row in rows),
        "predictions_matched": sum(1 for row in rows if row["prediction"] and row["prediction"]["matched"]),
        "predictions_missed": sum(1 for row in rows if row["prediction"] and not row["prediction"]["matched"]),
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "title": title,
        "generated_by": generated_by,
        "generated_at": generated_at,
        "dry_run": generated_by == "dry_run",
        "totals": totals,
        "hosts": rows,
    }
