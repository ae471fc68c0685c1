#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_verify
short_description: Prove a Postfix host serves as well after the migration as before it
version_added: 0.1.0
description:
  - Observes the host, that is whether each instance runs (C(postfix status)), what C(postfix check) warns about, the
    warning/error kinds in the mail log, and what becomes of a probe message sent with C(sendmail) (delivered,
    deferred and why, bounced), following it in the log by its Message-ID.
  - With I(phase=baseline), before the switch, it only records that observation (it never fails for what it
    sees). With I(phase=after) it judges the observation after the switch against I(baseline). Real servers have
    problems that predate the migration (a content filter that is down, a missing file, an LMTP server not
    running); those are reported as C(pre_existing) and never fail. It fails on a regression only, that is an
    instance that ran and no longer runs, a probe that ends worse than before, or a new warning/error kind
    in the log or in C(postfix check) that names a table, a map type, an indexed file or a lookup.
  - Without I(baseline), the host is judged against a clean one (every table warning fails, the probe must
    be delivered).
  - The probe never leaves the host unless I(recipient) is named; a deferred probe is removed from the queue
    again (by its own queue id); no other mail is touched. In check mode no probe is sent.
  - Reads the log from C(maillog_file) when set, else from the systemd journal (any unit name), else the classic
    files; classic, RFC 3339 and journal timestamps.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
  - mailops.nbdb.attributes.INFO_MODULE
  - mailops.nbdb.attributes.CONFIG_DIR
options:
  phase:
    description: C(baseline) records the host before the switch; C(after) judges it against I(baseline).
    type: str
    choices: [baseline, after]
    default: after
  baseline:
    description: The RV(baseline) a C(phase=baseline) run returned (for C(phase=after)).
    type: dict
  since:
    description:
      - With C(phase=after), unix time from which the log counts (the switch). With C(phase=baseline), the log
        of the I(window) seconds before now is read.
    type: float
    default: 0
  window:
    description: Seconds of log read for the baseline (at least as long as the after-window is expected to be).
    type: int
    default: 900
  recipient:
    description:
      - Address of the probe. Not set, C(root), and only when its mail is delivered on this host (C(mydestination),
        aliases, C(.forward), transports, BCC and content filters are followed); otherwise no probe, with a note.
        An empty string sends no probe.
    type: str
  timeout:
    description: Seconds to wait for the probe's first delivery attempt.
    type: int
    default: 60
  legacy_expected:
    description:
      - The host runs C(hash:)/C(btree:) tables on purpose (a dry run, excluded tables, after a rollback), so Postfix's
        "hash/btree support is deprecated" notices do not count; after a complete switch they do.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Record how the host serves before the switch
  mailops.nbdb.nbdb_verify:
    phase: baseline
  register: baseline

- name: Judge the host after the switch
  mailops.nbdb.nbdb_verify:
    baseline: "{{ baseline.baseline }}"
    since: "{{ switched_at }}"
"""

RETURN = r"""
running:
  description: Whether Postfix runs (every instance asked for).
  returned: always
  type: bool
log_warnings:
  description: Warning/error lines of the log since I(since) that were not in the baseline (phase C(after)).
  returned: always
  type: list
  elements: str
delivery:
  description: The log line of the probe's first delivery attempt (null when none was sent or seen).
  returned: always
  type: str
probe:
  description: The probe, when sent; C(outcome) is one of C(delivered), C(deferred), C(bounced), C(not_seen).
  returned: always
  type: dict
  sample: {outcome: deferred, reason: "connect to 127.0.0.1[127.0.0.1]:10024: Connection refused", removed: true}
route:
  description: Where the probe went, or why none was sent.
  returned: always
  type: str
baseline:
  description: The observation to pass as I(baseline) later (phase C(baseline)); the observation judged (phase C(after)).
  returned: always
  type: dict
verdict:
  description: C(regressions) (fail the module), C(pre_existing) problems (reported only) and C(notes).
  returned: when phase is after
  type: dict
  sample: {regressions: [], pre_existing: ["the probe before the switch was deferred: connect to ..."], notes: []}
log:
  description: Where the log was read.
  returned: always
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import SBIN_DIRS, module_postfix
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host, maillog, route
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import probe
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import verdict

CLEAN = {"running": {}, "check": {}, "log": {}, "probe": None}


def observe(module, postfix, dirs, log, running, start, recipient, legacy_expected):
    """What the host shows: running instances, postfix check, the probe's end, the log's kinds since start."""
    state = {"running": running, "check": {}, "log": {}, "probe": None, "recipient": recipient}
    for config_dir in dirs:
        state["check"].update(probe.check_kinds(postfix, config_dir, legacy_expected))
    if recipient and not module.check_mode and any(running.values()):
        state["probe"] = probe.send_probe(postfix, dirs[0], recipient, module.params["timeout"], log)
    state["log"] = probe.log_kinds(log, start, legacy_expected=legacy_expected)
    return state


def probe_recipient(postfix, config_dir, params, running):
    """(recipient or None, note) of the probe."""
    baseline = params["baseline"]
    if params["recipient"] == "":
        return None, "no probe (recipient empty)"
    if baseline is not None and params["phase"] == "after":
        return baseline.get("recipient"), baseline.get("route")
    if not any(running.values()):
        return None, "no probe (Postfix is not running)"
    return verdict.probe_route(route.gather(postfix, config_dir, params["recipient"]))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type="path"),
            phase=dict(type="str", choices=["baseline", "after"], default="after"),
            baseline=dict(type="dict"),
            since=dict(type="float", default=0),
            window=dict(type="int", default=900),
            recipient=dict(type="str"),
            timeout=dict(type="int", default=60),
            legacy_expected=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    postfix = module_postfix(module)
    result = {"changed": False, "running": False, "log_warnings": [], "delivery": None, "probe": None, "route": None}
    try:
        dirs = [params["config_dir"]] if params["config_dir"] else host.instance_dirs(postfix)
        log = maillog.MailLog(postfix, module.run_command,
                              lambda name: module.get_bin_path(name, required=False, opt_dirs=SBIN_DIRS), dirs)
        result["log"] = log.source
        baseline = params["baseline"]
        running = dict((d or "default", postfix.run("postfix", ["status"], d, check=False)[0] == 0) for d in dirs)
        recipient, result["route"] = probe_recipient(postfix, dirs[0], params, running)
        start = time.time() - params["window"] if params["phase"] == "baseline" else params["since"]
        legacy_expected = params["phase"] == "baseline" or params["legacy_expected"]
        state = observe(module, postfix, dirs, log, running, start, recipient, legacy_expected)
        state["route"] = result["route"]
        result["baseline"] = state
        result["running"] = all(state["running"].values())
        result["probe"] = state["probe"]
        result["delivery"] = (state["probe"] or {}).get("status")
    except HANDLED as exc:
        module.fail_json(msg=message(exc), **result)
    if params["phase"] == "after":
        result["verdict"] = verdict.judge(baseline or dict(CLEAN, running=dict((k, True) for k in state["running"])),
                                          state)
        result["log_warnings"] = [line for text, line in sorted(state["log"].items())
                                  if text not in (baseline or CLEAN)["log"]]
        if result["verdict"]["regressions"]:
            module.fail_json(msg="the host serves worse than before the switch: %s"
                             % " | ".join(result["verdict"]["regressions"][:5]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
