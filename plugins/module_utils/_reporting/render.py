# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as Markdown and as one self-contained HTML page (inline CSS, no scripts, no external assets)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from html import escape

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import chart, sections
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
        row["host"], STATE_LABELS.get(row["state"], row["state"]), _batch(row), row["migrated_at"] or "-", row["postfix_version"] or "-",
        row.get("berkeley_db") or "-", _levels(row["levels_before"]), _levels(row["levels_after"]), str(row["tables_migrated"]),
        str(row["references_rewritten"]), "%.3f" % row["downtime_seconds"], _findings(row["findings"]),
        row["backup_path"] or "-", _prediction(row), str(len((row.get("verification") or {}).get("pre_existing") or [])),
        _rescued(row.get("rescue")), row["error"] or "",
    ]


def _batch(row):
    return "-" if row.get("batch") is None else str(row["batch"])


def ordered(rows):
    """The host table's reading order: hosts that need attention first, then pending ones, then by batch and name."""
    def key(row):
        rank = 0 if row["state"] in BAD_STATES else 1 if row["state"] in PENDING_STATES else 2
        batch = row.get("batch")
        return (rank, batch is None, batch if isinstance(batch, int) else 0, row["host"])
    return sorted(rows, key=key)


def anchors(rows):
    """{host: id of its section}, unique and made of [a-z0-9-] only."""
    found, used = {}, set()
    for row in rows:
        base = "host-" + (re.sub(r"[^a-z0-9]+", "-", row["host"].lower()).strip("-") or "x")
        name, number = base, 1
        while name in used:
            number += 1
            name = "%s-%d" % (base, number)
        used.add(name)
        found[row["host"]] = name
    return found


ORDER_NOTE = "Sorted for reading: hosts that need attention first, then pending ones, then by batch and name."


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


HEADERS = ["Host", "State", "Batch", "Migrated at", "Postfix", "Berkeley DB", "Level before", "Level after", "Tables",
           "References", "Downtime (s)", "Findings", "Backup", "Dry run vs result", "Pre-existing", "Rescued mail", "Error"]
# The HTML host table: one line per host at 30 hosts; levels, backup and the full texts are in the host's section.
HTML_HEADERS = ["Host", "State", "Batch", "Migrated at", "Postfix", "Berkeley DB", "Tables / refs", "Downtime (s)",
                "Findings", "Rescued mail", "Dry run vs result", "Pre-existing", "Error"]
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
    lines += ["| Findings | %s |" % _findings(report["totals"]["findings"]), ""] + _rollout_markdown(report)
    lines += ["## Hosts", "", "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(_md(cell) for cell in _cells(row)) + " |" for row in ordered(report["hosts"])]
    lines += ["", ORDER_NOTE]
    problems = _problems(report)
    if problems:
        lines += ["", "## Verification against each host's baseline", "", PROBLEMS_NOTE, "",
                  "| Host | Kind | Problem |", "|---|---|---|"]
        lines += ["| %s | %s | %s |" % (_md(host), kind, _md(line)) for host, kind, line in problems]
    lines += ["", DETAIL_HEADING]
    for row in ordered(report["hosts"]):
        lines += ["", "### %s: %s" % (_md(row["host"]), _md(STATE_LABELS.get(row["state"], row["state"])))]
        for title, headers, items in sections.host_sections(row, report["dry_run"]):
            lines += ["", "#### " + _md(title), ""]
            if headers is None:
                lines += ["- " + _md(item) for item in items]
            elif items:
                lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
                lines += ["| " + " | ".join(_md(cell) for cell in item) + " |" for item in items]
            else:
                lines.append("none")
    return "\n".join(lines) + "\n"


DETAIL_HEADING = "## Hosts in detail"


def summary(text):
    """The Markdown without the hosts' sections (what the module's diff shows)."""
    return text.split("\n" + DETAIL_HEADING + "\n")[0].rstrip("\n") + "\n" if text else text


def _rollout_markdown(report):
    groups = chart.per_batch(report["hosts"])
    return ["## Rollout: hosts per state per batch", "", "| Batch | Hosts | States |", "|---|---|---|"] + [
        "| %s | %d | %s |" % (label, sum(counts.values()), _md(", ".join(
            "%s %d" % (STATE_LABELS.get(state, state), count) for state, count in sorted(counts.items()))))
        for label, counts in groups] + [""]


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
#hosts{font-size:.78rem}#hosts td{padding:.3rem .4rem}#hosts td:last-child{min-width:12rem}
#hosts td:nth-child(1),#hosts td:nth-child(3),#hosts td:nth-child(4),#hosts td:nth-child(7),#hosts td:nth-child(8){white-space:nowrap}
h2{margin:1.6rem 0 .5rem}.chart{background:#fff;border:1px solid #d9dde3;border-radius:8px;padding:.6rem;display:inline-block}
.host-detail{background:#fff;border:1px solid #d9dde3;border-left:4px solid #1a7f37;border-radius:6px;padding:.2rem 1rem .8rem;margin:1rem 0}
.host-detail.bad{border-left-color:#b42318}.host-detail.pending{border-left-color:#d4a72c}
.host-detail h3{margin:.6rem 0}.host-detail h4{margin:.8rem 0 .3rem;font-size:.9rem;color:#3d4652}
.host-detail ul{margin:.2rem 0;padding-left:1.2rem;font-size:.85rem}.up{font-size:.75rem;font-weight:400;margin-left:.6rem}
table.detail td{font-family:ui-monospace,monospace;font-size:.78rem;word-break:break-word}.none{color:#5b6472;margin:.2rem 0}
.host-detail.bad .state{color:#b42318}.host-detail.good .state{color:#1a7f37}.host-detail.pending .state{color:#8a5a00}
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
    links = anchors(report["hosts"])
    parts += ['</section>', '<h2>Rollout: hosts per state per batch</h2>',
              '<div class="chart" id="rollout">%s</div>' % chart.svg(report["hosts"], STATE_LABELS),
              '<h2>Hosts</h2><p class="meta">%s</p>' % escape(ORDER_NOTE),
              '<table id="hosts"><thead><tr>%s</tr></thead><tbody>' % "".join(
                  "<th>%s</th>" % escape(header) for header in HTML_HEADERS)]
    for row in ordered(report["hosts"]):
        cells = dict(zip(HEADERS, _cells(row)))
        prediction = cells["Dry run vs result"]
        problem = cells["Error"] if len(cells["Error"]) <= 90 else cells["Error"][:88] + "..."
        rendered = ['<td><a href="#%s">%s</a></td>' % (links[row["host"]], escape(row["host"])),
                    '<td class="state">%s</td>' % escape(cells["State"])]
        cells["Tables / refs"] = "%s / %s" % (cells["Tables"], cells["References"])
        rendered += ["<td>%s</td>" % escape(cells[header]) for header in HTML_HEADERS[2:-3]]
        rendered += ['<td class="%s" title="%s">%s</td>' % (
            "differs" if prediction.startswith("DIFFERS") else "", escape(prediction), escape(prediction.split(":")[0])),
            "<td>%s</td>" % escape(cells["Pre-existing"]), '<td title="%s">%s</td>' % (escape(cells["Error"]), escape(problem))]
        parts.append('<tr class="host %s" data-host="%s">%s</tr>' % (_klass(row), escape(row["host"]), "".join(rendered)))
    parts.append("</tbody></table>")
    problems = _problems(report)
    if problems:
        parts += ['<h2>Verification against each host\'s baseline</h2><p>%s</p>' % escape(PROBLEMS_NOTE),
                  '<table id="verification"><thead><tr><th>Host</th><th>Kind</th><th>Problem</th></tr></thead><tbody>']
        parts += ['<tr class="%s"><td>%s</td><td>%s</td><td>%s</td></tr>' % (
            "bad" if kind == "regression" else "good", escape(host), kind, escape(line)) for host, kind, line in problems]
        parts.append("</tbody></table>")
    parts.append("<h2>Hosts in detail</h2>")
    for row in ordered(report["hosts"]):
        parts.append(_host_html(row, links[row["host"]], report["dry_run"]))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _klass(row):
    return "bad" if row["state"] in BAD_STATES else "pending" if row["state"] in PENDING_STATES else "good"


def _host_html(row, anchor, dry_run):
    parts = ['<section class="host-detail %s" id="%s"><h3>%s <span class="state">%s</span>'
             ' <a class="up" href="#hosts">host table</a></h3>' % (
                 _klass(row), anchor, escape(row["host"]), escape(STATE_LABELS.get(row["state"], row["state"])))]
    for title, headers, items in sections.host_sections(row, dry_run):
        parts.append("<h4>%s</h4>" % escape(title))
        if headers is None:
            parts.append("<ul>%s</ul>" % "".join("<li>%s</li>" % escape(item) for item in items))
        elif items:
            parts.append('<table class="detail"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>' % (
                "".join("<th>%s</th>" % escape(header) for header in headers),
                "".join("<tr>%s</tr>" % "".join("<td>%s</td>" % escape(cell) for cell in item) for item in items)))
        else:
            parts.append('<p class="none">none</p>')
    parts.append("</section>")
    return "".join(parts)
