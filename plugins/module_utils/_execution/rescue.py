# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send the mail deferred for table errors again, once the tables open: ``postqueue -i QID`` per message.

``postqueue -i`` schedules the deferred message for immediate delivery under its own queue id (``postsuper -r``
would send it through pickup and cleanup again under a new id, so what became of it could not be counted, and
cleanup would rewrite addresses a second time). The delivery agents look the tables up again, with the migrated
configuration. Nothing is deleted from the queue. Then the queue is watched, for a bounded time, until every
requeued message has left it or been deferred again (logged since the requeue).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import queue
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import rescue as plan

POLL = 0.2


def requeue(postfix, config_dir, ids):
    """postqueue -i for each id; ids that are gone meanwhile (delivered by a regular retry) are skipped."""
    done = []
    for qid in ids:
        rc, out, err = postfix.run("postqueue", ["-i", qid], config_dir, check=False, what="requeueing %s" % qid)
        if rc == 0:
            done.append(qid)
    return done


def wait(postfix, config_dir, log, ids, since, timeout, clock=time.monotonic, sleep=time.sleep):
    """(queue after, log lines since the requeue) once every id left the queue or was deferred again, or at timeout."""
    deadline = clock() + timeout
    while True:
        after = queue.read_queue(postfix, config_dir)
        lines = queue.log_lines(log, since) if log else []
        retried = set(plan.deferred_ids(lines))
        present = {message.get("queue_id") for message in after}
        if all(qid not in present or qid in retried for qid in ids) or clock() >= deadline:
            return after, lines
        sleep(POLL)
