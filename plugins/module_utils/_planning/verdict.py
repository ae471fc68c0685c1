# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judge a migration by the difference it made: the host's baseline before the switch against what it
shows after. No I/O.

Real servers have quirks that predate the migration (a content filter that is down, a missing
``virtual_mailbox_domains`` file, an LMTP server not running). Those are *pre-existing*: reported, never
a reason to roll back. A reason is what the migration could have caused: Postfix no longer running, a
probe message that ends worse than before, or a warning/error kind that names a table, a map type, an
indexed file or a lookup and was not in the log before.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

LEGACY_TYPES = ("hash", "btree", "lmdb", "cdb", "dbm", "sdbm")
SEVERITY_RE = re.compile(r"^(?:[0-9A-Za-z]{6,}: )?(warning|error|fatal|panic): (.*)$")
# Debian's notice on every open of a hash:/btree: table while it still has them (expected before the switch)
LEGACY_NOTICE_RE = re.compile(r"hash/btree support is deprecated|See \S*NON_BERKELEYDB_README")
TABLE_RE = re.compile(r"\bTYPE:|hash/btree|\.EXT\b|\b(?:tables?|lookups?|dictionary|database|maps?)\b|"
                      r"\b(?:regexp|pcre|texthash|inline|static|proxy|unionmap|pipemap|mysql|pgsql|ldap|sqlite|"
                      r"memcache|socketmap|tcp|cidr|nis|randmap|environ|internal):", re.I)
PROBE_RANK = {"bounced": 0, "not_seen": 1, "deferred": 2, "delivered": 3}
ON_HOST_COMMANDS = ("local", "virtual", "pipe", "error", "discard", "retry")
LOOPBACK_RE = re.compile(r"^\[?(?:127\.[\d.]+|localhost|::1|ipv6:::1)\]?(?::\d+)?$", re.I)


def kind(message, legacy_expected=True):
    """(severity, normalized text) of a log message that is a warning or worse, else None.

    Map types of the migration and their file suffixes are normalized, so that a table that was missing as
    ``hash:/etc/postfix/x`` and is still missing as ``lmdb:/etc/postfix/x`` is the same, pre-existing, kind.
    legacy_expected: Debian's deprecation notice on each open of a hash:/btree: table is no problem (before
    the switch, or for excluded tables); after a complete switch it is one (a legacy table is still opened).
    """
    match = SEVERITY_RE.match(message)
    if not match or (legacy_expected and LEGACY_NOTICE_RE.search(message)):
        return None
    text = match.group(2)
    text = re.sub(r"\.(?:db|lmdb|cdb)\b", ".EXT", text)
    text = re.sub(r"\b(?:%s)(?=:)" % "|".join(LEGACY_TYPES), "TYPE", text)
    text = re.sub(r"\b[0-9A-F]{6,}\b|\b[0-9B-Zb-z]{10,}z[0-9B-Zb-z]+\b", "QID", text)  # queue ids
    text = re.sub(r"\[[0-9a-fA-F:.]+\](?::\d+)?|\b\d+(?:\.\d+)+\b|\b\d+\b", "N", text)
    return match.group(1), text[:300]


def names_table(text):
    return bool(TABLE_RE.search(text))


def log_kinds(messages, legacy_expected=True):
    """{"severity: text": first message} of the warning-or-worse messages of a window."""
    found = {}
    for message in messages:
        found_kind = kind(message, legacy_expected)
        if found_kind:
            found.setdefault("%s: %s" % found_kind, message)
    return found


def probe_outcome(status_line):
    """(outcome, reason) of the first status= line of the probe (None: not seen in time)."""
    if not status_line:
        return "not_seen", None
    match = re.search(r"status=(\w+)(?: \((.*)\))?", status_line)
    status, reason = (match.group(1), match.group(2)) if match else (None, None)
    outcome = {"sent": "delivered", "deferred": "deferred", "bounced": "bounced", "expired": "bounced"}
    return outcome.get(status, "not_seen"), reason


def on_host(value, services):
    """Whether a transport:nexthop value (transport, content_filter) delivers on this host.

    services: {master.cf service name: its command}. A pipe/local/virtual service is on the host; any other
    needs a nexthop on the loopback or a UNIX socket (``lmtp:unix:private/dovecot-lmtp``, ``smtp:[127.0.0.1]:10024``).
    """
    transport, _sep, nexthop = value.strip().partition(":")
    if services.get(transport, transport) in ON_HOST_COMMANDS:
        return True
    if nexthop.startswith("unix:"):
        return True
    nexthop = nexthop[5:] if nexthop.startswith("inet:") else nexthop
    return bool(nexthop) and bool(LOOPBACK_RE.match(nexthop))


def probe_route(facts):
    """(recipient, note): whom the probe goes to, or (None, why it is skipped).

    facts: ``recipient`` (named by the user: sent whatever the route), ``myorigin``, ``mydestination``
    (literal domains; ``mydestination_tables``: it also has tables, so a domain not listed may still be
    local), ``lookups`` ({(parameter, key): value or None, or "ERROR: …"}), ``aliases`` ({local part:
    value}), ``forward`` (root's .forward text or None), ``params`` (main.cf values that can send a copy or
    the message itself elsewhere: ``always_bcc``, ``local_transport``, ``mailbox_transport``,
    ``fallback_transport``, ``content_filter``, ``pickup_content_filter``), ``services`` ({master.cf service:
    command}).
    The probe never leaves the host unless the user named the recipient.
    """
    if facts.get("recipient"):
        return facts["recipient"], "recipient named by the user"
    domain = facts["myorigin"].lower()
    local_domains = set(name.lower() for name in facts["mydestination"])
    recipient = "root@" + domain
    if domain not in local_domains:
        return None, ("probe skipped: %s is not in mydestination, so the message would be relayed off the host"
                      " (name a recipient with migrate_verify_recipient to send one anyway)" % domain)
    params, services = facts["params"], facts.get("services", {})
    if params.get("always_bcc"):
        return None, "probe skipped: always_bcc sends a copy of every message to %s" % params["always_bcc"]
    for name in ("content_filter", "pickup_content_filter"):
        if params.get(name) and not on_host(params[name], services):
            return None, "probe skipped: %s %s may take the message off the host" % (name, params[name])
    for name in ("local_transport", "mailbox_transport", "fallback_transport"):
        if params.get(name) and not on_host(params[name], services):
            return None, "probe skipped: %s = %s may deliver off the host" % (name, params[name])
    for (parameter, key), value in sorted(facts["lookups"].items()):
        if value is None:
            continue
        if value.startswith("ERROR:"):
            return None, "probe skipped: cannot tell where it goes: %s lookup of %s failed (%s)" % (
                parameter, key, value[6:].strip())
        if parameter == "transport_maps" and on_host(value, services):
            continue
        return None, "probe skipped: %s maps %s to %s" % (parameter, key, value)
    pending, seen = ["root"], set()
    while pending:
        user = pending.pop()
        if user in seen:
            continue
        seen.add(user)
        if user not in facts["aliases"]:
            return None, "probe skipped: cannot tell where mail for %s goes (aliases followed too deep)" % user
        value = facts["aliases"][user]
        if value is not None and value.startswith("ERROR:"):
            return None, "probe skipped: cannot tell where it goes: alias lookup of %s failed (%s)" % (
                user, value[6:].strip())
        targets = alias_targets(value) if value else []
        if user == "root" and facts.get("forward"):
            targets += alias_targets(facts["forward"])
        for target in targets:
            if target.startswith(("|", "/")):
                continue  # a command or a file on this host
            if target.startswith(":include:"):
                return None, "probe skipped: mail for %s is expanded from %s" % (user, target[9:])
            name, _sep, target_domain = target.rpartition("@") if "@" in target else (target, "", "")
            if target_domain and target_domain.lower() not in local_domains:
                return None, "probe skipped: mail for %s is forwarded to %s, off the host" % (user, target)
            pending.append(name.lower().lstrip("\\"))
    return recipient, "delivered on this host (%s is in mydestination)" % domain


def alias_targets(value):
    """The destinations of an aliases(5) value or a .forward file, quotes removed (commands keep their |)."""
    targets = []
    for line in value.splitlines():
        if line.strip().startswith("#"):
            continue
        for part in line.split(","):
            part = part.strip().strip('"').strip()
            if part:
                targets.append(part)
    return targets


def judge(baseline, after):
    """{"regressions": [...], "pre_existing": [...], "notes": [...]} of the after-state against the baseline.

    Both are dicts: ``running`` ({instance: bool}), ``check`` ({kind: line} of ``postfix check``), ``log`` ({kind: line}),
    ``probe`` ({"outcome", "reason"} or None when skipped). Only regressions fail a migration.
    """
    regressions, pre_existing, notes = [], [], []
    for instance, runs in sorted(after["running"].items()):
        ran = baseline["running"].get(instance, True)
        if ran and not runs:
            regressions.append("Postfix is not running (postfix status) for instance %s; it ran before the switch"
                               % instance)
        elif not ran:
            notes.append("Postfix was not running before the migration (instance %s); it was judged by postfix check,"
                         " lookups and the log" % instance)
    for source in ("check", "log"):
        label = "postfix check" if source == "check" else "the mail log"
        for text, line in sorted(baseline[source].items()):
            pre_existing.append("%s before the switch: %s" % (label, line))
        for text, line in sorted(after[source].items()):
            if text in baseline[source]:
                continue
            if names_table(text):
                regressions.append("new in %s since the switch: %s" % (label, line))
            else:
                notes.append("new in %s since the switch (names no table): %s" % (label, line))
    before_probe, after_probe = baseline.get("probe"), after.get("probe")
    if before_probe and before_probe["outcome"] != "delivered":
        pre_existing.append("the probe before the switch was %s%s" % (
            before_probe["outcome"], ": %s" % before_probe["reason"] if before_probe.get("reason") else ""))
    if after_probe:
        rank = PROBE_RANK[after_probe["outcome"]]
        before_rank = PROBE_RANK[before_probe["outcome"]] if before_probe else PROBE_RANK["delivered"]
        reason = after_probe.get("reason") or ""
        if rank < before_rank:
            regressions.append("the probe was %s%s after the switch, %s before" % (
                after_probe["outcome"], ": %s" % reason if reason else "",
                before_probe["outcome"] if before_probe else "not sent"))
        elif after_probe["outcome"] != "delivered" and names_table(kind("error: " + reason)[1]) and not (
                before_probe and names_table(kind("error: " + (before_probe.get("reason") or ""))[1])):
            regressions.append("the probe was %s after the switch for a table problem: %s" % (
                after_probe["outcome"], reason))
    return {"regressions": regressions, "pre_existing": pre_existing, "notes": notes}
