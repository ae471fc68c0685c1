#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nbdb_lock
short_description: Per-host lock so that two migrations never interleave
version_added: 0.1.0
description:
  - C(state=present) takes the lock (an atomic C(mkdir) of I(path) holding who took it and when); when another run holds
    it, waits up to I(wait) seconds and then fails, naming the holder. A lock older than I(stale_after) seconds is taken
    over (reported in C(taken_over)); take-overs are serialised by an C(flock) on C(<path>.takeover) and the stale lock is
    renamed away only while it still holds the holder judged stale, so of two runs taking over the same lock one wins.
  - I(take_over) takes the lock from a run known to be gone (the caller checked that its I(owner) process no longer
    exists), but only while that run's token still holds it.
  - C(state=absent) releases the lock if I(token) holds it.
  - The lock lives only for the duration of a run; taking and releasing it is not reported as a change.
author:
  - mailops.nbdb developers (@mailops)
extends_documentation_fragment:
  - mailops.nbdb.attributes
attributes:
  check_mode:
    support: full
    details:
      - Fails when another run holds the lock, without taking it.
  diff_mode:
    support: none
options:
  state:
    description: Take or release.
    type: str
    choices: [present, absent]
    default: present
  path:
    description: Lock directory.
    type: path
    default: /run/mailops-nbdb.lock
  token:
    description: Identifies this run (the same token may take the lock again).
    type: str
    required: true
  wait:
    description: Seconds to wait for another run's lock.
    type: int
    default: 0
  stale_after:
    description: Seconds after which a lock is considered abandoned.
    type: int
    default: 7200
  owner:
    description: Who runs this migration (for example C(controller:PID) of ansible-playbook); stored with the lock and
      returned to a run that finds the lock held, so that it can check whether the holder still exists.
    type: str
  take_over:
    description: Token of a holder known to be gone; its lock is taken over (reported in C(taken_over)).
    type: str
  postfix_running:
    description: Whether Postfix ran when this run began; stored with the lock, so that a run taking over the lock of a
      killed run learns that the Postfix it finds stopped was stopped by that run (and starts it again).
    type: bool
"""

EXAMPLES = r"""
- name: Take the migration lock
  mailops.nbdb.nbdb_lock:
    token: "{{ nbdb_run_token }}"
"""

RETURN = r"""
holder:
  description: Token of the run holding the lock after this task (null after a release).
  returned: always
  type: str
holder_owner:
  description: I(owner) recorded by the run holding the lock (null when none was recorded).
  returned: always
  type: str
holder_since:
  description: Seconds since the epoch when the holder took the lock.
  returned: always
  type: float
holder_postfix_running:
  description: I(postfix_running) recorded by the run holding the lock, or by the run whose lock was taken over (null
    when none was recorded).
  returned: always
  type: bool
taken_over:
  description: Token of a stale or abandoned lock that was taken over, else null.
  returned: always
  type: str
"""

import binascii
import fcntl
import json
import os
import shutil
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message


def read_holder(path):
    try:
        with open(os.path.join(path, "holder.json")) as handle:
            return json.load(handle)
    except (IOError, OSError, ValueError):
        return {"token": None, "since": os.stat(path).st_mtime if os.path.exists(path) else 0}


def take(path, token, owner, postfix_running=None):
    os.mkdir(path, 0o700)
    with open(os.path.join(path, "holder.json"), "w") as handle:
        json.dump({"token": token, "since": time.time(), "owner": owner, "postfix_running": postfix_running}, handle)


def take_over(path, judged, token, owner, postfix_running=None):
    """Replace the lock judged stale (its holder dict as read) by ours; True when we hold it now.

    Atomic between runs: take-overs are serialised by an flock on ``<path>.takeover`` (a file that stays); under it
    the holder is read again and must still be the one judged stale, the lock directory is renamed away (atomic:
    nobody sees a half-removed lock), the renamed holder checked once more (else put back), and only then removed
    and our lock made with the same atomic mkdir as a first take. A second run that judged the same stale holder
    finds ours instead and does not take it.
    """
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    guard = os.open(path + ".takeover", flags, 0o600)
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not same_holder(read_holder(path), judged):
            return False  # someone else took it over (or its holder came back) since we judged it
        aside = "%s.stale-%d-%s" % (path, os.getpid(), binascii.hexlify(os.urandom(6)).decode())
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            pass  # released meanwhile: the mkdir below competes like a first take
        else:
            if not same_holder(read_holder(aside), judged):
                os.rename(aside, path)
                return False
            shutil.rmtree(aside, ignore_errors=True)
        try:
            take(path, token, owner, postfix_running)
        except FileExistsError:
            return False
        return True
    finally:
        os.close(guard)  # releases the flock


def same_holder(holder, judged):
    return all(holder.get(key) == judged.get(key) for key in ("token", "since", "owner"))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "absent"]),
            path=dict(type="path", default="/run/mailops-nbdb.lock"),
            token=dict(type="str", required=True, no_log=False),
            wait=dict(type="int", default=0),
            stale_after=dict(type="int", default=7200),
            owner=dict(type="str"),
            take_over=dict(type="str"),
            postfix_running=dict(type="bool"),
        ),
        supports_check_mode=True,
    )
    result = {"changed": False, "holder": None, "holder_owner": None, "holder_since": None, "holder_postfix_running": None,
              "taken_over": None}
    try:
        lock(module, result)
    except HANDLED as exc:
        module.fail_json(msg=message(exc), **result)


def lock(module, result):
    """Take, keep or release the lock as module.params say; exits the module, or raises a HANDLED error."""
    params = module.params
    path, token = params["path"], params["token"]
    if params["state"] == "absent":
        if os.path.isdir(path) and read_holder(path).get("token") == token and not module.check_mode:
            shutil.rmtree(path, ignore_errors=True)
        module.exit_json(**result)
    deadline = time.monotonic() + params["wait"]
    running = params["postfix_running"]
    while True:
        if not os.path.exists(path):
            if not module.check_mode:
                try:
                    take(path, token, params["owner"], running)
                except FileExistsError:
                    continue  # another run was faster: look again
            result.update(holder=token, holder_owner=params["owner"], holder_postfix_running=running)
            module.exit_json(**result)
        holder = read_holder(path)
        if holder.get("token") == token:
            result.update(holder=token, holder_owner=params["owner"], holder_since=holder.get("since"),
                          holder_postfix_running=holder.get("postfix_running"))
            module.exit_json(**result)
        age = time.time() - holder.get("since", 0)
        if age > params["stale_after"] or (params["take_over"] and holder.get("token") == params["take_over"]):
            result.update(taken_over=holder.get("token"), holder_postfix_running=holder.get("postfix_running"))
            if module.check_mode:
                result["holder"] = token
                module.exit_json(**result)
            if take_over(path, holder, token, params["owner"], running):
                result.update(holder=token, holder_owner=params["owner"])
                module.exit_json(**result)
            result.update(taken_over=None, holder_postfix_running=None)
            continue
        if time.monotonic() >= deadline:
            result.update(holder=holder.get("token"), holder_owner=holder.get("owner"), holder_since=holder.get("since"),
                          holder_postfix_running=holder.get("postfix_running"))
            module.fail_json(msg="another migration holds %s (run %s of %s, for %d s); wait for it to finish, or if that"
                             " run is gone, take the lock over with migrate_lock_take_over=%s"
                             % (path, holder.get("token"), holder.get("owner") or "an unknown controller", age,
                                holder.get("token")), **result)
        time.sleep(1)


if __name__ == "__main__":
    main()
