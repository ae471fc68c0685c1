#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_backup
short_description: Back up or restore Postfix configuration and tables around a migration
version_added: 0.1.0
description:
  - C(state=present) copies main.cf and master.cf of every instance and the source and indexed files (C(.db),
    C(.lmdb), C(.cdb)) of every table the configuration uses into a new timestamped folder under I(root), with a
    manifest, and keeps the newest I(keep) backups.
  - C(state=restored) puts the files of a backup back (atomically, with owner, mode and times) and removes the files
    that did not exist when the backup was made (for example C(.lmdb) files built since). It reports C(changed) only
    when a file differed.
  - Does not stop or start Postfix.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
  - mailops.nbdb.attributes.CONFIG_DIR
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  state:
    description: C(present) makes a new backup, C(restored) restores one.
    type: str
    choices: [present, restored]
    default: present
  root:
    description: Folder that holds the backups.
    type: path
    default: /var/backups/mailops-nbdb
  keep:
    description: How many backups to keep (oldest removed first).
    type: int
    default: 5
  path:
    description: Backup folder to restore; default is the newest under I(root).
    type: path
"""

EXAMPLES = r"""
- name: Back up before the switch
  mailops.nbdb.nbdb_backup:
    keep: 3
  register: nbdb_backup

- name: Roll back
  mailops.nbdb.nbdb_backup:
    state: restored
    path: "{{ nbdb_backup.path }}"
"""

RETURN = r"""
path:
  description: The backup folder made or restored.
  returned: always
  type: str
  sample: /var/backups/mailops-nbdb/nbdb-20261126T081500
files:
  description: Files saved (C(present)) or put back/removed (C(restored)).
  returned: always
  type: list
  elements: str
removed_backups:
  description: Old backup folders removed to keep I(keep).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import backup


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "restored"]),
            root=dict(type="path", default="/var/backups/mailops-nbdb"),
            keep=dict(type="int", default=5),
            path=dict(type="path"),
            config_dir=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["keep"] < 1:
        module.fail_json(msg="keep must be at least 1 (got %d)" % params["keep"])
    try:
        if params["state"] == "restored":
            folder = params["path"] or backup.latest(params["root"])
            changed = backup.restore(folder, module.check_mode)
            module.exit_json(changed=bool(changed), path=folder, files=changed, removed_backups=[])
        postfix = module_postfix(module)
        dirs = host.instance_dirs(postfix, params["config_dir"])
        tables = []
        for config_dir in dirs:
            tables += host.indexed_table_paths(host.read_snapshot(postfix, config_dir))
        folder, manifest, removed = backup.create(params["root"], backup.candidates(dirs, tables), params["keep"],
                                                  module.check_mode)
    except HANDLED as exc:
        module.fail_json(msg=message(exc))
    module.exit_json(changed=True, path=folder, files=[f["path"] for f in manifest["files"] if f["existed"]],
                     removed_backups=removed)


if __name__ == "__main__":
    main()
