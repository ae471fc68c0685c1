#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_service
short_description: Start or stop Postfix the way the migration does
version_added: 0.1.0
description:
  - Starts or stops Postfix with systemd when it manages C(postfix.service), else with the C(postfix) command, the
    same way as M(mailops.nbdb.nbdb_switch) in its window. Works on upstream builds and in containers, where there
    is no service unit or init script.
  - Reports C(changed) only when it started or stopped Postfix.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  state:
    description: C(started), C(stopped), or C(restarted) (stopped when running, then started; always a change).
    type: str
    choices: [started, stopped, restarted]
    default: started
  separate_config_dirs:
    description:
      - Configuration directories of instances started with C(postfix -c) outside postmulti (RV(mailops.nbdb.nbdb_info#module:instances[].separate)),
        which neither the unit nor C(postfix start) reaches; each is started and stopped with C(postfix -c).
      - With them, Postfix counts as running when any instance runs, and a start starts the instances that are not running.
    type: list
    elements: path
    default: []
"""

EXAMPLES = r"""
- name: Postfix runs
  mailops.nbdb.nbdb_service:
    state: started

- name: Postfix runs, with mailcow's instance started by postfix -c
  mailops.nbdb.nbdb_service:
    state: started
    separate_config_dirs: [/opt/postfix/conf]
"""

RETURN = r"""
manager:
  description: C(systemd) or C(postfix) (the command).
  returned: success
  type: str
running_before:
  description: Whether Postfix ran before this task.
  returned: success
  type: bool
running:
  description: Whether Postfix runs now (in check mode, whether it would).
  returned: success
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import SBIN_DIRS, module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.service import PostfixService


def main():
    module = AnsibleModule(argument_spec=dict(state=dict(type="str", default="started", choices=["started", "stopped", "restarted"]),
                                              separate_config_dirs=dict(type="list", elements="path", default=[])),
                           supports_check_mode=True)
    state = module.params["state"]
    want = state != "stopped"
    result = {"changed": False}
    try:
        service = PostfixService(module_postfix(module), module.run_command,
                                 lambda name: module.get_bin_path(name, required=False, opt_dirs=SBIN_DIRS),
                                 separate=module.params["separate_config_dirs"])
        result.update(manager=service.manager, running_before=service.running())
        result["changed"] = state == "restarted" or result["running_before"] != want
        result["running"] = want
        if result["changed"] and not module.check_mode:
            if result["running_before"]:
                service.stop()
            if want:
                service.start()
            result["running"] = service.running()
    except HANDLED as exc:
        module.fail_json(msg=message(exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
