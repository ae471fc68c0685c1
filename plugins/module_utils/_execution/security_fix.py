# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply the safe, local fixes of security findings: modes, ownership, enable-reindex -> enable-redirect.

A mode or owner fix acts on exactly the file that was judged: the file is opened with ``O_NOFOLLOW``
(a symlink is never fixed, nor followed), its fstat must still show what the finding saw (owner, group,
mode, mtime, and device/inode when the finding recorded them), and the change is made with
``fchmod``/``fchown`` on that descriptor. Anything else is skipped and said so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.level import set_level
from ansible_collections.mailops.nbdb.plugins.module_utils._files import open_checked


def step(name):
    """Called between judging a file and changing it (a no-op); tests replace it to swap the file in between."""


def _facts(info):
    return {"uid": info.st_uid, "gid": info.st_gid, "mode": stat.S_IMODE(info.st_mode), "mtime": info.st_mtime,
            "dev": info.st_dev, "ino": info.st_ino}


def _differs(judged, info):
    """The fields of the judged facts that the opened file does not match."""
    now = _facts(info)
    return sorted(key for key, value in judged.items() if key in now and now[key] != value)


class _Skipped(NbdbError):
    """The file is not the regular file that was judged (open_checked's verdict)."""


def _open_judged(path, judged):
    """(fd, None) of the judged regular file, or (None, why it is skipped); symlinks are never fixed nor followed."""
    try:
        fd, info = open_checked(path, _Skipped)
    except _Skipped as exc:
        return None, "%s; not fixed" % exc
    except OSError as exc:
        return None, "%s: %s" % (path, exc.strerror)
    differs = _differs(judged, info)
    if differs:
        os.close(fd)
        return None, "%s changed since it was judged (%s); not fixed, run the check again" % (path, ", ".join(differs))
    return fd, None


def apply(postfix, item, allow_level_change, check_mode, session=None):
    """Fix one finding; returns (changed?, change record or None, why skipped or None).

    session: a dict shared by the fixes of one run (a file fixed twice is judged the second time by what the first
    fix left). The change record says what was changed: {file, action, before, after}."""
    fix = item["fix"]
    session = {} if session is None else session
    if fix["action"] in ("chmod", "chown"):
        path = fix["path"]
        judged = session.get(path, fix.get("judged", {}))
        before = dict(judged)
        # two findings on one file (secrets 0600, not writable 0644) only ever take bits away, never give them back
        mode = fix.get("mode", 0) & judged.get("mode", 0o7777)
        if fix["action"] == "chmod":
            record = {"file": path, "action": "chmod", "before": "%04o" % judged.get("mode", 0), "after": "%04o" % mode}
        else:
            key = "uid" if "uid" in fix else "gid"
            record = {"file": path, "action": "chown", "before": "%s %s" % (key, judged.get(key)),
                      "after": "%s %d" % (key, fix[key])}
        if record["before"] == record["after"]:
            return True, None, None  # an earlier fix of this run already did it
        if check_mode:  # what the next fix of this file would find
            session[path] = dict(judged, **({"mode": mode} if fix["action"] == "chmod" else {key: fix[key]}))
            return True, record, None
        step("fix " + path)
        fd, why = _open_judged(path, judged)
        if fd is None:
            return False, None, why
        try:
            if fix["action"] == "chmod":
                os.fchmod(fd, mode)
            else:
                os.fchown(fd, fix.get("uid", -1), fix.get("gid", -1))
            after = _facts(os.fstat(fd))
            session[path] = dict((key, after[key]) for key in (before or after))
        finally:
            os.close(fd)
        return True, record, None
    if fix["action"] == "level" and allow_level_change:
        changed = set_level(postfix, item["instance"], fix["level"], reload=True, check_mode=check_mode)["changed"]
        record = {"file": item["file"], "action": "level", "before": "enable-reindex", "after": fix["level"]}
        return changed, record if changed else None, None
    return False, None, None
