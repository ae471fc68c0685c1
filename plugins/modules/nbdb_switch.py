#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_switch
short_description: Switch a Postfix host off Berkeley DB in one short window
version_added: 0.1.0
description:
  - For every instance, before Postfix is touched, plans the configuration switch (as M(mailops.nbdb.db_types)), applies
    the migration level (as C(postfix non-bdb), 3.11 and later) to the new text, and makes sure every legacy table's new
    C(lmdb)/C(cdb) file holds exactly what its source defines (building, with verification, the ones whose source changed
    since they were prebuilt).
  - Then, with I(switch_mode=restart), stops Postfix, renames the new main.cf/master.cf of every instance into place and
    starts Postfix; with I(switch_mode=reload) it renames and runs C(postfix reload) without stopping.
  - Afterwards the real C(postconf) must show no legacy reference and Postfix must run; otherwise the previous files are
    put back and Postfix is restarted, and the task fails.
  - Stops and starts with systemd when it manages C(postfix.service), else with the C(postfix) command.
  - A Postfix that is not running (a standby MX, a host in maintenance) is switched and left stopped, unless
    I(start_stopped).
  - Does nothing (and never stops Postfix) when the configuration is already switched.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
  - mailops.nbdb.attributes.CONFIG_DIR
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - Secrets in main.cf/master.cf (C(inline:)/C(static:) credentials, values of C(*_sasl_password_maps) and other
        C(*password*)/C(*_tls_*key*) parameters, DNSBL query keys) are replaced by C(********) in the diff and the
        result; only the secret substrings, so changed lines still show the rewritten type.
options:
  database_type:
    description: Type for C(hash:) tables and the new C(default_database_type).
    type: str
    choices: [lmdb, cdb]
    default: lmdb
  cache_db_type:
    description: Type for C(btree:) tables and the new C(default_cache_db_type).
    type: str
    choices: [lmdb]
    default: lmdb
  level:
    description: Migration level to set in the same window (3.11 and later); C(keep) leaves it.
    type: str
    choices: [keep, disable, enable-redirect]
    default: enable-redirect
  exclude:
    description: References to keep (see M(mailops.nbdb.db_types)).
    type: list
    elements: str
    default: []
  disagreement:
    description:
      - Which side wins, per table path, where a table rebuilt before the window has a source and a legacy C(.db)
        that disagree (C(source) or C(db)); see M(mailops.nbdb.table_reindex). Without an entry such a table is refused.
    type: dict
    default: {}
  switch_mode:
    description: C(restart) (stop, switch, start; the upstream procedure) or C(reload) (switch, reload; no stop).
    type: str
    choices: [restart, reload]
    default: restart
  start_stopped:
    description: Start Postfix after the switch even when it was not running before.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Switch in one window
  mailops.nbdb.nbdb_switch:
    database_type: lmdb
    level: enable-redirect
  register: nbdb_switch
"""

RETURN = r"""
instances:
  description: Per instance, the config directory, the number of rewrites and the tables checked or built.
  returned: always
  type: list
  elements: dict
downtime:
  description: Seconds from the stop until Postfix ran again (0 in reload mode or when nothing changed).
  returned: always
  type: float
running_before:
  description: Whether Postfix ran before the switch.
  returned: success
  type: bool
running_after:
  description: Whether Postfix runs after the switch (in check mode, whether it would).
  returned: success
  type: bool
service_manager:
  description: C(systemd) or C(postfix).
  returned: always
  type: str
switched_at:
  description: Unix time right after the window (or after the check in check mode); log warnings count from here.
  returned: success
  type: float
tables_built:
  description: Tables whose new file was (or would be) built in this run.
  returned: always
  type: list
  elements: str
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._masking import mask_diffs
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import SBIN_DIRS, module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import window
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.service import PostfixService


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type="path"),
            database_type=dict(type="str", default="lmdb", choices=["lmdb", "cdb"]),
            cache_db_type=dict(type="str", default="lmdb", choices=["lmdb"]),
            level=dict(type="str", default="enable-redirect", choices=["keep", "disable", "enable-redirect"]),
            exclude=dict(type="list", elements="str", default=[]),
            disagreement=dict(type="dict", default={}),
            switch_mode=dict(type="str", default="restart", choices=["restart", "reload"]),
            start_stopped=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    postfix = module_postfix(module)
    result = {"changed": False, "downtime": 0.0, "instances": [], "tables_built": [], "diff": []}
    try:
        instances = host.list_instances(postfix, params["config_dir"])
        dirs = [item["config_dir"] for item in instances]
        service = PostfixService(postfix, module.run_command,
                                 lambda name: module.get_bin_path(name, required=False, opt_dirs=SBIN_DIRS),
                                 separate=[item["config_dir"] for item in instances if item["separate"]])
        result["service_manager"] = service.manager
        plans = [window.plan_instance(postfix, config_dir, params) for config_dir in dirs]
        for plan in plans:
            tables = window.prepare_tables(postfix, plan, params, module.check_mode)
            result["tables_built"] += [t["table"] for t in tables if t["changed"]]
            result["instances"].append({"config_dir": plan["config_dir"], "rewritten": plan["rewritten"], "tables": tables})
            result["diff"] += [{"before_header": path, "after_header": path, "before": plan["before"][path],
                                "after": plan["after"][path]} for path in plan["after"]
                               if plan["after"][path] != plan["before"][path]]
        result["changed"] = bool(result["diff"] or result["tables_built"])
        result["running_before"] = running = service.running()
        result["running_after"] = running or (params["start_stopped"] and bool(result["diff"]))
        if result["diff"] and not module.check_mode:
            result["downtime"] = round(window.run_window(postfix, service, plans, params["switch_mode"],
                                                         params["start_stopped"]), 3)
            window.verify_or_restore(postfix, service, plans, params, expect_running=result["running_after"],
                                     was_running=running)
        result["switched_at"] = time.time()
    except HANDLED as exc:
        result["diff"] = mask_diffs(result["diff"])
        module.fail_json(msg=message(exc), **result)
    result["diff"] = mask_diffs(result["diff"])  # secrets in main.cf/master.cf never leave the host
    module.exit_json(**result)


if __name__ == "__main__":
    main()
