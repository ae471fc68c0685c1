# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Observe how a Postfix instance serves: is it running, what ``postfix check`` and the mail log say, and
what becomes of a probe message. The same observation before the switch (the baseline) and after it is
what ``_planning.verdict.judge`` compares."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import socket
import time
import uuid

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb_state
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import verdict

POLL_SECONDS = 0.3
# nbdb_info's own Berkeley DB probe (a table that never exists) logs a fatal line; it is never a table problem
PROBE_PATH = bdb_state.PROBE_TABLE.split(":", 1)[1]


def check_kinds(postfix, config_dir, legacy_expected=True):
    """{kind: line} of what ``postfix check`` warns about (it exits 0 with warnings, 1 on a fatal one)."""
    rc, out, err = postfix.run("postfix", ["check"], config_dir, check=False)
    messages = []
    for line in (out + err).splitlines():
        match = re.match(r"^\S+: ((?:warning|error|fatal|panic): .*)$", line.strip())
        if match:
            messages.append(match.group(1))
    if rc != 0 and not messages:
        messages.append("fatal: postfix check exited %d" % rc)
    return verdict.log_kinds(messages, legacy_expected)


def log_kinds(log, start, end=None, legacy_expected=True):
    return verdict.log_kinds([entry[2] for entry in log.entries(start, end) if PROBE_PATH not in entry[2]],
                             legacy_expected)


def send_probe(postfix, config_dir, recipient, timeout, log):
    """Send a message and follow it in the log until its first delivery attempt ends.

    Returns {"outcome", "reason", "queue_id", "status", "removed"}. A probe that did not arrive leaves the
    queue again (``postsuper -d`` of its own queue id, in the deferred queue only); other mail is never touched.
    """
    message_id = "nbdb-probe-%s@%s" % (uuid.uuid4().hex, socket.getfqdn())
    started = time.time() - 1
    body = ("To: %s\nSubject: mailops.nbdb verification\nMessage-ID: <%s>\n\n"
            "Test message from the Berkeley DB migration; it can be deleted.\n" % (recipient, message_id))
    # sendmail names its configuration with -C (postfix.run's -c would be read as recipients)
    postfix.run("sendmail", (["-C", config_dir] if config_dir else []) + ["-i", recipient], data=body,
                what="sending the verification message")
    deadline = time.monotonic() + timeout
    queue_id, status = None, None
    while time.monotonic() < deadline and status is None:
        messages = [entry[2] for entry in log.entries(started)]
        if queue_id is None:
            for message in messages:
                match = re.match(r"([0-9A-Za-z]{6,}): message-id=<%s>" % re.escape(message_id), message)
                if match:
                    queue_id = match.group(1)
        if queue_id:
            status = next((message for message in messages
                           if message.startswith(queue_id + ":") and "status=" in message), None)
        if status is None:
            time.sleep(POLL_SECONDS)
    outcome, reason = verdict.probe_outcome(status)
    result = {"outcome": outcome, "reason": reason, "queue_id": queue_id, "status": status, "removed": False,
              "message_id": message_id}
    if outcome == "deferred" and queue_id:
        rc = postfix.run("postsuper", ["-d", queue_id, "deferred"], config_dir, check=False)[0]
        result["removed"] = rc == 0
    return result
