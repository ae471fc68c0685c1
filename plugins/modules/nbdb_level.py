#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_level
short_description: Set Postfix's non-Berkeley-DB migration level (Postfix 3.11+)
version_added: 0.1.0
description:
  - Sets C(disable), C(enable-redirect) or C(enable-reindex) with the real C(postfix non-bdb) command.
  - That command rewrites main.cf and master.cf on every run, so this module predicts the resulting content (doing
    what the command does on a scratch copy) and runs it only when the content must change; C(changed) is decided by
    comparing the files' content, never by modification time.
  - Refuses levels other than C(disable) while C(default_database_type) or C(default_cache_db_type) still resolve
    (after C($name) expansion, which the command itself does not do) to hash or btree, and refuses to jump from
    C(disable) straight to C(enable-reindex).
  - Before Postfix 3.11 there are no levels. C(disable) succeeds without change; anything else fails and says what to
    do instead.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  state:
    description: The level to set.
    type: str
    required: true
    choices: [disable, enable-redirect, enable-reindex]
  config_dir:
    description: Configuration directory of the instance; default is the default instance's.
    type: path
  reload:
    description: Reload a running Postfix when the level changed (running daemons see a new level only then).
    type: bool
    default: false
notes:
  - Upstream warns that C(enable-reindex) carries a privilege-escalation risk; drop back to C(enable-redirect) once the
    legacy callers are quiet.
"""

EXAMPLES = r"""
- name: Redirect legacy table opens to the new types
  mailops.nbdb.nbdb_level:
    state: enable-redirect
    reload: true

- name: Back to disable on the second instance
  mailops.nbdb.nbdb_level:
    state: disable
    config_dir: /etc/postfix-out
"""

RETURN = r"""
previous_level:
  description: Level before (C(unsupported) before 3.11).
  returned: always
  type: str
  sample: disable
level:
  description: Level after (in check mode, the level it would be).
  returned: always
  type: str
  sample: enable-redirect
version:
  description: Postfix version.
  returned: always
  type: str
nbdb_reindex_service:
  description: Whether master.cf has (or in check mode would have) the C(nbdb_reindex/unix) service.
  returned: always
  type: bool
reloaded:
  description: Whether Postfix was reloaded.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.level import set_level


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", required=True, choices=["disable", "enable-redirect", "enable-reindex"]),
            config_dir=dict(type="path"),
            reload=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        result = set_level(module_postfix(module), module.params["config_dir"], module.params["state"],
                           module.params["reload"], module.check_mode)
    except HANDLED as exc:
        module.fail_json(msg=message(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
