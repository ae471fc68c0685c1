# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report folder on the controller: one history file per host under records/, the three report files next to it.

Writers take an exclusive lock on the folder and replace every file atomically, so concurrent runs never leave
a half-written file and never lose a record.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import json
import os
import stat
import tempfile
from contextlib import contextmanager

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError

REPORT_FILES = {"json": "fleet-report.json", "markdown": "fleet-report.md", "html": "fleet-report.html"}


class StoreError(NbdbError):
    """The report folder cannot be used; str() names the file."""


def record_path(dest, host):
    if not host or "/" in host or host.startswith(".") or "\0" in host:
        raise StoreError("host name %r cannot be a file name under %s" % (host, os.path.join(dest, "records")))
    return os.path.join(dest, "records", host + ".json")


@contextmanager
def locked(dest):
    try:
        os.makedirs(os.path.join(dest, "records"), exist_ok=True)
        handle = open(os.path.join(dest, ".lock"), "a")
    except OSError as exc:
        raise StoreError("cannot use report folder %s: %s" % (dest, exc))
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()


def read_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StoreError("%s: cannot read: %s" % (path, exc))


def read_histories(dest):
    folder = os.path.join(dest, "records")
    names = sorted(name for name in os.listdir(folder) if name.endswith(".json")) if os.path.isdir(folder) else []
    return dict((name[:-len(".json")], read_json(os.path.join(folder, name))) for name in names)


def read_text(path):
    try:
        with open(path) as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError("%s: cannot read: %s" % (path, exc))


def current_umask():
    """The process's umask (read from /proc where possible: setting it to find it is not thread-safe)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (IOError, OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path, text):
    """Replace path atomically with text. Returns True when the content changed.

    The mode is the existing file's (an administrator who published the report with 0644, or closed it to 0600,
    keeps that), else 0666 less the controller's umask, as for any file the controller user creates: records and
    reports carry host names, errors and log lines, so their readership is the controller's policy, not ours.
    """
    if read_text(path) == text:
        return False
    folder = os.path.dirname(path)
    try:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~current_umask()
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        raise StoreError("%s: cannot write: %s" % (path, exc))
    return True


def to_json(data):
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
