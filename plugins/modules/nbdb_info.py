#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_info
short_description: Find every Berkeley DB (hash/btree) table of a Postfix host
version_added: 0.1.0
description:
  - Reads the Postfix configuration of every instance with the real C(postconf) (raw values for
    definition sites, expanded values for paths) and reports each C(hash:) and C(btree:) reference,
    where it is used, where its text is defined, what wraps it, which files exist, and what it
    would become after the migration.
  - Also reports the Postfix version, the map types it supports, the default database types,
    the migration level (Postfix 3.11 and later) and the look-alikes it ignored on purpose
    (C(texthash:), upper-case C(HASH:) and other words containing hash or btree).
  - Never changes anything.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
  - mailops.nbdb.attributes.INFO_MODULE
  - mailops.nbdb.attributes.CONFIG_DIR
options:
  database_type:
    description:
      - Type that C(hash:) tables would become (for RV(tables[].target)).
      - Default is the host's resolved C(default_database_type) when that is not a Berkeley DB
        type, else C(lmdb).
    type: str
    choices: [lmdb, cdb]
  cache_db_type:
    description:
      - Type that C(btree:) tables would become.
      - Default is the resolved C(default_cache_db_type) when that is not a Berkeley DB type,
        else C(lmdb).
    type: str
    choices: [lmdb]
  probe_berkeley_db:
    description:
      - Open a C(hash:) table that does not exist in every instance to learn whether Berkeley DB works
        (RV(postfix.berkeley_db)). Postfix logs that open's failure (a C(fatal:) line naming the probe table, or on
        releases before 3.11 C(unsupported dictionary type)) to the mail log.
      - C(false) skips it (the states are then C(unknown)), for example right before a check of the mail log.
    type: bool
    default: true
  exclude:
    description:
      - References to keep as they are (C(type:path), a path or a parameter name), as in the role's
        C(migrate_exclude); decides RV(plan).
    type: list
    elements: str
    default: []
  level:
    description:
      - The migration level the migration will set (C(keep) keeps the current one); RV(plan) refuses excluded tables
        that this level would redirect. Not given, the level is not judged.
    type: str
    choices: [keep, disable, enable-redirect, enable-reindex]
  writers_search:
    description:
      - Files and directories (one level deep) whose scripts are searched for lines that run C(postmap)/C(postalias)
        on a C(hash:)/C(btree:) table (panels, cron jobs), for RV(writers). Mailman 3's C(mailman.cfg) and Mailman 2's
        C(mm_cfg.py) are always read from their usual places.
    type: list
    elements: path
    default: [/usr/local/sbin, /usr/local/bin, /etc/cron.d, /etc/cron.hourly, /etc/cron.daily, /var/spool/cron/crontabs]
  disk_factor:
    description:
      - Free space each table the plan builds needs on its file system, as a multiple of its size (the larger of its
        source and its legacy C(.db)); a table with less is named in RV(plan.refusals). C(0) switches the check off.
    type: int
    default: 3
notes:
  - Needs C(postconf), and C(postmulti) for multi-instance hosts, on the target (C(/usr/sbin) is searched).
"""

EXAMPLES = r"""
- name: Discover legacy tables
  mailops.nbdb.nbdb_info:
  register: nbdb

- name: Show what must be migrated
  ansible.builtin.debug:
    msg: "{{ item.instance }}: {{ item.type }}:{{ item.path }} ({{ item.role }}) -> {{ item.target }}"
  loop: "{{ nbdb.tables }}"

- name: Discover one instance only, planning for cdb tables
  mailops.nbdb.nbdb_info:
    config_dir: /etc/postfix-out
    database_type: cdb
"""

RETURN = r"""
postfix:
  description: Facts about the Postfix binary.
  returned: success
  type: dict
  contains:
    version:
      description: C(mail_version).
      type: str
      sample: 3.11.7
    map_types:
      description: Map types C(postconf -m) lists (it lists hash and btree even where Berkeley DB is compiled out).
      type: list
      elements: str
      sample: [btree, cdb, hash, lmdb]
    has_levels:
      description: Whether this version has C(postfix non-bdb) migration levels (3.11 and later).
      type: bool
      sample: true
    berkeley_db:
      description:
        - Whether Berkeley DB works on this host, from an actual open of a C(hash:) table in every instance (never from
          C(postconf -m)); the first instance whose state is not C(available) gives the host's.
        - >-
          C(available); C(missing_311) (3.11+ built without Berkeley DB, "Berkeley DB support for 'hash:...' is not
          available for this OS distribution" or "for this build"); C(unsupported_type) (older releases built
          without it, "unsupported dictionary type: hash"); C(unknown) (an answer not understood, see
          C(message) of RV(instances[].berkeley_db)).
      type: str
      sample: missing_311
instances:
  description: The instances examined, default instance first.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: C(default) for the default instance, else the postmulti name (the configuration directory for a
        RV(instances[].separate) one); null when I(config_dir) was given.
      type: str
      sample: postfix-out
    config_dir:
      description: Configuration directory.
      type: str
      sample: /etc/postfix-out
    group:
      description: postmulti group.
      type: str
      sample: mta
    enabled:
      description: Whether postmulti lists the instance as enabled.
      type: bool
    separate:
      description:
        - Whether the instance runs started with C(postfix -c) outside postmulti (found from the running Postfix
          masters of the host, their C(-c) or C(MAIL_CONFIG)); its name is then its configuration directory.
        - Such an instance is stopped and started with C(postfix -c) (neither the unit nor C(postfix start) reaches it).
          A stopped one is not found; start it, or import it with C(postmulti -e import).
        - Reading a master's environment needs C(CAP_SYS_PTRACE), which root has when logged in but not under a
          restricted C(podman exec) or C(sudo); a running master that no known instance's C(master.pid) names and
          whose environment cannot be read is then named in a warning.
      type: bool
    default_database_type:
      description: Resolved (expanded) C(default_database_type).
      type: str
      sample: hash
    default_cache_db_type:
      description: Resolved C(default_cache_db_type); null before Postfix 3.11 (no such parameter).
      type: str
      sample: lmdb
    target_database_type:
      description: Type that C(hash:) tables of this instance would become.
      type: str
      sample: lmdb
    target_cache_db_type:
      description: Type that C(btree:) tables of this instance would become.
      type: str
      sample: lmdb
    migration_level:
      description: C(disable), C(enable-redirect), C(enable-reindex); C(unsupported) before 3.11; C(invalid) when Postfix rejects the configured level.
      type: str
      sample: disable
    migration_level_reason:
      description: Why the level is C(unsupported) or C(invalid); null otherwise.
      type: str
    nbdb_reindex_service:
      description: Whether master.cf has the C(nbdb_reindex/unix) service.
      type: bool
    berkeley_db:
      description:
        - The probe of this instance, C(postmap -q nbdb-bdb-probe hash:/nonexistent/nbdb-bdb-probe) with its
          configuration (through a scratch copy of main.cf without the level at C(enable-redirect)/C(enable-reindex),
          which would redirect the open).
        - C(state) as RV(postfix.berkeley_db); C(readable) whether legacy C(.db) files can be read; C(message)
          Postfix's line that decided it (null when the open worked); C(note) what it means for the migration.
      type: dict
      sample:
        state: missing_311
        readable: false
        message: >-
          postmap: fatal: Berkeley DB support for 'hash:/nonexistent/nbdb-bdb-probe' is not available for this OS
          distribution; see https://www.postfix.org/NON_BERKELEYDB_README.html for alternatives
        note: >-
          Postfix was built without Berkeley DB: hash: and btree: tables cannot be opened (postconf -m still lists
          them); tables are built from their sources alone
    compatibility_level:
      description: Expanded C(compatibility_level).
      type: str
      sample: "3.6"
    queue_directory:
      description: Expanded C(queue_directory) (holds C(pid/master.pid)).
      type: str
      sample: /var/spool/postfix
    main_cf:
      description: Path of main.cf.
      type: str
    master_cf:
      description: Path of master.cf.
      type: str
plan:
  description:
    - What a migration with I(exclude) and I(level) changes and keeps, decided once (every phase of the role and its
      record use it). An excluded table must still open afterwards; where it would not, RV(plan.refusals) says why.
  returned: success
  type: dict
  contains:
    needed:
      description: A reference to migrate, or an instance whose default types are hash/btree.
      type: bool
    references_migrated:
      description: References (C(type:path)) the migration rewrites.
      type: list
      elements: str
    references_kept:
      description: Excluded references, which keep their legacy type.
      type: list
      elements: str
    tables_migrated:
      description: New tables (C(type:path)) the migration makes, caches included.
      type: list
      elements: str
    tables_kept:
      description: Legacy tables (C(type:path)) only excluded references use, left as they are.
      type: list
      elements: str
    instances:
      description: Per configuration directory, C(build) (legacy tables to build, not caches) and C(verify) (their new
        names, looked up key by key after the switch).
      type: dict
      sample: {/etc/postfix: {build: [hash:/etc/aliases], verify: [lmdb:/etc/aliases]}}
    level_after:
      description: The level the host runs at afterwards (null without levels or when I(level) is not given).
      type: str
    refusals:
      description: Why the migration must not run as asked, each with its remedy, decided before anything changes; an
        excluded table whose type comes from the default type that the migration switches, or one that the level
        would redirect; a main.cf, master.cf or configuration directory (or an ancestor) that a user other than root
        can change (the migration runs Postfix's commands as root on it; Postfix's own check warns about it too); a
        table to build whose file system lacks the room I(disk_factor) asks for.
      type: list
      elements: str
    exclude_unmatched:
      description: Entries of I(exclude) that match no reference, table or parameter (a typing error migrates the
        table it meant).
      type: list
      elements: str
    writers:
      description:
        - RV(writers), each judged at the level the host runs at afterwards (the current level when I(level) is not
          given), with C(outcome), C(builds), C(note) and C(change) added.
        - C(outcome) C(keeps_working) (a bare path, it builds C(default_database_type), the new type after the
          migration), C(redirected) (names C(hash:)/C(btree:), redirected at C(enable-redirect)/C(enable-reindex)),
          C(breaks) (names them where nothing redirects; with levels, RV(plan.refusals) refuses it when I(level) is
          given), C(stale) (a bare path on an excluded table; refused).
        - C(builds) the type the tool writes afterwards (null when it breaks); C(change) the setting to change
          (C(file), C(line), C(setting), and C(value), the new line) for a writer that names the legacy type.
      type: list
      elements: dict
      sample:
        - program: mailman3
          file: /etc/mailman3/postfix-mailman.cfg
          line: 8
          setting: "[postfix] postmap_command"
          command: /usr/sbin/postmap
          outcome: keeps_working
          builds: lmdb
          change: null
writers:
  description:
    - Programs that write tables, found from their configuration files; see RV(plan.writers) for what the migration
      means for each.
    - C(program) C(mailman3) (C([postfix] postmap_command) of the file C([mta] configuration) names, maps
      C(postfix_lmtp), C(postfix_domains), C(postfix_vmap) of its C(data_dir)), C(mailman2) (C(POSTFIX_ALIAS_CMD),
      C(POSTFIX_MAP_CMD) of C(mm_cfg.py) with C(MTA = 'Postfix')) or C(script) (a line of a file of
      I(writers_search)).
    - C(file)/C(line) where the command is set (C(line) null for a default that is not written), C(setting),
      C(command) as the program runs it (Mailman appends the table's path), C(types) the legacy types it names
      explicitly (empty for a bare path), C(tables) the paths it regenerates, C(via) C(path:line) of a wrapper script
      the command runs that names them, C(config) the mailman.cfg that named C(file).
  returned: success
  type: list
  elements: dict
  sample:
    - program: mailman2
      file: /etc/mailman/mm_cfg.py
      line: 112
      setting: POSTFIX_MAP_CMD
      command: /usr/local/sbin/mm-postmap
      types: [hash]
      tables: [/var/lib/mailman/data/virtual-mailman]
      via: /usr/local/sbin/mm-postmap:3
check_mode:
  description: Whether this task ran in check mode (also when a play or task forces it with the C(check_mode) keyword,
    which C(ansible_check_mode) does not show); the role refuses C(migrate_dry_run) when it is false.
  returned: always
  type: bool
fingerprint:
  description:
    - sha256 over the state (size, mtime, mode, owner) of every instance's main.cf and master.cf, the files of every
      table except daemon-maintained caches, and the PID of every running master.
    - Equal before and after a run proves the run changed and restarted nothing (the dry run asserts it).
  returned: success
  type: str
  sample: 3f0a9c...
references:
  description: One entry per use of a C(hash:)/C(btree:) table.
  returned: success
  type: list
  elements: dict
  contains:
    instance:
      description: Instance name.
      type: str
    config_dir:
      description: Configuration directory of the instance.
      type: str
    used_by:
      description:
        - Where the table is used.
        - C(origin) is C(main.cf), C(master.cf) (then C(service) is C(name/type) and C(parameter) the C(-o) name)
          or C(default) (a built-in default; C(file) and C(line) are null).
      type: dict
      sample: {file: /etc/postfix/master.cf, line: 23, parameter: smtpd_client_restrictions, service: submission/inet, origin: master.cf}
    definition_site:
      description:
        - The file, line and parameter whose text literally holds the C(hash:)/C(btree:)
          (or, for C(definition_kind=type_parameter), the Berkeley DB type name).
        - Same keys as RV(references[].used_by).
        - Null when it could not be traced (see RV(summary.unresolved)).
      type: dict
      sample: {file: /etc/postfix/main.cf, line: 40, parameter: my_access, service: null, origin: main.cf}
    definition_kind:
      description: C(literal) (C(hash:/x) text) or C(type_parameter) (C($default_database_type:/x) where that parameter is hash or btree).
      type: str
      sample: literal
    via:
      description: Chain of C($name) references from the using parameter to the definition site.
      type: list
      elements: str
      sample: [mua_client_restrictions, my_access]
    raw:
      description: The table text at the definition site, unexpanded.
      type: str
      sample: hash:${config_directory}/access
    expanded:
      description: The expanded C(type:path).
      type: str
      sample: hash:/etc/postfix/access
    type:
      description: C(hash) or C(btree).
      type: str
    path:
      description: Table path (the name after C(type:)).
      type: str
      sample: /etc/postfix/access
    unused:
      description:
        - The using parameter is unknown to this Postfix and nothing refers to it (C(postconf) reports it as an
          unused parameter), for example C(virtual_mailbox_limit_maps) of the VDA quota patch. Reported so that
          nothing is missed; a stock Postfix never opens such a table.
      type: bool
    wrappers:
      description: What wraps the table, outermost first (restriction names, C(proxy), C(unionmap), C(pipemap)).
      type: list
      elements: str
      sample: [check_client_access, proxy]
tables:
  description: One entry per distinct table of an instance.
  returned: success
  type: list
  elements: dict
  contains:
    instance:
      description: Instance name.
      type: str
    config_dir:
      description: Configuration directory.
      type: str
    name:
      description: The table as C(type:path).
      type: str
      sample: hash:/etc/postfix/virtual
    type:
      description: C(hash) or C(btree).
      type: str
    path:
      description: Table path.
      type: str
    used_by:
      description: Parameters using it (C(service/type/parameter) for master.cf overrides).
      type: list
      elements: str
      sample: [alias_maps, alias_database]
    role:
      description: C(alias) (built with postalias), C(map) (postmap), C(cache) (daemon-maintained, no source), C(orphan) (only the C(.db) exists).
      type: str
      sample: alias
    alias_format:
      description: Used as an alias table (C(alias_maps)/C(alias_database)), so built with postalias.
      type: bool
    tool:
      description: C(postalias), C(postmap), or null for caches.
      type: str
    flags:
      description:
        - Build flags the table needs that change its content, from the parameters that use it (C(-F) for
          C(tls_server_sni_maps)). M(mailops.nbdb.table_reindex) also infers C(-F) from a legacy C(.db) built that way.
      type: list
      elements: str
      sample: ["-F"]
    relative_path:
      description: The path is relative (Postfix resolves it against the daemon's working directory).
      type: bool
    files:
      description: C(source), C(db), C(lmdb), C(cdb) -> null or C(path), C(owner), C(group), C(uid), C(gid), C(mode), C(size), C(mtime).
      type: dict
    free_bytes:
      description: Space available in the table's file system (a rebuild needs up to about three times the table's size).
      type: int
    target:
      description: What the table would become, C(type:path).
      type: str
      sample: lmdb:/etc/aliases
    berkeley_db:
      description:
        - >-
          The instance's C(state) of RV(instances[].berkeley_db), or C(db_missing) where Berkeley DB works but the table's
          C(.db) file does not exist (Postfix fails its open with "open database ....db: No such file or directory").
      type: str
      sample: available
summary:
  description: Totals and what was not resolved or ignored.
  returned: success
  type: dict
  contains:
    references:
      description: Number of references.
      type: int
    tables:
      description: Number of tables.
      type: int
    roles:
      description: Tables per role.
      type: dict
      sample: {alias: 1, map: 4, cache: 2, orphan: 0}
    instances_with_legacy_defaults:
      description: Instances whose C(default_database_type) or C(default_cache_db_type) is hash/btree.
      type: list
      elements: str
    migrated:
      description: No legacy reference, nothing unresolved, no legacy default type.
      type: bool
    unresolved:
      description: Legacy text whose definition site could not be traced, with C(used_by), C(text) and C(reason).
      type: list
      elements: dict
    ignored_lookalikes:
      description: Non-Berkeley-DB texts mentioning hash/btree, with C(site) and C(text).
      type: list
      elements: dict
      sample:
        - site: {file: /etc/postfix/main.cf, line: 12, parameter: header_checks, service: null, origin: main.cf}
          text: "texthash:/etc/postfix/header_checks"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.host import discover
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import security_state, writers
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import exclusion, room, security


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type="path"),
            database_type=dict(type="str", choices=["lmdb", "cdb"]),
            cache_db_type=dict(type="str", choices=["lmdb"]),
            probe_berkeley_db=dict(type="bool", default=True),
            exclude=dict(type="list", elements="str", default=[]),
            level=dict(type="str", choices=["keep", "disable", "enable-redirect", "enable-reindex"]),
            writers_search=dict(type="list", elements="path", default=list(writers.SCRIPT_PLACES)),
            disk_factor=dict(type="int", default=3),
        ),
        supports_check_mode=True,
    )
    try:
        result = discover(module_postfix(module), module.params["config_dir"],
                          module.params["database_type"], module.params["cache_db_type"],
                          module.params["probe_berkeley_db"])
        result["writers"] = writers.find(module.params["writers_search"])
        result["plan"] = exclusion.decide(result, module.params["exclude"], module.params["level"])
        result["plan"]["refusals"] += security.config_refusals(
            [security_state.config_trust(item["config_dir"]) for item in result["instances"]])
        result["plan"]["refusals"] += room.room_refusals(result["tables"], result["plan"], module.params["disk_factor"])
    except HANDLED as exc:
        module.fail_json(msg=message(exc), check_mode=module.check_mode)
    module.exit_json(changed=False, check_mode=module.check_mode, **result)


if __name__ == "__main__":
    main()
