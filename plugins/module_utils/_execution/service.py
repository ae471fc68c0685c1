# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stop, start and reload Postfix the way the host manages it: systemd when it runs postfix.service,
else the postfix command (which acts on every enabled postmulti instance)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time


class ServiceError(Exception):
    pass


class PostfixService:
    def __init__(self, postfix, run_command, find_binary):
        self.postfix = postfix
        self._run = run_command
        self.systemctl = find_binary("systemctl") if os.path.isdir("/run/systemd/system") else None
        if self.systemctl:
            rc, out, err = self._run([self.systemctl, "cat", "postfix.service"], check_rc=False)
            if rc != 0:
                self.systemctl = None
        self.manager = "systemd" if self.systemctl else "postfix"

    def _do(self, action):
        if self.systemctl:
            rc, out, err = self._run([self.systemctl, action, "postfix.service"], check_rc=False)
            if rc != 0:
                raise ServiceError("systemctl %s postfix.service failed: %s" % (action, (err or out).strip()))
        else:
            self.postfix.run("postfix", [action], what="%s Postfix" % action)

    def running(self):
        return self.postfix.run("postfix", ["status"], check=False)[0] == 0

    def stop(self):
        self._do("stop")

    def start(self):
        self._do("start")
        self.wait_running()

    def reload(self):
        self._do("reload")

    def wait_running(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.running():
                return
            time.sleep(0.05)
        raise ServiceError("Postfix is not running %d s after the start" % timeout)
