# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Back up and restore an instance's configuration and tables (a timestamped folder with a manifest).

The manifest also lists the files that did not exist at backup time (new .lmdb/.cdb files), so a
restore brings the host back exactly: changed files are put back atomically with their owner,
mode and mtime, and files created since are removed.

Files are read and written through descriptors (see descriptors): a file is read only if it is a regular
file (a symlink is recorded as a symlink, never followed), and a restored file is written in a private
directory and renamed into place: by root where only root can change the directory, by a child running as
the file's owner where that owner can (Mailman's list), so the owner cannot redirect the restore to another
file; a directory that anyone else can write is refused.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import shutil
import stat
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import descriptors
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


def _directory(path, create=False):
    """The Directory of path's parent (made, root-only, when create and missing), or None when it does not exist."""
    directory = os.path.dirname(path)
    if create and not os.path.isdir(directory):
        existing = directory
        while not os.path.isdir(existing):
            existing = os.path.dirname(existing)
        with descriptors.Directory(existing) as ancestor:
            ancestor.require_safe_for(0, 0, "creating %s" % directory)
            os.makedirs(directory, 0o700)
    try:
        return descriptors.Directory(directory)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR) and not create:
            return None
        raise


def _save(path, dst):
    """Copy path to dst (in the backup folder) with owner, mode and times, atomically."""
    with _directory(path) as source_dir:
        data, info = source_dir.read(os.path.basename(path))
    with _directory(dst, create=True) as target:
        target.require_safe_for(0, 0, "writing the backup %s" % dst)
        target.install(os.path.basename(dst), data, info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode),
                       times=(info.st_atime, info.st_mtime), prefix=".nbdb-")


def _kind(path):
    """(existed, symlink target or None) of a path, by lstat."""
    try:
        info = os.lstat(path)
    except OSError:
        return False, None
    if stat.S_ISLNK(info.st_mode):
        return True, os.readlink(path)
    return stat.S_ISREG(info.st_mode), None


def create(root, paths, keep, check_mode=False):
    """New backup folder; returns (folder, manifest, removed old folders)."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    folder = os.path.join(root, PREFIX + stamp)
    counter = 1
    while os.path.exists(folder):
        counter += 1
        folder = os.path.join(root, "%s%s-%d" % (PREFIX, stamp, counter))
    files = []
    for path in paths:
        existed, link = _kind(path)
        files.append(dict({"path": path, "existed": existed}, **({"symlink": link} if link is not None else {})))
    manifest = {"created": stamp, "files": files}
    if check_mode:
        return folder, manifest, old_backups(root, keep, extra=1)
    os.makedirs(folder, 0o700)
    for item in files:
        if item["existed"] and "symlink" not in item:
            _save(item["path"], folder + item["path"])
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


def _current(directory, name, saved_info, data):
    """Whether the live file is the saved one: a regular file with its owner, mode and content (never followed)."""
    info = directory.lstat(name) if directory is not None else None
    if info is None or not stat.S_ISREG(info.st_mode):
        return False
    if (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) != (
            saved_info.st_uid, saved_info.st_gid, stat.S_IMODE(saved_info.st_mode)):
        return False
    try:
        return directory.read(name, judged=info)[0] == data
    except descriptors.UnsafePathError:
        return False


def _restore_file(path, saved, check_mode):
    """Put saved back as path; True when it changed (or would)."""
    name = os.path.basename(path)
    with _directory(saved) as backup_dir:
        data, info = backup_dir.read(os.path.basename(saved))
    directory = _directory(path)
    try:
        if _current(directory, name, info, data):
            return False
        if check_mode:
            return True
        if directory is None:
            directory = _directory(path, create=True)
        directory.require_safe_for(info.st_uid, info.st_gid, "restoring %s" % path)
        directory.install(name, data, info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode),
                          times=(info.st_atime, info.st_mtime), prefix=".nbdb-restore-")  # as root or as the owner
        return True
    finally:
        if directory is not None:
            directory.close()


def _restore_link(path, target, check_mode):
    """Put a backed-up symlink back (a link, never written through); True when it changed (or would)."""
    name = os.path.basename(path)
    directory = _directory(path, create=not check_mode)
    try:
        info = directory.lstat(name) if directory is not None else None
        if info is not None and stat.S_ISLNK(info.st_mode) and os.readlink(name, dir_fd=directory.fd) == target:
            return False
        if check_mode:
            return True
        directory.require_safe_for(0, 0, "restoring the symlink %s" % path)
        with directory.private_dir(".nbdb-restore-%d-" % os.getpid()) as work:
            os.symlink(target, name, dir_fd=work.fd)
            work.rename_into(name, name)
        return True
    finally:
        if directory is not None:
            directory.close()


def _remove_created(path, check_mode):
    """Remove a file created since the backup (unlink by descriptor: nothing is followed); True if it existed."""
    directory = _directory(path)
    if directory is None:
        return False
    with directory:
        name = os.path.basename(path)
        info = directory.lstat(name)
        if info is None:
            return False
        if not check_mode:
            directory.require_safe_for(info.st_uid, info.st_gid, "removing %s" % path)
            directory.unlink(name)
        return True


def restore(folder, check_mode=False):
    """Put the backed-up files back and remove files created since; returns the paths changed."""
    try:
        with open(os.path.join(folder, MANIFEST)) as handle:
            manifest = json.load(handle)
    except (IOError, OSError, ValueError) as exc:
        raise BackupError("%s: not a usable backup (%s)" % (folder, exc))
    changed = []
    try:
        for item in manifest["files"]:
            path, saved = item["path"], folder + item["path"]
            if item["existed"] and "symlink" in item:
                done = _restore_link(path, item["symlink"], check_mode)
            elif item["existed"]:
                if not os.path.isfile(saved):
                    raise BackupError("%s: %s is missing from the backup" % (folder, path))
                done = _restore_file(path, saved, check_mode)
            else:
                done = _remove_created(path, check_mode)
            if done:
                changed.append(path)
    except (descriptors.UnsafePathError, descriptors.ActingError) as exc:
        raise BackupError("%s; restored so far: %s" % (exc, ", ".join(changed) or "nothing"))
    return changed
