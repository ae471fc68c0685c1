#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: table_reindex
short_description: Rebuild Postfix tables as lmdb or cdb with postmap/postalias, verified key by key
version_added: 0.1.0
description:
  - Turns tables into their C(lmdb:) or C(cdb:) form with the host's own C(postmap) or C(postalias).
  - Decides whether to build by comparing the lookup content of the existing target file with what
    the source defines (parsed by Postfix's rules), not by modification times. A table whose content
    already matches is left alone.
  - Builds from a copy of the source in a private directory next to the table, looks every key up
    through the real Postfix, and only then renames the new file into place, so readers never see a
    half-built table and a failed build leaves the previous table serving. Owner and mode follow
    Postfix's rules (the source's owner; mode of the source without write bits for group and other);
    sensitive tables never become readable by other users.
  - Orphans (only the legacy C(.db) is left) are recovered first, by dumping the C(.db) with the real
    C(postmap -s) at migration level disable, into a new source file (mode 0600, owner of the C(.db)).
  - >-
    Where Berkeley DB is gone (Postfix built without it, so its open of the C(.db) fails with "Berkeley DB support ...
    is not available" or "unsupported dictionary type"), a table with a source is built from the source alone
    (C(changed) from the source and the new file; case folding from the table already built, else I(fold_case)'s
    default), and an orphan's C(.db) is read with the collection's pure-Python Berkeley DB reader; its recovered
    source gets the C(.db)'s owner and mode and a first comment line naming the C(.db) and the reader. A C(.db) the
    reader cannot decode fails the table, naming the file.
  - Daemon-maintained caches are not built; Postfix recreates them.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
  - mailops.nbdb.attributes.CONFIG_DIR
attributes:
  check_mode:
    support: full
    details:
      - Reports exactly which tables would be built and why; orphans are dumped to a scratch directory.
  diff_mode:
    support: full
    details:
      - Per table, the target's entries before and after; values of sensitive tables are hidden.
options:
  tables:
    description:
      - Tables to rebuild, as C(type:path) (for example C(hash:/etc/postfix/virtual)) or a bare path.
      - C(btree:) tables used as caches (for example by C(address_verify_map)) are reported, not built.
    type: list
    elements: str
    required: true
  role:
    description:
      - C(auto) builds tables used by C(alias_maps) or C(alias_database) with postalias and others with postmap.
      - C(alias) and C(map) force the tool; C(cache) skips the tables.
    type: str
    choices: [auto, alias, map, cache]
    default: auto
  target_type:
    description:
      - Type to build for every table, C(lmdb) or C(cdb).
      - Default is I(database_type) (I(cache_db_type) for C(btree:) tables); a table given as C(lmdb:) or C(cdb:)
        is built or verified as that type.
    type: str
    choices: [lmdb, cdb]
  database_type:
    description: Type C(hash:) tables become; default is the instance's resolved C(default_database_type).
    type: str
    choices: [lmdb, cdb]
  cache_db_type:
    description: Type C(btree:) tables become; default is the instance's resolved C(default_cache_db_type).
    type: str
    choices: [lmdb, cdb]
  lookup_sample:
    description:
      - For tables that need no build, look this many of their keys up through the real Postfix in the installed
        target file (C(-1) all, C(0) none) and fail when one answers differently from the source. Read-only, so it also
        runs in check mode.
    type: int
    default: 0
  force:
    description: Rebuild even when the content already matches.
    type: bool
    default: false
  fold_case:
    description:
      - Whether keys are case-folded (C(postmap) without C(-f)).
      - Default is inferred from the legacy C(.db) when there is one (upper-case keys mean it was built with C(-f)), else true.
    type: bool
  file_values:
    description:
      - Whether to build with C(postmap -F) (each value is a list of file names whose content, joined by a newline,
        goes base64-encoded into the table; lookups are verified against that). A named file that is missing, not
        absolute, or that the source's owner could not read fails the table with its line.
      - Default is true for tables used by C(tls_server_sni_maps) (Postfix requires C(-F) there); for other tables
        true only when the legacy C(.db) or the installed new file holds exactly that content (built with C(-F) by
        hand), else false. Never for alias tables, and an orphan's recovered source is copied as it is.
    type: bool
  strict:
    description: Fail when the source has lines postmap/postalias would reject (each is named with file and line).
    type: bool
    default: true
  disagreement:
    description:
      - >-
        Which side wins, per table path, where a table's source and its legacy C(.db) disagree (a source edited but
        never rebuilt, entries added with C(postmap -i) or deleted with C(-d), a program that writes the C(.db)):
        C(source) builds from the source (lookups then answer as the source says), C(db) builds from the C(.db)'s
        content (what the server answers today) and rewrites the source from it, keeping the previous source as
        C(PATH.nbdb-before-db) (same owner and mode).
      - A table about to be built whose source and C(.db) disagree, and that is not named here, is refused; the
        result lists its keys and the kind of each difference (never values). Compared with C(postmap -s) where
        Berkeley DB works, else with the collection's pure-Python reader.
    type: dict
    default: {}
  sensitive:
    description:
      - More table paths whose values are secret (masked in diffs, built files never readable by other users).
      - Tables of C(smtp_sasl_password_maps) and C(lmtp_sasl_password_maps) and names containing passwd, password,
        sasl, secret or credential are always sensitive.
    type: list
    elements: path
    default: []
notes:
  - Reads C(.lmdb) files with the Python C(lmdb) package and C(.cdb) files with C(pure-cdb) where the target has them,
    otherwise with C(postmap -s).
"""

EXAMPLES = r"""
- name: Rebuild the legacy tables as lmdb
  mailops.nbdb.table_reindex:
    tables:
      - hash:/etc/aliases
      - hash:/etc/postfix/virtual
      - hash:/etc/postfix/sasl/sasl_passwd
    target_type: lmdb

- name: Rebuild every table nbdb_info found, with the instance's default types
  mailops.nbdb.table_reindex:
    tables: "{{ nbdb.tables | selectattr('role', 'ne', 'cache') | map(attribute='path') | list }}"
    config_dir: /etc/postfix
"""

RETURN = r"""
tables:
  description: One entry per requested table.
  returned: always
  type: list
  elements: dict
  contains:
    table:
      description: The table as requested.
      type: str
      sample: hash:/etc/postfix/virtual
    path:
      description: Table path.
      type: str
    role:
      description: C(alias), C(map), C(orphan) or C(cache).
      type: str
    tool:
      description: C(postalias) or C(postmap).
      type: str
    target:
      description: The new C(type:path).
      type: str
      sample: lmdb:/etc/postfix/virtual
    target_file:
      description: The indexed file.
      type: str
      sample: /etc/postfix/virtual.lmdb
    action:
      description: C(build), C(none), or C(refused) (source and C(.db) disagree, see I(disagreement)).
      type: str
    reason:
      description: Why.
      type: str
      sample: "content differs: 2 added, 0 removed, 1 changed"
    changed:
      description: Whether the table was (or in check mode would be) rebuilt.
      type: bool
    entries:
      description: Entries the source defines.
      type: int
    added:
      description: Keys missing from the old target.
      type: int
    removed:
      description: Keys only in the old target.
      type: int
    changed_keys:
      description: Keys whose value differs.
      type: int
    duplicates:
      description: Duplicate keys in the source (the first wins, as in Postfix).
      type: int
    fold_case:
      description: Whether keys were case-folded.
      type: bool
    sensitive:
      description: Whether the table is treated as holding secrets.
      type: bool
    warnings:
      description: "What postmap/postalias would warn about, as C(file, line N: text)."
      type: list
      elements: str
    reader:
      description: How the old target was read (C(python-lmdb), C(pure-cdb), C(postmap -s)), null when absent.
      type: str
    verified:
      description: Keys looked up through the real Postfix after the build, or the I(lookup_sample) of an unchanged table.
      type: int
    recovered_source:
      description: Path of the source written for an orphan, else null.
      type: str
    matches_legacy:
      description:
        - Whether the source defines exactly the content of the legacy C(.db) (null without one, for an orphan, or
          when the C(.db) was not read).
      type: bool
    berkeley_db:
      description:
        - >-
          What Postfix answered when the legacy C(.db) was read: C(available) (read with C(postmap -s)/C(postalias
          -s)), C(missing_311) or C(unsupported_type) (Berkeley DB is gone: the table was built from its source
          alone, an orphan read with the collection's pure-Python reader); null when the C(.db) was not read.
      type: str
      sample: missing_311
    disagreement:
      description:
        - >-
          Where the source and the legacy C(.db) disagree: counts per kind (C(only_in_source), C(only_in_db),
          C(value_differs)), C(keys) (at most 200, each with its C(kind); never values), C(truncated), and
          C(chosen) (C(source), C(db), or null when the table was refused). Null when they agree or were not compared.
      type: dict
      sample: {only_in_source: 1, only_in_db: 1, value_differs: 0, truncated: false, chosen: null,
               keys: [{key: added@example.com, kind: only_in_source}, {key: postmap-i@example.com, kind: only_in_db}]}
    flags:
      description: Build flags that change the content (C(-F), see I(file_values)); C(-f) shows as I(fold_case).
      type: list
      elements: str
      sample: ["-F"]
"""

import gc

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.host import table_context
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.reindex import Request, reindex
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import disagreement as sides


def main():
    module = AnsibleModule(
        argument_spec=dict(
            tables=dict(type="list", elements="str", required=True),
            role=dict(type="str", default="auto", choices=["auto", "alias", "map", "cache"]),
            target_type=dict(type="str", choices=["lmdb", "cdb"]),
            database_type=dict(type="str", choices=["lmdb", "cdb"]),
            cache_db_type=dict(type="str", choices=["lmdb", "cdb"]),
            lookup_sample=dict(type="int", default=0),
            config_dir=dict(type="path"),
            force=dict(type="bool", default=False),
            fold_case=dict(type="bool"),
            file_values=dict(type="bool"),
            strict=dict(type="bool", default=True),
            sensitive=dict(type="list", elements="path", default=[]),
            disagreement=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    params = module.params
    postfix = module_postfix(module)
    results, diffs, refused = [], [], []
    gc.disable()  # millions of small acyclic objects (keys, values): the cycle collector would rescan them all
    try:
        sides.check_choices(params["disagreement"])
        context = table_context(postfix, params["config_dir"], params["database_type"], params["cache_db_type"])
        requests = [Request(spec, context, params["role"], params["target_type"], params["fold_case"],
                            params["sensitive"], params["file_values"], params["disagreement"])
                    for spec in params["tables"]]
        for request in requests:
            try:
                result, diff = reindex(postfix, request, module.check_mode, params["force"], params["strict"],
                                       params["lookup_sample"], module._diff)
            except sides.DisagreementError as exc:  # the other tables are still examined (and built)
                refused.append(str(exc))
                results.append(getattr(exc, "result", {"table": request.spec, "changed": False}))
                continue
            results.append(result)
            if diff:
                diffs.append(diff)
    except HANDLED as exc:
        module.fail_json(msg=message(exc), tables=results, changed=any(r["changed"] for r in results))
    if refused:
        module.fail_json(msg=" | ".join(refused), tables=results, changed=any(r["changed"] for r in results))
    module.exit_json(changed=any(r["changed"] for r in results), tables=results, diff=diffs)


if __name__ == "__main__":
    main()
