# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's record for the fleet report (docs/fleet-report.md), from what the migrate role's modules returned: the
status, the levels and tables before and after, verification, rescue and service facts. Decided here, on the
controller, so that the role only passes its registered results along (issue 15 §4).

Tables and rewrites are what nbdb_switch reported doing (in a dry run: predicting), so that the report's
"as predicted" compares prediction with action. In check mode the after-state is the prediction.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting.detail import record_detail

OUTCOMES = ("done", "rolled_back")  # the role's migrate_outcome


def _dict(value):
    """A registered result, or {} for one that is missing (a task that never ran) or was skipped."""
    return value if isinstance(value, dict) else {}


def status(outcome, check_mode, needed, backed_up):
    """The record's status: what happened to the host, or in a dry run what would."""
    if outcome == "rolled_back":
        return "would_fail" if check_mode else "rolled_back" if backed_up else "failed"
    if check_mode:
        return "would_migrate" if needed else "nothing_to_do"
    return "migrated" if needed else "unchanged"


def levels(info):
    """{config_dir: level} of an nbdb_info result."""
    return {instance["config_dir"]: instance.get("migration_level") for instance in info["instances"]}


def levels_after(before, after, outcome, predicted):
    """{config_dir: level} after the run: measured when the run finished, else predicted, else as before."""
    if outcome == "done" and "instances" in after:
        return levels(after)
    if predicted is None or outcome != "done":
        return levels(before)
    return dict.fromkeys(levels(before), predicted)


def references_left(before, after, outcome, needed):
    """The legacy references left (None: not measured), from discovery before or the verification's after."""
    if outcome != "done" or not needed:
        return (before.get("plan") or {}).get("references_migrated")
    return (after.get("plan") or {}).get("references_migrated") if "plan" in after else None


def verification(baseline, verified):
    """The baseline and post-switch verification, None when no baseline was taken."""
    if "baseline" not in baseline:
        return None
    verdict = verified.get("verdict") or {}
    return {"route": baseline.get("route"),
            "probe_before": (baseline.get("probe") or {}).get("outcome"),
            "probe_after": (verified.get("probe") or {}).get("outcome"),
            "pre_existing": verdict.get("pre_existing", []),
            "regressions": verdict.get("regressions", [])}


def rescue(deferred_before, rescued, check_mode):
    """Counts of the deferred-mail rescue (issue 17 §5), None when it did not run."""
    if "results" not in rescued:
        return None
    results = [_dict(result) for result in rescued["results"]]

    def total(key, results=results):
        return sum(result.get(key) or 0 for result in results)

    return {"table_errors_before": sum(_dict(result).get("table_errors") or 0
                                       for result in deferred_before.get("results") or []),
            "table_errors": total("table_errors"), "requeued": total("requeued"), "delivered": total("delivered"),
            "still_deferred": total("still_deferred"), "other": total("other"),
            "sent_again": not check_mode and any(result.get("delivered") is not None for result in results)}


def host_summary(summary, before, outcome, check_mode, level, after=None, switch=None, prebuild=None, security=None,
                 backup=None, baseline=None, verified=None, service=None, running_before=None, running_after=None,
                 orphans_at_risk=None, deferred_before=None, rescued=None, exclude=None, now=None):
    """summary (the record so far: host, run, started_at) completed from the role's registered results."""
    if outcome not in OUTCOMES:
        raise ValueError("outcome must be one of %s, not %r" % (", ".join(OUTCOMES), outcome))
    after, switch, backup, baseline = _dict(after), _dict(switch), _dict(backup), _dict(baseline)
    check_mode, plan = boolean(check_mode, strict=False), before.get("plan") or {}
    needed = bool(plan.get("needed"))
    predicted = level if needed and before["postfix"].get("has_levels") and level != "keep" else None
    switched = switch.get("instances", []) if needed and outcome == "done" else []
    left = references_left(before, after, outcome, needed)
    record = dict(summary)
    record.update({
        "status": status(outcome, check_mode, needed, backup.get("path") is not None),
        "postfix_version": before["postfix"].get("version"),
        "berkeley_db": before["postfix"].get("berkeley_db"),
        "needed": needed,
        "levels_before": levels(before),
        "levels_after": levels_after(before, after, outcome, predicted),
        "tables_migrated": [table["target"] for instance in switched for table in instance.get("tables", [])],
        "references_rewritten": sum(instance.get("rewritten", 0) for instance in switched),
        "downtime_seconds": switch.get("downtime", 0.0),
        "legacy_references_left": None if left is None else len(left),
        "tables_kept": plan.get("tables_kept", []),
        "exclude_unmatched": plan.get("exclude_unmatched", []),
        "findings": _dict(security).get("counts") or {},
        "service": {"manager": _dict(service).get("manager"), "running_before": running_before,
                    "running_after": running_after},
        "verification": verification(baseline, _dict(verified)),
        "orphans_at_risk": orphans_at_risk or [],
        "rescue": rescue(_dict(deferred_before), _dict(rescued), check_mode),
        "backup_path": backup.get("path"),
        "detail": record_detail(before, _dict(prebuild), switch, _dict(security), exclude or []),
        "finished_at": (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    return record
