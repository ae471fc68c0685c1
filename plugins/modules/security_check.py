#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: security_check
short_description: Audit a Postfix host for the risks of the Berkeley DB migration
version_added: 0.1.0
description:
  - Reports findings, each with C(id), C(severity), C(instance), C(file), C(parameter), C(evidence) and C(remedy).
  - C(level.enable_reindex) - the migration level is C(enable-reindex) (upstream warns of privilege escalation);
    severity rises after I(reindex_max_age) hours, measured from the time recorded by M(mailops.nbdb.nbdb_level).
  - C(level.enable_reindex_age_unknown) - that time was not recorded (the level was set by hand); main.cf's
    modification time is no substitute, every C(postconf -e) rewrites main.cf.
  - C(reindex.refused) - legacy tables nbdb_reindexd would refuse (prefix allowlists, absolute path without C(/../),
    owner and group/other write of the file and every parent directory, C(.db) owner).
  - C(prefix.risky) - C(non_bdb_migration_allow_root_prefixes) or C(non_bdb_migration_allow_user_prefixes) widened to
    temporary, home, world- or group-writable or relative directories.
  - C(sensitive.readable), C(sensitive.owner) - secret tables (C(smtp_sasl_password_maps), C(lmtp_sasl_password_maps),
    C(tls_server_sni_maps) and I(sensitive_tables)) readable by group/other or not owned by root; a table used through
    C(proxy:) is read by the unprivileged proxymap, so C(0640) with mail_owner's group (or root's) is right there and
    a fix keeps that group's read.
  - C(sensitive.symlink) - such a file is a symlink; it is judged by C(lstat) and never followed (neither by the
    check nor by I(fix)).
  - C(table.writable), C(db.writable), C(table.directory), C(table.symlink) - every table kept in a file (legacy or
    migrated, its source and its C(.db)/C(.lmdb)/C(.cdb)), its directory and every ancestor can be changed by root
    only (nbdb_reindexd's rule); below an allowed user prefix (C(non_bdb_migration_allow_user_prefixes)) the table's
    owner and their group may write too (Mailman's C(2770 list:list) data directory is expected there).
  - C(lmdb.lock_file) - a stray C(.lmdb-lock) next to a table (Postfix never uses LMDB's own lock file).
  - C(prefix.broad), C(prefix.missing), C(prefix.owner), C(prefix.ancestor) - prefix entries (main.cf and master.cf
    C(-o) on the C(nbdb_reindex) service) too broad (C(/), C(/var), the queue directory), missing (and creatable by
    someone other than root, or not a default entry), not root-owned (root prefixes) or under a directory others can
    change.
  - C(config.writable), C(config.directory), C(config.symlink) - main.cf, master.cf, C(config_directory) or one of its
    ancestors changeable by someone other than root (C(postfix-non-bdb-script) evaluates main.cf values in a root
    shell).
  - C(tls.key_readable), C(tls.key_owner), C(tls.key_symlink) - private keys (C(*_tls_*key_file), C(*_tls_chain_files),
    the files named in C(tls_server_sni_maps) sources that hold a private key) readable by others or by a group other
    than root's and C(ssl-cert) (Debian's snakeoil key C(root:ssl-cert 0640) is fine), or not owned by root.
  - C(reindex.service_left) - the C(nbdb_reindex) service in master.cf at a level that does not use it.
  - C(legacy.references), C(legacy.stale_db), C(level.needed), C(level.unneeded) - legacy state left behind.
  - C(posture.override) - TLS and milter parameters whose defaults changed around Postfix 3.10/3.11, set explicitly to
    something else (read from C(postconf -n) and C(postconf -d) on the host; reported, never enforced).
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
  - mailops.nbdb.attributes.CONFIG_DIR
attributes:
  check_mode:
    support: full
    details:
      - With I(fix=true), reports which fixes would be applied.
  diff_mode:
    support: full
    details:
      - The list of fixes before and after.
options:
  fail_on:
    description: Fail (after reporting everything) when a finding has at least this severity.
    type: str
    choices: [none, info, low, medium, high, critical]
    default: none
  fix:
    description:
      - Apply the safe, local fixes (modes and ownership of sensitive tables, table files, main.cf/master.cf and TLS
        keys; never directories, never another user's file's owner).
      - Each fix opens the file it judged without following symlinks, checks that it is still that file (owner, group,
        mode, modification time) and changes it through that descriptor; a file that changed in between, or is a
        symlink, is not fixed and is listed in RV(not_fixed).
      - A finding fixed in this run (in check mode, one that would be fixed) no longer counts for I(fail_on).
    type: bool
    default: false
  fix_level:
    description: With I(fix=true), also drop C(enable-reindex) back to C(enable-redirect) (and reload Postfix).
    type: bool
    default: false
  reindex_max_age:
    description: Hours C(enable-reindex) may stay on before its finding becomes C(high).
    type: float
    default: 24
  sensitive_tables:
    description: More table paths that hold secrets.
    type: list
    elements: path
    default: []
"""

EXAMPLES = r"""
- name: Audit and fail on high findings
  mailops.nbdb.security_check:
    fail_on: high
  register: audit

- name: Tighten secret tables and leave enable-reindex
  mailops.nbdb.security_check:
    fix: true
    fix_level: true
    sensitive_tables:
      - /etc/postfix/relay_passwords
"""

RETURN = r"""
findings:
  description: Every finding, most severe first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Kind of finding.
      type: str
      sample: sensitive.readable
    severity:
      description: C(info), C(low), C(medium), C(high) or C(critical).
      type: str
    instance:
      description: Configuration directory.
      type: str
    file:
      description: File concerned, if any.
      type: str
    parameter:
      description: Parameter concerned, if any.
      type: str
    evidence:
      description: What was seen.
      type: str
    remedy:
      description: What to do.
      type: str
    fixable:
      description: Whether I(fix) can repair it.
      type: bool
    fixed:
      description: Whether it was (or in check mode would be) fixed in this run.
      type: bool
changes:
  description: What I(fix) changed (in check mode, would change), one entry per change.
  returned: always
  type: list
  elements: dict
  sample: [{file: /etc/postfix/sasl_passwd, action: chmod, before: "0644", after: "0600"}]
not_fixed:
  description: Fixable findings that I(fix) left alone, with the reason (the file changed since it was judged, or is
    a symlink now).
  returned: always
  type: list
  elements: dict
  sample: [{file: /etc/postfix/sasl_passwd, reason: "/etc/postfix/sasl_passwd is a symlink now; symlinks are never fixed"}]
counts:
  description: Findings per severity (before fixes).
  returned: always
  type: dict
  sample: {info: 2, low: 0, medium: 1, high: 1, critical: 0}
summary:
  description: One line per finding, for people.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host, security_state
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import security_fix
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import security


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type="path"),
            fail_on=dict(type="str", default="none", choices=["none"] + list(security.SEVERITIES)),
            fix=dict(type="bool", default=False),
            fix_level=dict(type="bool", default=False),
            reindex_max_age=dict(type="float", default=24.0),
            sensitive_tables=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    postfix = module_postfix(module)
    try:
        findings = []
        for config_dir in host.instance_dirs(postfix, params["config_dir"]):
            state = security_state.gather(postfix, config_dir, params["sensitive_tables"])
            findings.extend(security.evaluate(state, params["reindex_max_age"]))
        findings.sort(key=lambda f: -security.SEVERITIES.index(f["severity"]))
        counts, lines = security.summarize(findings)
        changes, not_fixed, session = [], [], {}
        if params["fix"]:
            for item in findings:
                if item["fixable"]:
                    item["fixed"], record, why = security_fix.apply(
                        postfix, item, params["fix_level"], module.check_mode, session)
                    if record:
                        changes.append(record)
                    if why:
                        not_fixed.append({"file": item["file"], "reason": why})
    except HANDLED as exc:
        module.fail_json(msg=message(exc))
    fixed = [item for item in findings if item["fixed"]]
    for item in findings:
        item.pop("fix")
    result = dict(changed=bool(fixed), findings=findings, counts=counts, summary=lines, changes=changes,
                  not_fixed=not_fixed, diff={"before": "".join("%s\n" % f["evidence"] for f in fixed), "after": ""})
    threshold = params["fail_on"]
    # a finding fixed in this run is gone (in check mode: would be fixed, so check mode predicts the real run)
    failing = [f for f in findings if threshold != "none" and security.severity_at_least(f["severity"], threshold)
               and not f["fixed"]]
    if failing:
        module.fail_json(msg="security findings at or above %s: %s" % (threshold, "; ".join(
            f["evidence"] for f in failing)), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
