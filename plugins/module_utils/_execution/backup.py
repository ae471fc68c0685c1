# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Back up and restore an instance's configuration and tables (a timestamped folder with a manifest).

The manifest also lists the files that did not exist at backup time (new .lmdb/.cdb files), so a
restore brings the host back exactly: changed files are put back atomically with their owner,
mode and mtime, and files created since are removed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import filecmp
import json
import os
import shutil
import stat
import tempfile
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._planning.reindex import PlanError, check_path

MANIFEST = "manifest.json"
PREFIX = "nbdb-"


class BackupError(NbdbError):
    pass


def candidates(config_dirs, table_paths):
    """Files worth keeping: main.cf/master.cf of each instance, each table's source and indexed files."""
    paths = []
    for config_dir in config_dirs:
        paths += [os.path.join(config_dir, "main.cf"), os.path.join(config_dir, "master.cf")]
    for table in table_paths:
        if not table.startswith("/"):
            continue  # where Postfix would look is not knowable here; the migration refuses such tables anyway
        try:
            check_path(table, table)
        except PlanError as exc:
            raise BackupError("%s; the backup refuses it (the migration would too)" % exc)
        paths += [table, table + ".db", table + ".lmdb", table + ".cdb"]
    return sorted(set(paths))


def _copy(src, dst):
    """Copy with owner, mode and times, atomically (temp file + rename)."""
    directory = os.path.dirname(dst)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    info = os.stat(src)
    fd, temp = tempfile.mkstemp(prefix=".nbdb-", dir=directory)
    os.close(fd)
    try:
        shutil.copy2(src, temp)
        os.chown(temp, info.st_uid, info.st_gid)
        os.chmod(temp, stat.S_IMODE(info.st_mode))
        os.rename(temp, dst)
    except Exception:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def create(root, paths, keep, check_mode=False):
    """New backup folder; returns (folder, manifest, removed old folders)."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    folder = os.path.join(root, PREFIX + stamp)
    counter = 1
    while os.path.exists(folder):
        counter += 1
        folder = os.path.join(root, "%s%s-%d" % (PREFIX, stamp, counter))
    files = [{"path": path, "existed": os.path.isfile(path)} for path in paths]
    manifest = {"created": stamp, "files": files}
    if check_mode:
        return folder, manifest, old_backups(root, keep, extra=1)
    os.makedirs(folder, 0o700)
    for item in files:
        if item["existed"]:
            _copy(item["path"], folder + item["path"])
    with open(os.path.join(folder, MANIFEST), "w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
    removed = old_backups(root, keep)
    for old in removed:
        shutil.rmtree(old, ignore_errors=True)
    return folder, manifest, removed


def old_backups(root, keep, extra=0):
    """Backup folders beyond the newest `keep` (counting `extra` new ones not yet written)."""
    if not os.path.isdir(root):
        return []
    folders = sorted(os.path.join(root, name) for name in os.listdir(root)
                     if name.startswith(PREFIX) and os.path.isfile(os.path.join(root, name, MANIFEST)))
    excess = len(folders) + extra - keep
    return folders[:excess] if excess > 0 else []


def latest(root):
    folders = old_backups(root, 0)
    if not folders:
        raise BackupError("no backup with a %s under %s" % (MANIFEST, root))
    return folders[-1]


def _same(a, b):
    sa, sb = os.stat(a), os.stat(b)
    return (sa.st_uid, sa.st_gid, stat.S_IMODE(sa.st_mode)) == (sb.st_uid, sb.st_gid, stat.S_IMODE(sb.st_mode)) \
        and filecmp.cmp(a, b, shallow=False)


def restore(folder, check_mode=False):
    """Put the backed-up files back and remove files created since; returns the paths changed."""
    try:
        with open(os.path.join(folder, MANIFEST)) as handle:
            manifest = json.load(handle)
    except (IOError, OSError, ValueError) as exc:
        raise BackupError("%s: not a usable backup (%s)" % (folder, exc))
    changed = []
    for item in manifest["files"]:
        path, saved = item["path"], folder + item["path"]
        if item["existed"]:
            if not os.path.isfile(saved):
                raise BackupError("%s: %s is missing from the backup" % (folder, path))
            if os.path.isfile(path) and _same(saved, path):
                continue
            changed.append(path)
            if not check_mode:
                _copy(saved, path)
        elif os.path.lexists(path):
            changed.append(path)
            if not check_mode:
                os.unlink(path)
    return changed
