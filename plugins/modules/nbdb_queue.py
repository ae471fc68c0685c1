#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_queue
short_description: Count, and send again, the mail deferred because a table could not be opened
version_added: 0.1.0
description:
  - >-
    Finds the deferred messages (C(postqueue -j)) deferred for a table error, in any of its three forms
    (C(Berkeley DB support for 'hash:...' is not available), C(unsupported dictionary type), C(open database
    ....db: No such file or directory)), carried by a recipient's delay reason or logged by the process that
    deferred the message (Postfix's reason is often only C(alias database unavailable)).
  - With I(state=rescued) (after the migration, the tables open again) each of them is scheduled for immediate
    delivery with C(postqueue -i) under its own queue id, then the queue is watched for at most I(timeout) seconds
    until every one has left it or been deferred again; the counts say how many were delivered (the log shows
    them sent), are still deferred, or left the queue otherwise. Nothing is deleted from the queue.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
attributes:
  check_mode:
    support: full
    details:
      - Counts and lists the messages that would be sent again; requeues nothing.
  diff_mode:
    support: none
options:
  state:
    description: C(counted) only reads the queue and the log; C(rescued) also sends the messages again.
    type: str
    choices: [counted, rescued]
    default: counted
  config_dir:
    description: Postfix configuration directory of the instance (C(-c)); default the default instance.
    type: path
  timeout:
    description: Seconds to wait, at most, for the requeued messages to be delivered or deferred again.
    type: int
    default: 30
  log_since:
    description: Read the mail log from this many seconds before the oldest deferred message's arrival (bounded).
    type: int
    default: 60
  queue_ids:
    description:
      - With I(state=rescued), the table-error messages an earlier count found (its C(queue_ids)), for example
        before the migration. Those still deferred are sent again too, and all of them are counted, also those a
        regular retry (the restart of the switch) delivered meanwhile.
    type: list
    elements: str
    default: []
  since:
    description: With I(queue_ids), the earlier count's C(counted_at); deliveries logged since then are counted.
    type: float
"""

EXAMPLES = r"""
- name: Send again what was deferred while Berkeley DB was gone
  mailops.nbdb.nbdb_queue:
    state: rescued
    timeout: 30
"""

RETURN = r"""
deferred:
  description: Messages in the deferred queue.
  returned: always
  type: int
table_errors:
  description: Deferred messages deferred for a table error.
  returned: always
  type: int
  sample: 2
forms:
  description: Those messages per form (C(missing_311), C(unsupported_type), C(db_missing)).
  returned: always
  type: dict
  sample: {missing_311: 2}
queue_ids:
  description: Their queue ids (at most 1000).
  returned: always
  type: list
  elements: str
requeued:
  description: Messages scheduled for delivery with C(postqueue -i) (in check mode, that would be).
  returned: always
  type: int
delivered:
  description: Requeued messages the log shows sent and removed from the queue; null unless I(state=rescued).
  returned: always
  type: int
still_deferred:
  description: Requeued messages still in the queue at the end; null unless I(state=rescued).
  returned: always
  type: int
other:
  description: Requeued messages that left the queue without a delivery in the log (bounced, expired).
  returned: always
  type: int
counted_at:
  description: Unix time of this count (the I(since) of a later rescue).
  returned: always
  type: float
tracked:
  description: Messages whose outcome is counted (this count's and I(queue_ids)); null unless I(state=rescued).
  returned: always
  type: int
log:
  description: Where the mail log was read.
  returned: always
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import SBIN_DIRS, module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import maillog, queue
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import rescue
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import rescue as plan

LOG_WINDOW = 7 * 86400  # never read more than a week of log back


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["counted", "rescued"], default="counted"),
            config_dir=dict(type="path"),
            timeout=dict(type="int", default=30),
            log_since=dict(type="int", default=60),
            queue_ids=dict(type="list", elements="str", default=[]),
            since=dict(type="float"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    postfix = module_postfix(module)
    result = {"changed": False, "deferred": 0, "table_errors": 0, "forms": {}, "queue_ids": [], "requeued": 0,
              "delivered": None, "still_deferred": None, "other": None, "log": None, "counted_at": time.time(),
              "tracked": None}
    try:
        log = maillog.MailLog(postfix, module.run_command,
                              lambda name: module.get_bin_path(name, required=False, opt_dirs=SBIN_DIRS),
                              [params["config_dir"]])
        result["log"] = log.source
        before = queue.read_queue(postfix, params["config_dir"])
        deferred = [item for item in before if item.get("queue_name") == "deferred"]
        oldest = min([item.get("arrival_time") or time.time() for item in deferred] or [time.time()])
        since = max(oldest - params["log_since"], time.time() - LOG_WINDOW)
        found = plan.table_errors(before, plan.log_evidence(queue.log_lines(log, since)) if deferred else {})
        ids = [item["queue_id"] for item in found]
        forms = {}
        for item in found:
            forms[item["form"]] = forms.get(item["form"], 0) + 1
        result.update(deferred=len(deferred), table_errors=len(ids), forms=forms, queue_ids=ids[:plan.MAX_IDS])
        waiting = {item.get("queue_id") for item in deferred}
        earlier = [qid for qid in params["queue_ids"] if qid not in ids]
        again = ids + [qid for qid in earlier if qid in waiting]  # found now, or earlier and still deferred
        if params["state"] == "rescued" and (ids or earlier):
            result.update(changed=bool(again), requeued=len(again), tracked=len(ids + earlier))
            if not module.check_mode:
                started = int(time.time())
                done = rescue.requeue(postfix, params["config_dir"], again)
                after = rescue.wait(postfix, params["config_dir"], log, done, started, params["timeout"])[0]
                sent = plan.delivered_ids(queue.log_lines(log, int(params["since"] or started)))
                result.update(requeued=len(done), **plan.outcome(ids + earlier, after, sent))
    except HANDLED as exc:
        module.fail_json(msg=message(exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
