# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-host detail of a record (issue 19 §1): every table, every reference with its line before and after,
every security finding, and Berkeley DB per instance - from what the role's modules returned, on the controller.

Only names, paths, counts and configuration lines go into a record, never a table's values; configuration lines
pass through _masking (they come masked from nbdb_switch's diff already; masking again is harmless).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._masking import mask_text, mask_value
from ansible_collections.mailops.nbdb.plugins.module_utils._planning.rewrite import is_excluded

BUILD_KEYS = ("target_file", "action", "reason", "entries", "matches_legacy", "recovered_source", "reader")
FINDING_KEYS = ("id", "severity", "instance", "file", "parameter", "fixable", "fixed")


def _owner_mode(files):
    """``user:group 0644`` of the legacy .db, else of the source (what the new file is built like)."""
    for kind in ("db", "source"):
        facts = (files or {}).get(kind)
        if isinstance(facts, dict):
            return {"owner": "%s:%s" % (facts.get("owner"), facts.get("group")), "mode": facts.get("mode"), "of": kind}
    return {"owner": None, "mode": None, "of": None}


def _builds(prebuild):
    """{table name: table_reindex entry} from the prebuild's loop results."""
    found = {}
    for result in (prebuild or {}).get("results") or []:
        for entry in (result or {}).get("tables") or []:
            if isinstance(entry, dict) and entry.get("table"):
                found[entry["table"]] = entry
    return found


def tables(before, prebuild, switch, exclude):
    built_at_switch = set((switch or {}).get("tables_built") or [])
    builds = _builds(prebuild)
    plan = before.get("plan")  # nbdb_info's decision (exclusion.decide); a result without one: the named tables
    if plan:
        kept = set(plan["tables_kept"])
    else:
        kept = set(t.get("name") for t in before.get("tables") or []
                   if t.get("path") in exclude or t.get("name") in exclude)
    out = []
    for table in before.get("tables") or []:
        build = builds.get(table.get("name")) or {}
        item = {"name": table.get("name"), "target": table.get("target"), "role": table.get("role"),
                "instance": table.get("config_dir"), "used_by": list(table.get("used_by") or []),
                "berkeley_db": table.get("berkeley_db"),
                "excluded": table.get("name") in kept}
        item.update(_owner_mode(table.get("files")))
        item.update((key, build.get(key)) for key in BUILD_KEYS)
        item["rebuilt_at_switch"] = table.get("name") in built_at_switch
        out.append(item)
    return out


def _texts(switch):
    """{path: (lines before, lines after)} of the files the switch changes (or would change)."""
    return dict((entry.get("before_header"), (str(entry.get("before") or "").splitlines(),
                                              str(entry.get("after") or "").splitlines()))
                for entry in (switch or {}).get("diff") or [] if isinstance(entry, dict))


def _lines(texts, site, needle):
    """(line before, line after) at a definition site: its first line or a continuation line holding needle."""
    before, after = texts.get(site.get("file"), ([], []))
    start = int(site.get("line") or 0) - 1
    if start < 0 or start >= len(before):
        return None, None
    index = start
    while index < len(before) and (index == start or before[index][:1].isspace()):
        if needle in before[index]:
            break
        index += 1
    else:
        index = start
    return mask_text(before[index]), mask_text(after[index]) if index < len(after) else None


def references(before, switch, exclude):
    texts = _texts(switch)
    targets = dict((table.get("path"), table.get("target")) for table in before.get("tables") or [])
    out = []
    for ref in before.get("references") or []:
        used, site = ref.get("used_by") or {}, ref.get("definition_site") or {}
        raw = ref.get("raw") or ""
        line_before, line_after = _lines(texts, site, raw) if site else (None, None)
        target = targets.get(ref.get("path")) or ""
        excluded = is_excluded(ref, exclude)  # what exclusion.decide (nbdb_info's plan) keeps
        if line_before is None and site.get("parameter"):
            line_before = mask_value(site["parameter"], raw)  # no diff (not switched): the table text only
            line_after = None if excluded or ":" not in target else mask_value(
                site["parameter"], target.split(":", 1)[0] + raw[len(ref.get("type") or ""):])
        out.append({"table": ref.get("expanded"), "type": ref.get("type"), "parameter": used.get("parameter"),
                    "service": used.get("service"), "origin": used.get("origin"),
                    "used_at": _where(used), "defined_at": _where(site), "defined_by": site.get("parameter"),
                    "via": list(ref.get("via") or []), "before": line_before, "after": line_after,
                    "excluded": excluded})
    return out


def _where(site):
    if not site or not site.get("file"):
        return None
    return "%s:%s" % (site["file"], site["line"]) if site.get("line") else site["file"]


def findings(security):
    out = []
    for finding in (security or {}).get("findings") or []:
        item = dict((key, finding.get(key)) for key in FINDING_KEYS)
        item["evidence"] = mask_text(str(finding.get("evidence") or ""))
        item["remedy"] = mask_text(str(finding.get("remedy") or ""))
        out.append(item)
    return out


def berkeley_db(before):
    out = []
    for instance in before.get("instances") or []:
        state = instance.get("berkeley_db") or {}
        out.append({"instance": instance.get("config_dir"), "state": state.get("state"),
                    "readable": state.get("readable"), "note": state.get("note"),
                    "message": mask_text(state.get("message")) if state.get("message") else None})
    return out


WRITER_KEYS = ("program", "file", "line", "setting", "via", "outcome", "builds")


def writers(before):
    """The programs that write tables, as nbdb_info's plan judged them (commands and notes masked)."""
    out = []
    for writer in (before.get("plan") or {}).get("writers") or []:
        item = dict((key, writer.get(key)) for key in WRITER_KEYS)
        item["command"] = mask_text(str(writer.get("command") or ""))
        item["note"] = mask_text(str(writer.get("note") or ""))
        change = writer.get("change") or None
        item["change"] = change and dict(change, value=mask_text(change["value"]) if change.get("value") else None)
        out.append(item)
    return out


def record_detail(before, prebuild=None, switch=None, security=None, exclude=None):
    """A record's ``detail``: tables, references, findings, berkeley_db (per instance); schema docs/fleet-report.md."""
    before = before if isinstance(before, dict) else {}
    exclude = list(exclude or [])
    return {"tables": tables(before, prebuild, switch, exclude), "references": references(before, switch, exclude),
            "findings": findings(security), "berkeley_db": berkeley_db(before), "writers": writers(before)}
