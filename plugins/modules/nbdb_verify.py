#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_verify
short_description: Prove a Postfix host serves after the migration
version_added: 0.1.0
description:
  - Checks that Postfix runs (C(postfix status)), that the mail log has no table or database warnings since I(since),
    and (unless in check mode) that a test message sent with C(sendmail) to I(recipient) is delivered, following it
    in the mail log by its Message-ID.
  - Reads the log from C(maillog_file) when set, else from the systemd journal, else C(/var/log/mail.log).
  - Never changes the configuration; the test message is not reported as a change.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
  - mailops.nbdb.attributes.INFO_MODULE
  - mailops.nbdb.attributes.CONFIG_DIR
options:
  since:
    description: Unix time from which log warnings count (for example the start of the run).
    type: float
    default: 0
  recipient:
    description: Address of the test message; empty to skip it.
    type: str
    default: root
  timeout:
    description: Seconds to wait for the test message's delivery.
    type: int
    default: 60
  legacy_expected:
    description:
      - The host runs C(hash:)/C(btree:) tables on purpose (a dry run, or after a rollback), so Postfix's
        "hash/btree support is deprecated" notices do not count as warnings; every other table warning still does.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Verify the host serves
  mailops.nbdb.nbdb_verify:
    since: "{{ nbdb_started }}"
    recipient: postmaster
"""

RETURN = r"""
running:
  description: Whether Postfix runs.
  returned: always
  type: bool
log_warnings:
  description: Table/database warnings found in the log since I(since).
  returned: always
  type: list
  elements: str
delivery:
  description: The log line that shows the test message delivered (null when skipped).
  returned: always
  type: str
log:
  description: Where the log was read.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import SBIN_DIRS, module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import probe


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type="path"),
            since=dict(type="float", default=0),
            recipient=dict(type="str", default="root"),
            timeout=dict(type="int", default=60),
            legacy_expected=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    postfix = module_postfix(module)
    result = {"changed": False, "running": False, "log_warnings": [], "delivery": None}
    try:
        log = probe.MailLog(postfix, module.run_command,
                            lambda name: module.get_bin_path(name, required=False, opt_dirs=SBIN_DIRS), params["config_dir"])
        result["log"] = log.source
        result["running"] = postfix.run("postfix", ["status"], params["config_dir"], check=False)[0] == 0
        if not result["running"]:
            module.fail_json(msg="Postfix is not running (postfix status)", **result)
        result["log_warnings"] = probe.table_warnings(log, params["since"], params["legacy_expected"])
        if params["recipient"] and not module.check_mode:
            result["delivery"] = probe.send_probe(postfix, params["recipient"], params["timeout"], log)[1]
    except HANDLED as exc:
        module.fail_json(msg=message(exc), **result)
    if result["log_warnings"]:
        module.fail_json(msg="the mail log has table warnings since the migration started: %s"
                         % " | ".join(result["log_warnings"][:5]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
