# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stop, start and reload Postfix the way the host manages it: systemd when it runs postfix.service,
else the postfix command (which acts on every enabled postmulti instance). Without systemd there may be an init
script (Debian's, OpenRC's): it runs the same ``postfix start``/``stop`` and is absent on upstream builds, so the
command is used in every step (switch, rollback, the final start), the same way on every host.

``postfix start`` runs Postfix's start-up checks (``postfix-script check-fatal`` and ``check-warn``: queue
directories, permissions, the Debian chroot copies, ``postsuper``) before it starts the master; on a small VM
that is most of the time mail is refused in a stop/start. ``prepare_start`` runs the same checks with
``postfix check`` while Postfix still runs and then sets postfix-script's own ``quick-start`` flag, so the
start in the window only starts the master. The checks do not depend on table types or the migration level.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError


class ServiceError(NbdbError):
    pass


def quick_start_flag(queue_directory):
    """The file that makes postfix-script's next ``start`` skip its checks (it removes the file)."""
    if not os.path.isabs(queue_directory):
        raise ServiceError("queue_directory is not an absolute path: %r" % queue_directory)
    return os.path.join(queue_directory, "quick-start")


class PostfixService:
    def __init__(self, postfix, run_command, find_binary, separate=()):
        self.postfix = postfix
        # Instances started with postfix -c outside postmulti (mailcow's /opt/postfix/conf): neither systemd's unit
        # nor "postfix start" reaches them, each gets its own postfix -c DIR. With them, an action touches only
        # what runs, and a start brings back what ran at the first look (baseline), or everything if nothing did.
        self.separate = list(separate)
        self.baseline = None
        self._run = run_command
        self.systemctl = find_binary("systemctl") if os.path.isdir("/run/systemd/system") else None
        if self.systemctl:
            rc, out, err = self._run([self.systemctl, "cat", "postfix.service"], check_rc=False)
            if rc != 0:
                self.systemctl = None
        self.manager = "systemd" if self.systemctl else "postfix"
        self.quick_start_flags = []

    def _do(self, action):
        if self.systemctl:
            rc, out, err = self._run([self.systemctl, action, "postfix.service"], check_rc=False)
            if rc != 0:
                raise ServiceError("systemctl %s postfix.service failed: %s" % (action, (err or out).strip()))
        else:
            self.postfix.run("postfix", [action], what="%s Postfix" % action)

    def _states(self):
        """{None (the host's Postfix) or a separate config_dir: running}."""
        states = {None: self.postfix.run("postfix", ["status"], check=False)[0] == 0}
        for config_dir in self.separate:
            states[config_dir] = self.postfix.run("postfix", ["status"], config_dir, check=False)[0] == 0
        return states

    def _each(self, action, which):
        """action on the host's Postfix (None in which) and on each separate instance in which."""
        if None in which:
            self._do(action)
        for config_dir in self.separate:
            if config_dir in which:
                self.postfix.run("postfix", [action], config_dir, what="%s Postfix (%s)" % (action, config_dir))

    def running(self):
        states = self._states()
        if self.baseline is None:
            self.baseline = states
        return any(states.values())

    def stop(self):
        if not self.separate:
            return self._do("stop")
        return self._each("stop", [name for name, up in self._states().items() if up])

    def start(self):
        try:
            if not self.separate:
                self._do("start")
            else:
                wanted = self.baseline if self.baseline and any(self.baseline.values()) else None
                self._each("start", [name for name, up in self._states().items() if not up
                                     and (wanted is None or wanted[name])])
        finally:
            self.clear_quick_start()
        self.wait_running()

    def prepare_start(self, config_dirs):
        """Run the start-up checks of every instance now and flag the next start as quick (postfix command only:
        under systemd the unit runs its own checks); a failed check raises before anything is stopped."""
        if self.systemctl:
            return
        for config_dir in config_dirs:
            self.postfix.run("postfix", ["check"], config_dir, what="checking Postfix before the stop")
        for config_dir in config_dirs:
            queue = self.postfix.postconf(config_dir, "-xh", "queue_directory", what="reading queue_directory").strip()
            flag = quick_start_flag(queue)
            if flag not in self.quick_start_flags:
                with open(flag, "w"):
                    pass
                self.quick_start_flags.append(flag)

    def clear_quick_start(self):
        """Remove flags a start did not consume (instances it did not start, or no start at all)."""
        for flag in self.quick_start_flags:
            try:
                os.unlink(flag)
            except OSError:
                pass
        self.quick_start_flags = []

    def reload(self):
        if not self.separate:
            return self._do("reload")
        return self._each("reload", [name for name, up in self._states().items() if up])

    def wait_running(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.running():
                return
            time.sleep(0.05)
        raise ServiceError("Postfix is not running %d s after the start" % timeout)
