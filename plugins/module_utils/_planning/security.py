# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security rules over gathered state: findings with id, severity, evidence and remedy. No I/O."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SEVERITIES = ("info", "low", "medium", "high", "critical")
RISKY_PREFIXES = ("/tmp", "/var/tmp", "/dev/shm", "/home", "/root", "/run/user")
# Prefixes that allow nearly everything: indexing as root anywhere below them.
BROAD_PREFIXES = ("/", "/var", "/usr", "/var/lib", "/var/spool", "/srv", "/opt")
ROOT_PREFIXES = "non_bdb_migration_allow_root_prefixes"
USER_PREFIXES = "non_bdb_migration_allow_user_prefixes"
FILE_KINDS = ("source", "db", "lmdb", "cdb")


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


def _under(path, prefix):
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def _entries(value):
    return (value or "").replace(",", " ").split()


def prefix_entries(state, name):
    """The entries nbdb_reindexd uses: master.cf -o on nbdb_reindex wins over main.cf."""
    if name in state.get("service_prefixes", {}):
        return _entries(state["service_prefixes"][name])
    return _entries(state["prefixes"].get(name, (None, None))[0])


def _writers(facts):
    """Who besides root can change this file or directory: [] when only root can."""
    found = []
    if facts["uid"] != 0:
        found.append("its owner uid %d" % facts["uid"])
    if facts["mode"] & 0o020:
        found.append("group gid %d (g+w)" % facts["gid"])
    if facts["mode"] & 0o002:
        found.append("every user (o+w%s)" % (", sticky" if facts["mode"] & 0o1000 else ""))
    return found


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
    parameter = ROOT_PREFIXES if source["uid"] == 0 else USER_PREFIXES
    allowed = prefix_entries(state, parameter)
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
    sources = [(name, value, default, name) for name, (value, default) in sorted(state["prefixes"].items())]
    sources += [(name, value, state["prefixes"].get(name, (None, None))[1], "nbdb_reindex/unix -o " + name)
                for name, value in sorted(state.get("service_prefixes", {}).items())]
    for name, value, default, where in sources:
        for entry in _entries(value):
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
                    "prefix.risky", problem[0], state, "%s includes %s (default: %s)" % (where, problem[1], default),
                    "remove it from %s; keep tables in root-owned directories" % where,
                    file=state["config_dir"] + ("/main.cf" if where == name else "/master.cf"), parameter=name))
    return found


def _sensitive_readable(state, path, facts):
    """Group/other read of a secret table's file. Under proxy: the unprivileged proxymap (mail_owner's group) must
    read it: group read by that group (or root's) is right there, and a fix never takes it away."""
    proxied = path in state.get("proxied", ())
    group_ok = proxied and facts["gid"] in (0, state.get("mail_owner_gid"))
    mode = facts["mode"]
    if mode & 0o004:
        severity, who, new = "high", "other users", mode & (0o740 if group_ok else 0o700)
    elif mode & 0o040 and not group_ok:
        severity, who, new = "medium", "its group (gid %d)" % facts["gid"], mode & 0o700
    else:
        return None
    fix = {"action": "chmod", "path": facts["path"], "mode": new, "judged": _judged(facts)}
    remedy = "chmod %04o %s" % (new, facts["path"])
    if proxied and not group_ok and state.get("mail_owner_gid") is not None:
        # proxymap must keep reading it: hand the group read to mail_owner's group instead of removing it
        fix = {"action": "chown", "path": facts["path"], "gid": state["mail_owner_gid"], "judged": _judged(facts)}
        remedy = "chgrp %d %s (mail_owner's group: proxymap reads proxy: tables), mode 0640 at most" % (
            state["mail_owner_gid"], facts["path"])
        if mode & 0o004:  # secrets first: nobody but root; the remedy says how proxymap gets its read back
            fix = {"action": "chmod", "path": facts["path"], "mode": new, "judged": _judged(facts)}
            remedy = "chmod %04o %s, then chgrp it to gid %d (mail_owner's group) and chmod 0640: proxymap reads" \
                     " proxy: tables" % (new, facts["path"], state["mail_owner_gid"])
    return finding(
        "sensitive.readable", severity, state, "%s (secrets%s) is readable by %s (mode %s)" % (
            facts["path"], ", used through proxy:" if proxied else "", who, _mode(facts)),
        remedy, file=facts["path"], fix=fix)


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
            readable = _sensitive_readable(state, path, facts)
            if readable:
                found.append(readable)
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


def _user_prefix_of(state, path):
    """The allowed user prefix a table lies under (nbdb_reindexd may run postmap as its owner there), or None."""
    inside = [p.rstrip("/") or "/" for p in prefix_entries(state, USER_PREFIXES) if p.startswith("/") and _under(path, p)]
    return max(inside, key=len) if inside else None


def _owner_of(table):
    """(uid, gid) of a table's owner: its source's, else its first indexed file's."""
    for kind in FILE_KINDS:
        facts = table["files"].get(kind)
        if facts and not _link(facts):
            return facts["uid"], facts["gid"]
    return 0, 0


def _foreign(facts, owner, user_prefix):
    """Who may change this file or directory and should not: inside an allowed user prefix the table's owner (and
    their group's write, Mailman's 2770 list:list) is expected; everywhere else only root (nbdb_reindexd's rule)."""
    writers = _writers(facts)
    if user_prefix and owner[0] != 0:
        writers = [w for w in writers if w not in ("its owner uid %d" % owner[0], "group gid %d (g+w)" % owner[1])]
    return writers


def _severity(facts):
    return "high" if facts["mode"] & 0o002 else "medium"


def check_tables(state):
    """Every table file (after migration too), its directory and every ancestor: changeable by root only, or inside
    an allowed user prefix by the table's owner only."""
    found, dirs = [], {}
    for path, table in sorted(state.get("tables", {}).items()):
        owner, user_prefix = _owner_of(table), _user_prefix_of(state, path)
        where = " (inside the user prefix %s, where its owner uid %d may write)" % (user_prefix, owner[0]) \
            if user_prefix and owner[0] else ""
        for kind in FILE_KINDS:
            facts = table["files"].get(kind)
            if facts is None:
                continue
            if _link(facts):
                found.append(finding(
                    "table.symlink", "low", state, "%s (table %s) is a symlink: judged by lstat, never followed nor"
                    " fixed; whoever can change the link or its target decides what Postfix reads" % (facts["path"], path),
                    "replace the symlink by the file itself in a root-owned directory", file=facts["path"]))
                continue
            writers = _foreign(facts, owner, user_prefix)
            if not writers:
                continue
            fid = "db.writable" if kind == "db" else "table.writable"
            fix = None
            if facts["mode"] & 0o022 and facts["uid"] in (0, owner[0]) and [w for w in writers if "+w" in w]:
                fix = {"action": "chmod", "path": facts["path"], "mode": facts["mode"] & ~0o022 & 0o7777,
                       "judged": _judged(facts)}
            found.append(finding(
                fid, _severity(facts), state, "%s (table %s, uid %d, gid %d, mode %s) can be changed by %s%s" % (
                    facts["path"], path, facts["uid"], facts["gid"], _mode(facts), ", ".join(writers), where),
                "chown root and chmod go-w %s (or keep it under an allowed user prefix, owned by the user whose table it"
                " is)" % facts["path"], file=facts["path"], fix=fix))
        if table.get("lmdb_lock"):
            lock = table["lmdb_lock"]
            found.append(finding(
                "lmdb.lock_file", "medium" if not _link(lock) and lock["mode"] & 0o002 else "low", state,
                "%s exists (mode %s): Postfix locks lmdb tables with fcntl and never uses LMDB's lock file, so"
                " something else opened %s.lmdb with LMDB locking" % (lock["path"], _mode(lock), path),
                "find what opens the table that way, then remove %s" % lock["path"], file=lock["path"]))
        for parent in table["parents"]:
            if parent is None:
                continue
            inside = user_prefix and _under(parent["path"], user_prefix)
            writers = ["it is a symlink"] if _link(parent) else _foreign(parent, owner, inside)
            if writers:
                entry = dirs.setdefault(parent["path"], (parent, writers, []))
                entry[2].append(path)
    for directory, (facts, writers, paths) in sorted(dirs.items()):
        found.append(finding(
            "table.directory", "medium" if _link(facts) else _severity(facts), state,
            "directory %s (uid %d, gid %d, mode %s) above the table(s) %s can be changed by %s: they can swap the"
            " table for their own or a symlink" % (directory, facts["uid"], facts["gid"], _mode(facts), ", ".join(paths),
                                                   ", ".join(writers)),
            "make %s root-owned and not group/other-writable, or keep the tables under an allowed user prefix"
            " (non_bdb_migration_allow_user_prefixes) owned by their user" % directory, file=directory))
    return found


def _prefix_problems(state, name, entry, facts, parents):
    """(id, severity, why) for one prefix entry."""
    root = name == ROOT_PREFIXES
    queue = state.get("queue_directory") or ""
    bare = entry.rstrip("/") or "/"
    problems = []
    if bare in BROAD_PREFIXES or (queue and (_under(queue, bare) or _under(bare, queue))):
        problems.append(("prefix.broad", "high" if root else "medium",
                         "%s is too broad (/, /var, the queue directory %s and the like): every table below it may be"
                         " indexed %s" % (entry, queue, "as root" if root else "as its owner")))
    if facts is None:
        existing = next((p for p in parents if p is not None), None)
        if existing and not _link(existing) and _writers(existing):
            problems.append(("prefix.missing", "high", "%s does not exist and %s can create it (%s)" % (
                entry, ", ".join(_writers(existing)), existing["path"])))
        elif entry in _entries(state["prefixes"].get(name, (None, None))[1]) and name in state["prefixes"]:
            pass  # a default entry (/var/lib/mailman on a host without Mailman): only root can create it
        else:
            problems.append(("prefix.missing", "low", "%s does not exist (a typo, or a directory removed)" % entry))
    elif not _link(facts) and root and facts["uid"] != 0:
        problems.append(("prefix.owner", "high", "%s is owned by uid %d, not root" % (entry, facts["uid"])))
    for parent in parents:
        if parent is not None and (_link(parent) or _writers(parent)):
            if not any(_under(parent["path"], risky) for risky in RISKY_PREFIXES):
                problems.append(("prefix.ancestor", "high" if root else "medium", "%s lies under %s, which %s" % (
                    entry, parent["path"], "is a symlink" if _link(parent) else "can be changed by " + ", ".join(
                        _writers(parent)))))
            break
    return problems


def check_prefix_paths(state):
    """Prefix entries too broad, missing, not root-owned or under a user-writable ancestor (main.cf and master.cf
    -o on nbdb_reindex)."""
    found = []
    sources = [(name, value, state["config_dir"] + "/main.cf", name) for name, (value, dummy) in
               sorted(state["prefixes"].items())]
    sources += [(name, value, state["config_dir"] + "/master.cf", "nbdb_reindex/unix -o " + name)
                for name, value in sorted(state.get("service_prefixes", {}).items())]
    for name, value, file, where in sources:
        for entry in _entries(value):
            if not entry.startswith("/"):
                continue  # prefix.risky says relative
            facts = state["prefix_dirs"].get(entry)
            for fid, severity, why in _prefix_problems(state, name, entry, facts, state.get("prefix_parents", {}).get(
                    entry, [])):
                found.append(finding(fid, severity, state, "%s: %s" % (where, why),
                                     "remove %s from %s or make it a root-owned directory that only root can change"
                                     % (entry, where), file=file, parameter=name))
    return found


def check_config(state):
    """main.cf, master.cf and config_directory (and its ancestors) changeable by root only: postfix-non-bdb-script
    evaluates main.cf values in a root shell, and every daemon trusts both files."""
    found = []
    for name, facts in sorted(state.get("config_files", {}).items()):
        if facts is None:
            continue
        if _link(facts):
            found.append(finding("config.symlink", "medium", state, "%s is a symlink (judged by lstat, not followed)"
                                 % facts["path"], "replace it by the file itself", file=facts["path"]))
            continue
        writers = _writers(facts)
        if writers:
            fix = {"action": "chown", "path": facts["path"], "uid": 0, "judged": _judged(facts)} if facts["uid"] else \
                {"action": "chmod", "path": facts["path"], "mode": facts["mode"] & ~0o022 & 0o7777, "judged": _judged(facts)}
            found.append(finding(
                "config.writable", "high", state, "%s (uid %d, mode %s) can be changed by %s; Postfix and"
                " postfix-non-bdb-script (in a root shell) trust it" % (facts["path"], facts["uid"], _mode(facts),
                                                                        ", ".join(writers)),
                "chown root %s && chmod go-w %s" % (facts["path"], facts["path"]), file=facts["path"], fix=fix))
    for facts in state.get("config_dirs", []):
        if facts is not None and not _link(facts) and _writers(facts):
            found.append(finding(
                "config.directory", "high", state, "directory %s (uid %d, mode %s) holding %s can be changed by %s" % (
                    facts["path"], facts["uid"], _mode(facts), state["config_dir"], ", ".join(_writers(facts))),
                "chown root %s && chmod go-w %s" % (facts["path"], facts["path"]), file=facts["path"]))
    return found


def config_refusals(states):
    """Why a host is refused before anything changes: a main.cf, master.cf, config_directory or one of its
    ancestors that another user can change (check_config). The migration runs postfix, postconf and
    postfix-non-bdb-script (a root shell over main.cf's values) as root on that configuration, and writes there:
    that user would get root through it. states: {"config_dir", "config_files", "config_dirs"} per instance."""
    return ["%s; the migration runs Postfix's commands as root on it, which would hand that user root. Make it"
            " root's (%s), then run again" % (item["evidence"], item["remedy"])
            for state in states for item in check_config(state)]


def check_tls_keys(state):
    """Private keys (smtpd/smtp/lmtp_tls_*key_file, *_tls_chain_files, files of tls_server_sni_maps): readable by
    root only, or by the group ssl-cert (Debian's snakeoil key is root:ssl-cert 0640)."""
    found = []
    for path, key in sorted(state.get("tls_keys", {}).items()):
        facts, named = key["facts"], ", ".join(sorted(set(key["parameters"])))
        if facts is None or not (key["named_as_key"] or key["has_key"]):
            continue  # missing (postfix check says so) or a certificate without a key
        if _link(facts):
            found.append(finding(
                "tls.key_symlink", "info", state, "%s (%s) is a symlink: not followed, its target not judged" % (path, named),
                "check the target's mode and owner yourself (certbot's live/ links point to archive/, 0600)", file=path))
            continue
        group_ok = facts["gid"] in (0, state.get("ssl_cert_gid"))
        if facts["mode"] & 0o004 or (facts["mode"] & 0o040 and not group_ok):
            other = facts["mode"] & 0o004
            new = facts["mode"] & (0o740 if group_ok else 0o700)
            found.append(finding(
                "tls.key_readable", "high" if other else "medium", state, "private key %s (%s) is readable by %s (mode %s)"
                % (path, named, "other users" if other else "group gid %d" % facts["gid"], _mode(facts)),
                "chmod %04o %s (group ssl-cert may read it)" % (new, path), file=path,
                fix={"action": "chmod", "path": path, "mode": new, "judged": _judged(facts)}))
        if facts["uid"] != 0:
            found.append(finding(
                "tls.key_owner", "medium", state, "private key %s (%s) is owned by uid %d, not root"
                % (path, named, facts["uid"]),
                "chown root %s" % path, file=path, fix={"action": "chown", "path": path, "uid": 0,
                                                        "judged": _judged(facts)}))
    return found


def check_reindex_service(state):
    if not state.get("reindex_service") or state["level"] == "enable-reindex":
        return []
    used = "level %s does not use it" % state["level"] if state["has_levels"] else \
        "Postfix %s has no nbdb_reindexd" % state["version"]
    return [finding(
        "reindex.service_left", "medium" if state["has_levels"] else "low", state,
        "master.cf still has the nbdb_reindex service (%s): a daemon that runs postmap as root on request,"
        " enabled by nothing but a level change" % used,
        "postconf -MX nbdb_reindex/unix && postfix reload (postfix non-bdb %s removes it too)" % (
            state["level"] if state["has_levels"] and state["level"] in ("disable", "enable-redirect") else "disable"),
        file=state["config_dir"] + "/master.cf", parameter="nbdb_reindex/unix")]


def evaluate(state, max_age_hours=24.0):
    return (check_level(state, max_age_hours) + check_reindex_rules(state) + check_prefixes(state)
            + check_sensitive(state) + check_legacy_state(state) + check_posture(state) + check_tables(state)
            + check_prefix_paths(state) + check_config(state) + check_tls_keys(state) + check_reindex_service(state))


def summarize(findings):
    counts = dict((severity, 0) for severity in SEVERITIES)
    for item in findings:
        counts[item["severity"]] += 1
    lines = ["%s: %s" % (item["severity"].upper(), item["evidence"]) for item in
             sorted(findings, key=lambda f: -SEVERITIES.index(f["severity"]))]
    return counts, lines
