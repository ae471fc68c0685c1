# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mail queue as ``postqueue -j`` lists it (Postfix 3.1 and later: every release the collection meets), and
the mail log lines with their process ids (the table errors are tied to a deferral by the process that logged
both, see _planning.rescue)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import maillog

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError


class QueueError(NbdbError):
    pass


def read_queue(postfix, config_dir):
    """[postqueue -j object] of one instance (queue_name, queue_id, arrival_time, recipients with delay_reason)."""
    rc, out, err = postfix.run("postqueue", ["-j"], config_dir, check=False, what="listing the mail queue")
    if rc != 0:  # a stopped Postfix: "malformed showq server response" (3.11.7, also postqueue -p)
        return deferred_files(postfix.postconf(config_dir, "-h", "queue_directory").strip())
    messages = []
    for number, line in enumerate(out.splitlines(), 1):
        if not line.strip():
            continue
        try:
            messages.append(json.loads(line))
        except ValueError as exc:
            raise QueueError("postqueue -j%s, line %d: not JSON (%s)"
                             % (" -c %s" % config_dir if config_dir else "", number, exc))
    return messages


def deferred_files(queue_directory):
    """The deferred queue read from its directory (queue ids only; the log ties them to a table error)."""
    top = os.path.join(queue_directory, "deferred")
    if not os.path.isdir(top):  # a Postfix never started has no queue (nor deferred mail)
        return []
    return [{"queue_name": "deferred", "queue_id": name, "recipients": []}
            for dummy, dirs, files in os.walk(top) for name in sorted(files)]


def log_lines(log, since):
    """Raw lines of every source the instances log to, logged at or after a time (maillog.MailLog)."""
    lines = []
    for source in sorted(log.sources):
        lines += [line for line in log.raw_lines(source, since) if (maillog.line_time(line)[0] or 0) >= since]
    return lines
