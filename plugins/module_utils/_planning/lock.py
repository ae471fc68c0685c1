# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether the run that holds a host's lock is gone (issue 15 §4: decided here, not in the role). A lock records
its holder's owner as ``controller:PID``; only a holder of this same controller can be judged, by its process."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os


def process_alive(pid):
    """Whether process pid exists on this machine (signal 0: nothing is sent)."""
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM  # it exists, as another user
    return True


def abandoned_holder(lock, owner, token, alive=process_alive):
    """The token of the lock's holder when that run is gone (it ran on this controller, its process no longer
    exists), else "" (no holder, this run, another controller's run, or one still alive).
    lock: nbdb_lock's result in check mode; owner: this run's ``controller:PID``; token: this run's token."""
    holder = (lock or {}).get("holder")
    if holder in (None, "", token):
        return ""
    controller, dummy, pid = ((lock or {}).get("holder_owner") or "").rpartition(":")
    if not controller or controller != owner.rpartition(":")[0] or not pid.isdigit():
        return ""
    return "" if alive(int(pid)) else holder
