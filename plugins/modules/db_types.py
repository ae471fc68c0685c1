#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db_types
short_description: Switch Postfix's default database types and rewrite every legacy reference
version_added: 0.1.0
description:
  - Sets C(default_database_type) and C(default_cache_db_type) (the latter exists from Postfix 3.11) and rewrites
    every legacy reference at its definition site, as found by M(mailops.nbdb.nbdb_info), in main.cf and master.cf,
    including C(-o) overrides and C({ ... }) values. C(hash:) becomes I(database_type), C(btree:) becomes
    I(cache_db_type). Comments, order and formatting of everything else are kept; C(texthash:) and other look-alikes
    are never touched.
  - A legacy table that only a built-in default holds (for example C(address_verify_map) before Postfix 3.11) gets an
    explicit main.cf setting.
  - Writes atomically (temporary file and rename in the same directory, owner and mode kept), then checks with the real
    C(postconf) that no legacy reference is left and with C(postfix check) that Postfix accepts the configuration; on
    any failure the original files are restored and the task fails.
  - Does not build tables (see M(mailops.nbdb.table_reindex)) and does not stop, start or reload Postfix.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
attributes:
  check_mode:
    support: full
    details:
      - Returns the same rewrites and diff without writing.
  diff_mode:
    support: full
    details:
      - Secrets in main.cf/master.cf (C(inline:)/C(static:) credentials, values of C(*_sasl_password_maps) and other
        C(*password*)/C(*_tls_*key*) parameters, DNSBL query keys) are replaced by C(********) in the diff and the
        result; only the secret substrings, so changed lines still show the rewritten type.
options:
  config_dir:
    description: Configuration directory of the instance; default is the default instance's.
    type: path
  database_type:
    description: New C(default_database_type), and the type C(hash:) references become.
    type: str
    choices: [lmdb, cdb]
    default: lmdb
  cache_db_type:
    description: New C(default_cache_db_type), and the type C(btree:) references become. Must be updatable, so C(lmdb).
    type: str
    choices: [lmdb]
    default: lmdb
  exclude:
    description:
      - References to keep as they are, given as C(type:path), a path, or a parameter name (where the table is used or
        defined); for example a Mailman table that must stay C(hash:) while the migration level redirects it.
    type: list
    elements: str
    default: []
  backup:
    description: Keep a timestamped copy of each file changed (C(main.cf.YYYY-MM-DD@HH:MM:SS~)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Switch to lmdb everywhere
  mailops.nbdb.db_types:
    database_type: lmdb
    cache_db_type: lmdb
    backup: true

- name: Use cdb for tables, keep the Mailman table that Mailman itself rebuilds with postmap
  mailops.nbdb.db_types:
    config_dir: /etc/postfix
    database_type: cdb
    exclude:
      - hash:/var/lib/mailman/data/aliases
"""

RETURN = r"""
rewritten:
  description: Each change at a definition site.
  returned: always
  type: list
  elements: dict
  contains:
    file:
      description: main.cf or master.cf path.
      type: str
    line:
      description: First line of the definition (null for a new setting).
      type: int
    parameter:
      description: Parameter (or C(-o) option) changed.
      type: str
    service:
      description: master.cf service (C(name/type)), null for main.cf.
      type: str
    old:
      description: Text before.
      type: str
      sample: hash:/etc/postfix/virtual
    new:
      description: Text after.
      type: str
      sample: lmdb:/etc/postfix/virtual
    references:
      description: The expanded references this change migrates.
      type: list
      elements: str
excluded:
  description: Expanded references kept on purpose.
  returned: always
  type: list
  elements: str
backup_files:
  description: Backup copies made.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._masking import mask_diffs, mask_value
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.switch import switch_types


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type="path"),
            database_type=dict(type="str", default="lmdb", choices=["lmdb", "cdb"]),
            cache_db_type=dict(type="str", default="lmdb", choices=["lmdb"]),
            exclude=dict(type="list", elements="str", default=[]),
            backup=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        result = switch_types(module_postfix(module), params["config_dir"], params["database_type"],
                              params["cache_db_type"], params["exclude"], params["backup"], module.check_mode)
    except HANDLED as exc:
        module.fail_json(msg=message(exc))
    # secrets (inline:/static: credentials, DNSBL keys, *_password* values) never leave the host
    result["diff"] = mask_diffs(result["diff"])
    result["rewritten"] = [dict(item, old=mask_value(item["parameter"], item["old"]),
                                new=mask_value(item["parameter"], item["new"])) for item in result["rewritten"]]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
