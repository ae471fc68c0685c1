# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as Markdown and as one self-contained HTML page (inline CSS, no scripts, no external assets)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from html import escape

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting.fleet import SEVERITIES

STATE_LABELS = {
    "migrated": "migrated", "unchanged": "unchanged", "failed": "failed",
    "rolled_back": "failed, rolled back", "restored": "restored from backup", "nothing_to_restore": "nothing to restore",
    "would_restore": "would be restored", "restore_failed": "restore failed", "would_migrate": "would migrate",
    "nothing_to_do": "nothing to do", "would_fail": "would fail", "not_reached": "not reached (rollout stopped)",
    "unreachable": "unreachable", "no_result": "no result yet",
}
BAD_STATES = ("failed", "rolled_back", "restore_failed", "would_fail", "unreachable")
PENDING_STATES = ("no_result", "not_reached", "would_migrate", "would_restore")
TOTALS = (
    ("hosts", "Hosts"), ("migrated", "Migrated"), ("unchanged", "Unchanged"), ("failed", "Failed"),
    ("rolled_back", "Rolled back"), ("legacy_free", "Free of hash/btree"), ("tables_migrated", "Tables migrated"),
    ("references_rewritten", "References rewritten"), ("downtime_seconds_total", "Downtime total (s)"),
    ("downtime_seconds_max", "Downtime max (s)"), ("without_berkeley_db", "Without Berkeley DB"),
    ("mail_rescued", "Mail rescued"), ("orphans_at_risk", "Orphans at risk"),
)
DRY_RUN_TOTALS = (("would_migrate", "Would migrate"), ("nothing_to_do", "Nothing to do"), ("would_fail", "Would fail"))


def _levels(levels):
    return ", ".join("%s: %s" % (path, level) for path, level in sorted((levels or {}).items())) or "-"


def _findings(findings):
    return " ".join("%s %d" % (severity, findings[severity]) for severity in SEVERITIES if findings.get(severity)) or "none"


def _prediction(row):
    item = row["prediction"]
    if not item:
        return "-"
    text = "%s, %d tables, %d refs -> %s, %d tables, %d refs" % (
        item["predicted"]["status"], item["predicted"]["tables"], item["predicted"]["references"],
        item["actual"]["status"], item["actual"]["tables"], item["actual"]["references"])
    return ("as predicted: " if item["matched"] else "DIFFERS: ") + text


def _total_items(report):
    items = [(label, report["totals"][key]) for key, label in TOTALS]
    states = report["totals"]["states"]
    if any(states[key] for key, dummy in DRY_RUN_TOTALS) or report["dry_run"]:
        items += [(label, states[key]) for key, label in DRY_RUN_TOTALS]
    return items


def _cells(row):
    return [
        row["host"], STATE_LABELS.get(row["state"], row["state"]), row["migrated_at"] or "-", row["postfix_version"] or "-",
        row.get("berkeley_db") or "-", _levels(row["levels_before"]), _levels(row["levels_after"]), str(row["tables_migrated"]),
        str(row["references_rewritten"]), "%.3f" % row["downtime_seconds"], _findings(row["findings"]),
        row["backup_path"] or "-", _prediction(row), str(len((row.get("verification") or {}).get("pre_existing") or [])),
        _rescued(row.get("rescue")), row["error"] or "",
    ]


def _rescued(rescue):
    """Of the mail deferred for table errors: delivered/sent again after the migration (still deferred), or in a
    dry run how much waits."""
    if not rescue or not (rescue["table_errors_before"] or rescue["table_errors"]):
        return "-"
    if not rescue["sent_again"]:
        return "%d deferred" % max(rescue["table_errors_before"], rescue["table_errors"])
    return "%d/%d delivered (%d still deferred)" % (rescue["delivered"], rescue["requeued"], rescue["still_deferred"])


def _problems(report):
    """(host, kind, line) of every pre-existing problem and regression the verification recorded."""
    found = []
    for row in report["hosts"]:
        verification = row.get("verification") or {}
        found += [(row["host"], "regression", line) for line in verification.get("regressions") or []]
        found += [(row["host"], "pre-existing", line) for line in verification.get("pre_existing") or []]
        if verification.get("route") and "skipped" in verification["route"]:
            found.append((row["host"], "note", verification["route"]))
        found += [(row["host"], "orphan at risk", path + ": only its .db is left; unreadable once Berkeley DB is gone")
                  for path in row.get("orphans_at_risk") or []]
    return found


HEADERS = ["Host", "State", "Migrated at", "Postfix", "Berkeley DB", "Level before", "Level after", "Tables", "References", "Downtime (s)",
           "Findings", "Backup", "Dry run vs result", "Pre-existing", "Rescued mail", "Error"]
PROBLEMS_NOTE = ("Problems the host had before the switch are pre-existing: reported, never a reason to roll back."
                 " A regression is what the switch changed (see docs/user-guide.md, Verification).")


_MD_ESCAPED = "\\`*[]|~"
_WORD = re.compile(r"\w")


def _md(text):
    """Host-supplied text (errors, log lines, names) as one inert Markdown table cell: HTML (``<``, ``&``) as
    entities, the Markdown punctuation that could start emphasis, code, links, images or strike-through
    backslash-escaped (``_`` only at a word's edge, where it could emphasise), autolinks broken, line breaks
    (any: \\n, \\r, U+2028...) as spaces; ordinary text (paths, ``postmap: fatal: ...``) stays readable."""
    text = " ".join(str(text).splitlines())
    out = []
    for index, char in enumerate(text):
        if char == "<":
            out.append("&lt;")
        elif char == "&":
            out.append("&amp;")
        elif char in _MD_ESCAPED:
            out.append("\\" + char)
        elif char == "_" and not (index and _WORD.match(text[index - 1]) and index + 1 < len(text)
                                  and _WORD.match(text[index + 1])):
            out.append("\\_")
        else:
            out.append(char)
    return "".join(out).replace("://", ":\\/\\/").replace("www.", "www\\.")


def markdown(report):
    lines = ["# %s" % _md(report["title"]), ""]
    if report["dry_run"]:
        lines += ["**DRY RUN** - check mode: no host was changed. States below are predictions.", ""]
    generated = "Generated %s by %s (schema %s)." % (
        _md(report["generated_at"]), _md(report["generated_by"]), _md(report["schema_version"]))
    lines += [generated, "", "## Fleet totals", "", "| Total | Value |", "|---|---|"]
    lines += ["| %s | %s |" % (label, value) for label, value in _total_items(report)]
    lines += ["| Findings | %s |" % _findings(report["totals"]["findings"]), "", "## Hosts", "",
              "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(_md(cell) for cell in _cells(row)) + " |" for row in report["hosts"]]
    problems = _problems(report)
    if problems:
        lines += ["", "## Verification against each host's baseline", "", PROBLEMS_NOTE, "",
                  "| Host | Kind | Problem |", "|---|---|---|"]
        lines += ["| %s | %s | %s |" % (_md(host), kind, _md(line)) for host, kind, line in problems]
    return "\n".join(lines) + "\n"


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1d2430;background:#f6f7f9}
h1{margin:0 0 .3rem}.meta{color:#5b6472;margin-bottom:1.2rem}
.banner{background:#fff4ce;border:1px solid #e0c36a;padding:.6rem 1rem;border-radius:6px;margin-bottom:1rem;font-weight:600}
.totals{display:flex;flex-wrap:wrap;gap:.6rem;margin-bottom:1.5rem}
.total{background:#fff;border:1px solid #d9dde3;border-radius:8px;padding:.6rem .9rem;min-width:7.5rem}
.total .value{font-size:1.5rem;font-weight:700}.total .label{color:#5b6472;font-size:.85rem}
table{border-collapse:collapse;background:#fff;width:100%;font-size:.85rem}
th,td{border:1px solid #d9dde3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef0f3}.state{font-weight:600;white-space:nowrap}
tr.bad .state{color:#b42318}tr.good .state{color:#1a7f37}tr.pending .state{color:#8a5a00}.differs{color:#b42318;font-weight:600}
"""


def html(report):
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>%s</title><style>%s</style></head><body>" % (escape(report["title"]), STYLE),
             "<h1>%s</h1>" % escape(report["title"]),
             '<div class="meta">Generated %s by %s (schema %s)</div>' % (
                 escape(report["generated_at"]), escape(report["generated_by"]), escape(str(report["schema_version"])))]
    if report["dry_run"]:
        parts.append('<div class="banner" id="dry-run">DRY RUN - check mode: no host was changed. States are predictions.</div>')
    parts.append('<section class="totals" id="totals">')
    for label, value in _total_items(report) + [("Findings", _findings(report["totals"]["findings"]))]:
        parts.append('<div class="total"><div class="value">%s</div><div class="label">%s</div></div>' % (
            escape(str(value)), escape(label)))
    parts += ['</section>', '<table id="hosts"><thead><tr>%s</tr></thead><tbody>' % "".join(
        "<th>%s</th>" % escape(header) for header in HEADERS)]
    for row in report["hosts"]:
        cells = _cells(row)
        klass = "bad" if row["state"] in BAD_STATES else "pending" if row["state"] in PENDING_STATES else "good"
        rendered = ['<td class="state">%s</td>' % escape(cells[1]) if index == 1 else
                    '<td class="differs">%s</td>' % escape(cell) if index == HEADERS.index("Dry run vs result") and cell.startswith("DIFFERS") else
                    "<td>%s</td>" % escape(cell) for index, cell in enumerate(cells)]
        parts.append('<tr class="host %s" data-host="%s">%s</tr>' % (klass, escape(row["host"]), "".join(rendered)))
    parts.append("</tbody></table>")
    problems = _problems(report)
    if problems:
        parts += ['<h2>Verification against each host\'s baseline</h2><p>%s</p>' % escape(PROBLEMS_NOTE),
                  '<table id="verification"><thead><tr><th>Host</th><th>Kind</th><th>Problem</th></tr></thead><tbody>']
        parts += ['<tr class="%s"><td>%s</td><td>%s</td><td>%s</td></tr>' % (
            "bad" if kind == "regression" else "good", escape(host), kind, escape(line)) for host, kind, line in problems]
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
