# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mail deferred because a table could not be opened (Berkeley DB gone, or a .db missing): which queued messages
those are, and what became of them after the migration. Pure functions over ``postqueue -j`` and the mail log.

Postfix records a short reason with the deferred recipient (``alias database unavailable``, checked on 3.11.6 and
3.8.9 built without Berkeley DB); the table's own error is logged just before by the same process
(``postfix/local[106]: error: Berkeley DB support for 'hash:/etc/aliases' is not available ...``). A message is a
table error when its delay reason, or a line of the process that deferred it, carries one of the three messages.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb_state

FORMS = ((bdb_state.MISSING_311, bdb_state.NOT_AVAILABLE_RE), (bdb_state.UNSUPPORTED_TYPE, bdb_state.UNSUPPORTED_RE),
         (bdb_state.DB_MISSING, bdb_state.DB_MISSING_RE))
# "postfix/local[106]: " then "6080D20237B: to=<...>, ..., status=deferred (alias database unavailable)"
PROCESS_RE = re.compile(r"\s(\S+)\[(\d+)\]: (.*)$")
DEFERRED_RE = re.compile(r"^([0-9A-Za-z]+): to=<.*status=deferred\b")
MAX_IDS = 1000  # queue ids listed in a result; counts are complete


def form_of(text):
    """Which of the three table-error forms text carries, or None."""
    for form, pattern in FORMS:
        if pattern.search(text or ""):
            return form
    return None


def log_evidence(lines):
    """{queue id: form} for deferrals logged by a process that logged one of the three messages before them."""
    failing, found = {}, {}
    for line in lines:
        match = PROCESS_RE.search(line)
        if not match:
            continue
        process, message = (match.group(1), match.group(2)), match.group(3)
        form = form_of(message)
        if form:
            failing[process] = form
            continue
        deferred = DEFERRED_RE.match(message)
        if deferred and process in failing:
            found[deferred.group(1)] = failing[process]
    return found


def deferred_ids(lines):
    """Queue ids the log shows deferred (again)."""
    found = set()
    for line in lines:
        match = PROCESS_RE.search(line)
        deferred = match and DEFERRED_RE.match(match.group(3))
        if deferred:
            found.add(deferred.group(1))
    return found


def table_errors(queue, evidence):
    """[{queue_id, form, recipients}] of the deferred messages (postqueue -j objects) deferred for a table error:
    a recipient's delay_reason carries one of the three messages, or the log ties its deferral to one (evidence)."""
    found = []
    for message in queue:
        if message.get("queue_name") != "deferred":
            continue
        qid = message.get("queue_id")
        reasons = [recipient.get("delay_reason") or "" for recipient in message.get("recipients") or []]
        form = next((form_of(reason) for reason in reasons if form_of(reason)), None) or evidence.get(qid)
        if form:
            found.append({"queue_id": qid, "form": form, "recipients": len(reasons)})
    return found


def outcome(requeued, queue_after, delivered_ids):
    """{delivered, still_deferred, other} of the requeued ids: still in the queue is still deferred (or not yet
    tried), gone with a ``status=sent`` in the log is delivered, gone otherwise (bounced, expired) is other."""
    present = {message.get("queue_id") for message in queue_after}
    counts = {"delivered": 0, "still_deferred": 0, "other": 0}
    for qid in requeued:
        if qid in present:
            counts["still_deferred"] += 1
        elif qid in delivered_ids:
            counts["delivered"] += 1
        else:
            counts["other"] += 1
    return counts


SENT_RE = re.compile(r"^([0-9A-Za-z]+): to=<.*status=sent\b")
REMOVED_RE = re.compile(r"^([0-9A-Za-z]+): removed$")


def delivered_ids(lines):
    """Queue ids whose recipients the log shows sent and that were then removed from the queue."""
    sent, removed = set(), set()
    for line in lines:
        match = PROCESS_RE.search(line)
        if not match:
            continue
        message = match.group(3)
        for pattern, into in ((SENT_RE, sent), (REMOVED_RE, removed)):
            found = pattern.match(message)
            if found:
                into.add(found.group(1))
    return sent & removed
