# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security rules over gathered state: findings with id, severity, evidence and remedy. No I/O."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SEVERITIES = ("info", "low", "medium", "high", "critical")
RISKY_PREFIXES = ("/tmp", "/var/tmp", "/dev/shm", "/home", "/root", "/run/user")


def severity_at_least(severity, threshold):
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


def finding(fid, severity, state, evidence, remedy, file=None, parameter=None, fix=None):
    return {"id": fid, "severity": severity, "instance": state["config_dir"], "file": file, "parameter": parameter,
            "evidence": evidence, "remedy": remedy, "fixable": fix is not None, "fix": fix, "fixed": False}


def _mode(facts):
    return "%04o" % facts["mode"]


def _link(facts):
    """A symlink (lstat facts): its own mode is always 0777 and says nothing; it is a finding of its own."""
    return bool(facts and facts.get("is_link"))


def _judged(facts):
    """What a fix must find again on the descriptor it opens (security_fix compares it, then acts)."""
    return dict((key, facts[key]) for key in ("uid", "gid", "mode", "mtime", "dev", "ino") if key in facts)


def check_level(state, max_age_hours):
    if state["level"] != "enable-reindex":
        return []
    since, how = state["reindex_since"]
    main_cf = state["config_dir"] + "/main.cf"
    remedy = "drop back to enable-redirect once legacy callers are quiet: postfix non-bdb enable-redirect && postfix reload"
    if since is None:
        age, severity = "for an unknown time (%s)" % how, "medium"
    else:
        hours = (state["now"] - since) / 3600.0
        age, severity = "for at least %.1f hours (%s)" % (hours, how), "high" if hours > max_age_hours else "medium"
    found = [finding(
        "level.enable_reindex", severity, state,
        "non_bdb_migration_level = enable-reindex %s; nbdb_reindexd runs postmap/postalias on request, which upstream"
        " warns can be used for privilege escalation" % age,
        remedy, file=main_cf, parameter="non_bdb_migration_level", fix={"action": "level", "level": "enable-redirect"})]
    if since is None:
        found.append(finding(
            "level.enable_reindex_age_unknown", "low", state,
            "when enable-reindex was turned on is unknown: %s; whether it exceeded reindex_max_age (%g h) cannot be"
            " told" % (how, max_age_hours),
            "turn levels on with mailops.nbdb.nbdb_level (it records the time), or " + remedy,
            file=main_cf, parameter="non_bdb_migration_level"))
    return found


def _reindex_refusal(state, path, table):
    """Why nbdb_reindexd would refuse this table, or None (rules of nbdb_reindexd(8))."""
    if not path.startswith("/") or "/../" in path + "/":
        return "pathname %s is not absolute or contains /../" % path
    source = table["files"]["source"]
    if source is None:
        return "source file %s does not exist" % path
    if _link(source):
        return "source %s is a symlink (judged by lstat, never followed)" % path
    prefixes = state["prefixes"]
    parameter = "non_bdb_migration_allow_root_prefixes" if source["uid"] == 0 else "non_bdb_migration_allow_user_prefixes"
    allowed = (prefixes.get(parameter, (None, None))[0] or "").replace(",", " ").split()
    if not any(path.startswith(prefix.rstrip("/") + "/") for prefix in allowed):
        return "%s is outside %s (%s)" % (path, parameter, " ".join(allowed) or "empty")
    if source["mode"] & 0o022:
        return "source %s is group/other-writable (mode %s)" % (path, _mode(source))
    for parent in table["parents"]:
        if _link(parent):
            return "parent directory %s is a symlink" % parent["path"]
        if parent and (parent["mode"] & 0o022 or parent["uid"] not in (0, source["uid"])):
            return "parent directory %s is owned or writable by another user (uid %d, mode %s)" % (
                parent["path"], parent["uid"], _mode(parent))
    db = table["files"]["db"]
    if db is None:
        return "legacy %s.db does not exist (nbdb_reindexd only replaces existing .db files)" % path
    if db["uid"] != source["uid"]:
        return "%s.db is owned by uid %d, the source by uid %d" % (path, db["uid"], source["uid"])
    return None


def check_reindex_rules(state):
    if not state["has_levels"]:
        return []  # no nbdb_reindexd before 3.11
    found = []
    active = state["level"] == "enable-reindex"
    for path, table in sorted(state["legacy_tables"].items()):
        reason = _reindex_refusal(state, path, table)
        if reason:
            found.append(finding(
                "reindex.refused", "medium" if active else "info", state,
                "nbdb_reindexd would refuse to index %s: %s%s" % (
                    path, reason, "; lookups then fail temporarily and mail waits" if active else ""),
                "rebuild it yourself (mailops.nbdb.table_reindex) or fix ownership/permissions or the prefix lists",
                file=path))
    return found


def check_prefixes(state):
    found = []
    for name, (value, default) in sorted(state["prefixes"].items()):
        for entry in (value or "").replace(",", " ").split():
            facts = state["prefix_dirs"].get(entry)
            problem = None
            if not entry.startswith("/"):
                problem = ("high", "relative path %r" % entry)
            elif any(entry == p or entry.startswith(p + "/") for p in RISKY_PREFIXES):
                problem = ("high", "%s is a temporary or home directory that users can write to" % entry)
            elif _link(facts):
                problem = ("medium", "%s is a symlink (whoever can change it decides what the prefix allows)" % entry)
            elif facts and facts["mode"] & 0o002:
                problem = ("high", "%s is world-writable (mode %s)" % (entry, _mode(facts)))
            elif facts and facts["mode"] & 0o020:
                problem = ("medium", "%s is group-writable (mode %s)" % (entry, _mode(facts)))
            if problem:
                found.append(finding(
                    "prefix.risky", problem[0], state, "%s includes %s (default: %s)" % (name, problem[1], default),
                    "remove it from %s; keep tables in root-owned directories" % name,
                    file=state["config_dir"] + "/main.cf", parameter=name))
    return found


def check_sensitive(state):
    found = []
    for path, table in sorted(state["sensitive_tables"].items()):
        for kind, facts in sorted(table["files"].items()):
            if facts is None:
                continue
            if _link(facts):
                found.append(finding(
                    "sensitive.symlink", "medium", state,
                    "%s (secrets) is a symlink; Postfix follows it, this check and its fixes do not" % facts["path"],
                    "replace the symlink by the file itself (root-owned, mode 0600) in a root-owned directory",
                    file=facts["path"]))
                continue
            if facts["mode"] & 0o044:
                who = "other users" if facts["mode"] & 0o004 else "its group"
                found.append(finding(
                    "sensitive.readable", "high" if facts["mode"] & 0o004 else "medium", state,
                    "%s (secrets) is readable by %s (mode %s)" % (facts["path"], who, _mode(facts)),
                    "chmod go-rwx %s" % facts["path"], file=facts["path"],
                    fix={"action": "chmod", "path": facts["path"], "mode": facts["mode"] & 0o700,
                         "judged": _judged(facts)}))
            if facts["uid"] != 0:
                found.append(finding(
                    "sensitive.owner", "medium", state,
                    "%s (secrets) is owned by uid %d, not root" % (facts["path"], facts["uid"]),
                    "chown root %s" % facts["path"], file=facts["path"],
                    fix={"action": "chown", "path": facts["path"], "uid": 0, "judged": _judged(facts)}))
    return found


def check_legacy_state(state):
    found = []
    refs = state["references"]
    if refs:
        names = sorted({"%s (%s)" % (r["expanded"], r["used_by"]["parameter"]) for r in refs})
        found.append(finding(
            "legacy.references", "medium", state, "%d hash:/btree: reference(s) left: %s" % (len(refs), ", ".join(names[:10])),
            "migrate them (mailops.nbdb.db_types and table_reindex) or keep them deliberately under enable-redirect",
            file=state["config_dir"] + "/main.cf"))
    for path in state["stale_db"]:
        found.append(finding(
            "legacy.stale_db", "low", state, "%s.db is left next to the migrated table %s" % (path, path),
            "remove %s.db after a quiet period (keep it until rollback is no longer wanted)" % path, file=path + ".db"))
    callers = bool(state["mailman"])
    if state["level"] == "disable" and callers and state["has_levels"]:
        found.append(finding(
            "level.needed", "medium", state,
            "Mailman is installed (%s) and may run 'postmap hash:...'; at level disable that fails once Berkeley DB is"
            " gone" % ", ".join(state["mailman"]),
            "set enable-redirect: postfix non-bdb enable-redirect && postfix reload", parameter="non_bdb_migration_level"))
    if state["level"] in ("enable-redirect", "enable-reindex") and not refs and not callers:
        found.append(finding(
            "level.unneeded", "info", state,
            "level %s while no hash:/btree: reference and no Mailman-style caller was found" % state["level"],
            "it can stay (no security concern for enable-redirect) or go back to disable",
            parameter="non_bdb_migration_level"))
    return found


def check_posture(state):
    found = []
    for name, values in sorted(state["posture"].items()):
        if values["effective"] != values["effective_default"]:
            found.append(finding(
                "posture.override", "info", state,
                "%s = %s in main.cf; without it this Postfix would use %r (default %r)" % (
                    name, values["set"], values["effective_default"], values["default"]),
                "review against the 3.11 release notes; not enforced", file=state["config_dir"] + "/main.cf",
                parameter=name))
    return found


def evaluate(state, max_age_hours=24.0):
    return (check_level(state, max_age_hours) + check_reindex_rules(state) + check_prefixes(state)
            + check_sensitive(state) + check_legacy_state(state) + check_posture(state))


def summarize(findings):
    counts = dict((severity, 0) for severity in SEVERITIES)
    for item in findings:
        counts[item["severity"]] += 1
    lines = ["%s: %s" % (item["severity"].upper(), item["evidence"]) for item in
             sorted(findings, key=lambda f: -SEVERITIES.index(f["severity"]))]
    return counts, lines
