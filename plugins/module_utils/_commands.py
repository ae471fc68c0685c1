# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that runs Postfix commands: argv lists (never a shell), ``-c config_dir``,
and failures turned into messages that name the command, the instance and Postfix's own words.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError

SBIN_DIRS = ["/usr/sbin", "/usr/local/sbin", "/sbin"]
COOL_SECONDS = 2  # Postfix re-reads main.cf until st_mtime < time() - 1 (whole seconds)
ENV = {"LC_ALL": "C", "LANG": "C"}


class PostfixCommandError(NbdbError):
    """A Postfix command failed; str() is a message for the administrator."""

    def __init__(self, argv, rc, stdout, stderr, what=None):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        reason = postfix_error_line(stderr) or postfix_error_line(stdout) or "exit status %d" % rc
        text = "%s failed: %s" % (" ".join(argv), reason)
        if what:
            text = "%s: %s" % (what, text)
        super(PostfixCommandError, self).__init__(text)


def postfix_error_line(text):
    """The most telling line of Postfix's output: the first fatal, else the last warning/error."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for line in lines:
        if "fatal:" in line:
            return line
    for line in reversed(lines):
        if "error:" in line or "warning:" in line:
            return line
    return lines[-1] if lines else ""


class Postfix:
    """Runs postconf, postmap, postalias, postfix and postmulti through a run_command callable.

    run_command has AnsibleModule.run_command's signature: (argv, check_rc, environ_update, data)
    -> (rc, stdout, stderr). find_binary(name) returns an absolute path or None.
    """

    def __init__(self, run_command, find_binary):
        self._run_command = run_command
        self._find_binary = find_binary
        self._paths = {}

    def binary(self, name):
        if name not in self._paths:
            path = self._find_binary(name)
            if not path:
                raise PostfixCommandError([name], 127, "", "%s: command not found (looked in PATH and %s);"
                                          " is Postfix installed?" % (name, ", ".join(SBIN_DIRS)))
            self._paths[name] = path
        return self._paths[name]

    def run(self, name, args, config_dir=None, check=True, data=None, what=None, binary=False, pass_fds=()):
        """Run a Postfix command; returns (rc, stdout, stderr). check=True raises on rc != 0.

        binary=True returns stdout as bytes (table keys and values may be any bytes). pass_fds: descriptors
        the command inherits under the same numbers (paths like /proc/self/fd/N/name).
        """
        argv = [self.binary(name)]
        if config_dir:
            argv += ["-c", config_dir]
        argv += list(args)
        if binary:  # also without data: run_command gathers output by "stdout += chunk", quadratic in its size
            rc, out, err = communicate(argv, data, **({"pass_fds": tuple(pass_fds)} if pass_fds else {}))
        else:
            kwargs = {"encoding": None} if binary else {}
            if pass_fds:
                kwargs["pass_fds"] = tuple(pass_fds)
            rc, out, err = self._run_command(argv, check_rc=False, environ_update=ENV, data=data,
                                             binary_data=binary, **kwargs)
        if binary and isinstance(err, bytes):
            err = err.decode("utf-8", "replace")
        if check and rc != 0:
            raise PostfixCommandError([os.path.basename(argv[0])] + argv[1:], rc, out, err, what)
        return rc, out, err

    def postconf(self, config_dir, *args, **kwargs):
        """stdout of postconf -c config_dir ARGS."""
        return self.run("postconf", args, config_dir, **kwargs)[1]


def cool_down(path, now=None):
    """Date a complete configuration file COOL_SECONDS back.

    Postfix reads main.cf "with some prejudice" (load_file.c): while its mtime is within the last second or two
    it sleeps 300 ms and reads it again, so any Postfix command right after main.cf was written (``postfix start``
    or ``reload``, postconf, postmap -c) waits up to about 2 s. That guard is for files being edited in place;
    the files given here are complete when they appear (written privately, or renamed into place).
    """
    moment = (time.time() if now is None else now) - COOL_SECONDS
    os.utime(path, (moment, moment))


def communicate(argv, data, pass_fds=()):
    """Run argv feeding data on stdin while reading stdout (no deadlock on large input, unlike writing
    all input first); returns (rc, stdout bytes, stderr bytes)."""
    env = dict(os.environ, **ENV)
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               pass_fds=tuple(pass_fds))
    out, err = process.communicate(data)
    return process.returncode, out, err


def module_postfix(module):
    """A Postfix runner bound to an AnsibleModule."""

    def find_binary(name):
        return module.get_bin_path(name, required=False, opt_dirs=SBIN_DIRS)

    return Postfix(module.run_command, find_binary)
