# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every fact of one host of the fleet report, as sections that the HTML and the Markdown render alike (so both carry
the same facts): a section is (title, headers, rows) - a table - or (title, None, lines) - a list. Plain text only;
the renderers escape it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


TABLE_HEADERS = ["Table", "Legacy -> new", "Role", "Entries", "Owner / mode", "File built", "What happens"]
REFERENCE_HEADERS = ["Parameter / service", "Table", "Defined at", "Line before", "Line after"]
FINDING_HEADERS = ["Severity", "What", "Evidence", "Remedy", "Fixed"]
RUN_HEADERS = ["Run", "When", "Batch", "Result"]


def _text(value):
    return "-" if value is None or value == "" else str(value)


def table_outcome(table, dry_run, status):
    """What happened (or, in a dry run, will happen) to a table."""
    if table.get("excluded"):
        return "excluded: stays %s" % table.get("name")
    if table.get("role") == "cache":
        return "cache: %s Postfix recreates it as %s" % ("after the switch" if dry_run else "since the switch",
                                                         table.get("target"))
    action, reason = table.get("action"), table.get("reason")
    why = " (%s)" % reason if reason else ""
    if action == "build":
        done = "will build %s" if dry_run else "built %s"
        text = (done % _text(table.get("target_file"))) + why
    elif action == "none":
        text = "already current, not rebuilt" + why
    else:
        text = "not built (the run stopped before the build)" if not dry_run else "not examined"
    if table.get("rebuilt_at_switch"):
        text += "; rebuilt in the switch window (its source changed)"
    if table.get("recovered_source"):
        text += "; source recovered from the .db into %s" % table["recovered_source"]
    if table.get("matches_legacy") is False:
        text += "; the source differs from the legacy .db (the new file follows the source)"
    if status == "rolled_back" and action == "build":
        text += "; rolled back"
    return text


def _type_change(table):
    old = (table.get("name") or "").split(":", 1)[0]
    new = (table.get("target") or "").split(":", 1)[0]
    return "%s -> %s" % (old or "?", new or "?")


def _path(table):
    name = table.get("name") or ""
    return name.split(":", 1)[1] if ":" in name else name


def tables_section(row, dry_run):
    tables = row["detail"]["tables"]
    status = (row["detail"].get("of_run") or {}).get("status")
    rows = [[_path(t), _type_change(t), _text(t.get("role")), _text(t.get("entries")),
             "%s %s" % (_text(t.get("owner")), _text(t.get("mode"))) if t.get("owner") else "-",
             _text(t.get("target_file")), table_outcome(t, dry_run, status)] for t in tables]
    return ("Tables (%d)" % len(tables), TABLE_HEADERS, rows)


def references_section(row):
    refs = row["detail"]["references"]
    rows = []
    for ref in refs:
        where = ref.get("parameter") or "-"
        if ref.get("service"):
            where = "%s (master.cf %s)" % (where, ref["service"])
        elif ref.get("origin") == "default":
            where += " (built-in default)"
        if ref.get("via") and len(ref["via"]) > 1:
            where += " via $" + ", $".join(ref["via"][1:])
        after = "excluded: unchanged" if ref.get("excluded") else _text(ref.get("after"))
        rows.append([where, _text(ref.get("table")), _text(ref.get("defined_at")), _text(ref.get("before")), after])
    return ("References (%d)" % len(refs), REFERENCE_HEADERS, rows)


def findings_section(row):
    findings = row["detail"]["findings"]
    rows = []
    for item in findings:
        what = " ".join(_text(item.get(key)) for key in ("id",)) + "".join(
            " %s" % item[key] for key in ("parameter", "file") if item.get(key))
        fixed = "yes" if item.get("fixed") else "no (fixable)" if item.get("fixable") else "no"
        rows.append([_text(item.get("severity")), what, _text(item.get("evidence")), _text(item.get("remedy")), fixed])
    return ("Security findings (%d)" % len(findings), FINDING_HEADERS, rows)


def summary_section(row):
    levels = sorted(set(row["levels_before"]) | set(row["levels_after"]))
    prediction = row.get("prediction")
    lines = ["Postfix: %s" % _text(row.get("postfix_version"))]
    lines += ["Level of %s: %s -> %s" % (path, _text(row["levels_before"].get(path)), _text(row["levels_after"].get(path)))
              for path in levels]
    lines += ["Tables migrated: %d, references rewritten: %d, downtime %.3f s" % (
        row["tables_migrated"], row["references_rewritten"], row["downtime_seconds"]),
        "hash:/btree: references left: %s" % _text(row.get("legacy_references_left")),
        "Backup: %s" % _text(row.get("backup_path"))]
    if prediction:
        lines.append("Dry run of %s %s: predicted %s, %d tables, %d references; result %s, %d tables, %d references" % (
            _text(prediction.get("dry_run_at")), "as predicted" if prediction["matched"] else "DIFFERS",
            prediction["predicted"]["status"], prediction["predicted"]["tables"], prediction["predicted"]["references"],
            prediction["actual"]["status"], prediction["actual"]["tables"], prediction["actual"]["references"]))
    return ("Summary", None, lines)


def runs_section(row):
    labels = (("dry_run", "dry run"), ("migrated", "migrated"), ("rechecked", "re-checked"), ("real_run", "real run"),
              ("rollback", "playbook rollback"), ("last", "latest record"))
    rows = [[label, _text(item["at"]), _text(item["batch"]), _text(item["status"])]
            for key, label in labels for item in [row["timeline"].get(key)] if item]
    return ("Runs", RUN_HEADERS, rows)


def failure_section(row):
    if not row.get("error") and row["state"] not in ("failed", "rolled_back", "would_fail", "restore_failed"):
        return None
    if row["state"] == "rolled_back":
        undone = "configuration and tables restored from the backup %s; Postfix started on the old configuration" % (
            _text(row.get("backup_path")))
    elif row["state"] == "would_fail":
        undone = "nothing: check mode changed nothing"
    elif row["state"] in ("unreachable", "not_reached"):
        undone = "nothing: the run did not reach this host"
    elif row["state"] in ("failed", "restore_failed"):
        undone = "nothing was restored (the run failed before the switch, or no backup was taken)"
    else:
        undone = "-"
    return ("Failure", None, ["Step: %s" % _text(row.get("failed_task")), "Message: %s" % _text(row.get("error")),
                              "Rolled back: %s" % undone])


def berkeley_db_section(row):
    lines = ["Host: %s" % _text(row.get("berkeley_db"))]
    lines += ["%s: %s%s" % (_text(item.get("instance")), _text(item.get("state")),
                            " - %s" % item["note"] if item.get("note") else "")
              for item in row["detail"]["berkeley_db"]]
    lost = row["detail"]["lost_without_berkeley_db"]
    lines.append("Lost without Berkeley DB: %s" % (
        ", ".join(lost) + " (only the .db holds this content)" if lost else
        "nothing known: every table's source holds its content" if row["detail"]["tables"] else "no table recorded"))
    return ("Berkeley DB", None, lines)


def writers_section(row):
    """Programs that write tables (Mailman, scripts) and what the migration means for each (plan.writers)."""
    found = row["detail"].get("writers") or []
    if not found:
        return None
    return ("Programs that write tables", None, ["%s: %s" % (_text(item.get("outcome")), _text(item.get("note")))
                                                 for item in found])


def verification_section(row):
    verification = row.get("verification")
    if not verification:
        return ("Verification against the baseline", None, ["not run"])
    lines = ["Route: %s" % _text(verification.get("route")),
             "Probe: %s before, %s after" % (_text(verification.get("probe_before")), _text(verification.get("probe_after")))]
    lines += ["Pre-existing: %s" % line for line in verification["pre_existing"]] or ["Pre-existing: none"]
    lines += ["Regression: %s" % line for line in verification["regressions"]]
    return ("Verification against the baseline", None, lines)


def rescue_section(row):
    """Mail deferred for table errors and what the rescue did with it (fleet._rescue's counts)."""
    rescue = row.get("rescue")
    if not rescue or not (rescue["table_errors_before"] or rescue["table_errors"]):
        return None
    lines = ["deferred for table errors before the migration: %d" % rescue["table_errors_before"]]
    if rescue["sent_again"]:
        lines += ["delivered after it: %d of %d sent again" % (rescue["delivered"], rescue["requeued"]),
                  "still deferred: %d" % rescue["still_deferred"]]
    else:
        lines.append("not sent again (a dry run, or Postfix left stopped): %d waiting" % rescue["table_errors"])
    if rescue["other"]:
        lines.append("deferred for other reasons, left alone: %d" % rescue["other"])
    return ("Rescued messages", None, lines)


def host_sections(row, dry_run):
    """The sections of one host, in reading order (None entries dropped)."""
    dry = dry_run or (row["detail"].get("of_run") or {}).get("run") == "dry_run"
    found = [summary_section(row), runs_section(row), failure_section(row), berkeley_db_section(row), writers_section(row),
             verification_section(row), rescue_section(row), tables_section(row, dry), references_section(row), findings_section(row)]
    return [section for section in found if section]
