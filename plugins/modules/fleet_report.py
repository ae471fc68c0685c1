#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: fleet_report
short_description: Write the fleet report of a migration (JSON, Markdown, self-contained HTML) on the controller
version_added: 0.1.0
description:
  - Adds the hosts' records (the C(migrate_summary) fact the C(mailops.nbdb.migrate) role leaves) to a history kept
    per host under I(dest)C(/records), then writes C(fleet-report.json), C(fleet-report.md) and C(fleet-report.html)
    from all histories.
  - The history keeps the latest dry run, the latest real run, the latest run that migrated and the latest rollback of
    each host, so the report shows the dry-run predictions next to the real results, and a re-run that changes
    nothing does not hide what the migration did.
  - The JSON schema is documented in C(docs/fleet-report.md) of the collection; C(schema_version) changes when it does.
  - Run it on the controller (C(delegate_to=localhost) or a play on C(localhost)). Concurrent runs are serialised by a
    lock in I(dest); every file is replaced atomically.
  - Reports C(changed) only when a file's content changed; re-rendering the same records changes nothing (the
    generation time is only updated with the content).
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff is the Markdown summary before and after (totals, rollout, host table; not the hosts' sections).
options:
  dest:
    description: Report folder on the controller (created when missing).
    type: path
    required: true
  records:
    description:
      - Host records to add. Each needs C(host), C(run) (C(dry_run), C(migrate) or C(rollback)) and C(status).
      - Records with status C(not_reached) or C(unreachable) only update the host's last run.
    type: list
    elements: dict
    default: []
  hosts:
    description: Hosts that belong to the fleet; listed as C(no_result) until they have a record.
    type: list
    elements: str
    default: []
  generated_by:
    description: The playbook that renders the report; C(dry_run) marks the report as a dry run.
    type: str
    choices: [dry_run, migrate_fleet, rollback, report]
    default: report
  title:
    description: Title of the report.
    type: str
    default: Postfix Berkeley DB migration - fleet report
"""

EXAMPLES = r"""
- name: Write the fleet report from the records of this run
  mailops.nbdb.fleet_report:
    dest: "{{ nbdb_report_dir }}"
    records: "{{ ansible_play_hosts_all | map('extract', hostvars, 'nbdb_record') | select('defined') | list }}"
    hosts: "{{ ansible_play_hosts_all }}"
    generated_by: migrate_fleet
  delegate_to: localhost
  run_once: true

- name: Rebuild the report from the stored records only
  mailops.nbdb.fleet_report:
    dest: ./nbdb-report
    generated_by: report
"""

RETURN = r"""
files:
  description: Paths of the report files.
  returned: always
  type: dict
  sample: {json: /srv/nbdb-report/fleet-report.json, markdown: /srv/nbdb-report/fleet-report.md,
           html: /srv/nbdb-report/fleet-report.html}
totals:
  description: The fleet totals of the report (see C(docs/fleet-report.md)).
  returned: always
  type: dict
  sample: {hosts: 4, migrated: 3, unchanged: 0, failed: 1, rolled_back: 1, tables_migrated: 21}
hosts:
  description: Host name and state of every host in the report.
  returned: always
  type: list
  elements: dict
  sample: [{host: mx1, state: migrated}]
"""

import datetime
import os
from contextlib import nullcontext

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import fleet, render, store


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dest=dict(type="path", required=True),
            records=dict(type="list", elements="dict", default=[]),
            hosts=dict(type="list", elements="str", default=[]),
            generated_by=dict(type="str", default="report", choices=["dry_run", "migrate_fleet", "rollback", "report"]),
            title=dict(type="str", default="Postfix Berkeley DB migration - fleet report"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    dest = params["dest"]
    files = dict((kind, os.path.join(dest, name)) for kind, name in store.REPORT_FILES.items())
    try:
        with store.locked(dest) if not module.check_mode else nullcontext():
            histories = store.read_histories(dest)
            changed_hosts = {}
            for record in params["records"]:
                host = record.get("host")
                changed_hosts[host] = fleet.add_record(changed_hosts.get(host) or histories.get(host), record)
            histories.update(changed_hosts)
            old = store.read_json(files["json"]) or {}
            report = fleet.build_report(histories, params["hosts"], params["generated_by"], old.get("generated_at", ""),
                                        params["title"])
            if report != old:
                report["generated_at"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            texts = {"json": store.to_json(report), "markdown": render.markdown(report), "html": render.html(report)}
            writes = [(store.record_path(dest, host), store.to_json(history)) for host, history in changed_hosts.items()]
            writes += [(files[kind], texts[kind]) for kind in ("json", "markdown", "html")]
            before_markdown = render.summary(store.read_text(files["markdown"]) or "")
            if module.check_mode:
                changed = any(store.read_text(path) != text for path, text in writes)
            else:
                written = [store.write_text(path, text) for path, text in writes]  # every file, no short cut
                changed = any(written)
    except HANDLED as exc:
        module.fail_json(msg=message(exc))
    module.exit_json(changed=changed, files=files, totals=report["totals"],
                     hosts=[{"host": row["host"], "state": row["state"]} for row in report["hosts"]],
                     diff={"before": before_markdown, "after": render.summary(texts["markdown"]),
                           "before_header": files["markdown"], "after_header": files["markdown"]})


if __name__ == "__main__":
    main()
