# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open a file only if it is what it claims: the one place that opens, fstats and checks a file root reads.

``O_NOFOLLOW`` (a symlink is refused, never followed), ``O_NONBLOCK`` (a FIFO planted in its place does not
block the run), then checks on the descriptor, not the name: a regular file, optionally owned by one of the
uids allowed, optionally still the file judged a moment ago. Used by the Berkeley DB reader (``.db``), the
lmdb/cdb readers (``_discovery.indexed``) and the descriptor layer (``_execution.descriptors``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat

O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | O_CLOEXEC


def same_file(a, b):
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _link_target(path, dir_fd):
    """The target of path when it is a symlink, else None."""
    try:
        if stat.S_ISLNK(os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode):
            return os.readlink(path, dir_fd=dir_fd)
    except OSError:
        pass
    return None


def open_checked(path, error, dir_fd=None, shown=None, owners=None, judged=None):
    """(fd, stat) of path opened read-only, or error(message) naming shown (default path) when it is a symlink,
    not a regular file, owned by a uid not in owners, or not the same file as the stat judged.

    dir_fd: path is relative to that directory descriptor. Other OSErrors (ENOENT, EACCES) pass unchanged."""
    shown = shown or path
    try:
        fd = os.open(path, READ_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        target = _link_target(path, dir_fd) if exc.errno in (errno.ELOOP, errno.EMLINK) else None
        if target is not None:
            raise error("%s is a symlink (to %s); not following it" % (shown, target))
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error("%s is not a regular file; not reading it" % shown)
        if judged is not None and not same_file(info, judged):
            raise error("%s is not the regular file it was a moment ago; not touching it" % shown)
        if owners is not None and info.st_uid not in owners:
            raise error("%s is owned by uid %d, not by root or the source's owner (uid %s); refusing to read it"
                        % (shown, info.st_uid, " or ".join(str(uid) for uid in sorted(owners))))
    except BaseException:
        os.close(fd)
        raise
    return fd, info


class HeldDescriptor:
    """Something that holds one descriptor (``self.fd``) and closes it on close() or at the end of a with block."""

    fd = None

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
