# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change files as root without acting by path where another user can write.

Some tables live in directories that belong to other users (Mailman's ``/var/lib/mailman3/data`` is
``list:list 2775``). Such a user can replace any name in their directory at any moment, so every step
here goes through descriptors:

- ``Directory`` opens a directory once, one component at a time with ``O_DIRECTORY | O_NOFOLLOW``
  from ``/`` (symlinked ancestors are resolved once, first), and records who besides root can write
  any of those components;
- ``Directory.require_safe_for`` decides who acts (``_planning.acting``): root where nobody else can change the
  directory, the file's owner where only that owner can, nobody where anyone else can (that user could
  replace the result afterwards); ``Directory.act`` then runs a change as root, or in a child that dropped to
  the owner (``run_as``: setgroups, setgid, setuid, as postmap does for a non-root source), so root never
  writes in a directory its owner controls;
- ``PrivateDir`` is a root-only ``0700`` directory made inside it (``mkdir`` by ``dir_fd``, opened
  ``O_NOFOLLOW`` and checked to be the one made): copies are created there with
  ``O_CREAT | O_EXCL | O_NOFOLLOW``, their owner, mode and times set with ``fchown``/``fchmod``/
  ``futimens`` on the descriptor, and they enter the user's directory only by
  ``rename(src_dir_fd=, dst_dir_fd=)``, which never follows a symlink;
- commands (postmap, postalias) reach the private directory as ``/proc/self/fd/N/name`` when the
  directory's path could be redirected by its owner.

The owner can still delete or rename entries of their own directory, including the private one;
everything afterwards then happens in the directory the descriptor holds, or fails.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import grp
import json
import os
import pwd
import stat

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._files import O_CLOEXEC, HeldDescriptor, open_checked, same_file
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import acting

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | O_CLOEXEC
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | O_CLOEXEC
CHUNK = 1 << 20


class UnsafePathError(NbdbError):
    """A file or directory is not what it must be for root to act on it; nothing was changed there."""


def step(name):
    """Called between the steps of a change (a no-op); tests replace it to plant symlinks in between."""


class ActingError(NbdbError):
    """A change run in a child as the file's owner failed (the message is the child's)."""


def _name(lookup, ident):
    try:
        return lookup(ident)[0]
    except KeyError:
        return "#%d" % ident


def _owner(uid, gid):
    return "%s (uid %d, gid %d)" % (_name(pwd.getpwuid, uid), uid, gid)


def _describe(writer):
    kind, ident = writer
    if kind == "anyone":
        return "every user (mode o+w)"
    if kind == "user":
        return "user %s (uid %d, its owner)" % (_name(pwd.getpwuid, ident), ident)
    return "group %s (gid %d, mode g+w)" % (_name(grp.getgrgid, ident), ident)


def writers_of(info, last=True):
    """Who besides root can add, remove or rename entries of a directory with this stat."""
    found = set()
    mode = info.st_mode
    if info.st_uid != 0:
        found.add(("user", info.st_uid))
    if mode & stat.S_IWGRP and info.st_gid != 0:
        found.add(("group", info.st_gid))
    if mode & stat.S_IWOTH and (last or not mode & stat.S_ISVTX):
        # a sticky ancestor (/tmp) lets others add names, not rename or remove ours
        found.add(("anyone", None))
    return found


class Directory(HeldDescriptor):
    """A directory held by a descriptor opened without following symlinks, and who can write to it."""

    def __init__(self, path):
        if not os.path.isabs(path):
            raise UnsafePathError("%s: not an absolute directory" % path)
        self.path = os.path.realpath(path)
        self.writers = {}  # (kind, id) -> first path where it can write
        self.own_writers = set()  # who can write the directory itself
        fd = os.open("/", DIR_FLAGS)
        current = "/"
        try:
            self._note(os.fstat(fd), current, self.path == "/")
            parts = [part for part in self.path.split("/") if part]
            for index, part in enumerate(parts):
                current = os.path.join(current, part)
                try:
                    new = os.open(part, DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise UnsafePathError("%s: %s is not a directory (a symlink appeared or it was replaced);"
                                              " not acting there" % (path, current))
                    raise
                os.close(fd)
                fd = new
                self._note(os.fstat(fd), current, index == len(parts) - 1)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def _note(self, info, path, last):
        for writer in writers_of(info, last):
            self.writers.setdefault(writer, path)
        if last:
            self.own_writers = writers_of(info, last)

    # --- who may act here ---------------------------------------------------------------------------
    def foreign_writers(self, uid, gid):
        """Writers other than the file's own owner (uid, and its group gid when uid is not root)."""
        return acting.actor(self.writers, self.own_writers, uid, gid)[1]

    def require_safe_for(self, uid, gid, what):
        """Who acts for a file owned by uid:gid here (acting.ROOT or acting.OWNER); raise when nobody can safely."""
        who, foreign = acting.actor(self.writers, self.own_writers, uid, gid)
        if who is None:
            raise UnsafePathError(
                "%s: refusing to act as root or as the file's owner %s in %s: %s, who do%s not own the file; make the"
                " directory and its ancestors root-owned, or owned and writable only by the file's owner" % (
                    what, _owner(uid, gid), self.path, "; ".join(
                        "%s can be changed by %s" % (path, _describe(writer)) for writer, path in foreign),
                    "es" if len(foreign) == 1 else ""))
        return who

    def act(self, uid, gid, what, prefix, func, *args):
        """func(work, *args) for a file owned by uid:gid, work a PrivateDir here (removed afterwards): as root where
        only root can change this directory; else in a child running as that owner (run_as), work then owned by
        it; refused (require_safe_for) where anyone else can."""
        owner = None if self.require_safe_for(uid, gid, what) == acting.ROOT else (uid, gid)
        with PrivateDir(self, prefix + "%d-" % os.getpid(), owner) as work:
            if owner is None:
                return func(work, *args)
            return run_as(uid, gid, func, work, *args)

    @property
    def others_can_write(self):
        return bool(self.writers)

    # --- entries ------------------------------------------------------------------------------------
    def lstat(self, name):
        """lstat of an entry (never follows a symlink), or None when it does not exist."""
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise

    def open_regular(self, name, judged=None):
        """(fd, stat) of a regular file, opened without following a symlink; judged: the stat it must still be."""
        step("open " + name)
        return open_checked(name, UnsafePathError, self.fd, "%s/%s" % (self.path, name), judged=judged)

    def open_source(self, name):
        """(fd, stat) of a source file: the file itself, or the target of a symlink to a name in the same directory."""
        info = self.lstat(name)
        if info is not None and stat.S_ISLNK(info.st_mode):
            target = os.readlink(name, dir_fd=self.fd)
            if os.path.isabs(target):
                if os.path.dirname(os.path.normpath(target)) != self.path:
                    raise UnsafePathError("%s/%s is a symlink outside its directory; not following it" % (self.path, name))
                target = os.path.basename(os.path.normpath(target))
            if "/" in target or target in ("", ".", ".."):
                raise UnsafePathError("%s/%s is a symlink outside its directory; not following it" % (self.path, name))
            name = target
        return self.open_regular(name)

    def read(self, name, judged=None):
        """(bytes, stat) of a regular file of this directory."""
        fd, info = self.open_regular(name, judged)
        try:
            return read_all(fd), info
        finally:
            os.close(fd)

    def unlink(self, name):
        step("unlink " + name)
        os.unlink(name, dir_fd=self.fd)

    def private_dir(self, prefix, owner=None):
        return PrivateDir(self, prefix, owner)

    def install(self, name, data, uid, gid, mode, times=None, prefix=".nbdb-write-"):
        """Put a file with this content, owner, mode (and atime/mtime) in place as name, atomically (see act)."""
        self.act(uid, gid, "writing %s/%s" % (self.path, name), prefix, _install, name, data, uid, gid, mode, times)


def _install(work, name, data, uid, gid, mode, times):
    fd = work.create(name)
    try:
        write_all(fd, data)
        info = os.fstat(fd)
        if (info.st_uid, info.st_gid) != (uid, gid):
            os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        if times is not None:
            os.utime(fd, times)
        os.fsync(fd)
    finally:
        os.close(fd)
    work.rename_into(name, name)


class PrivateDir(HeldDescriptor):
    """A root-only directory inside a Directory, held by its descriptor; removed by close().

    owner=(uid, gid): work happens in a directory owned by that user inside the root-only one (WORK), for a
    child that dropped to the owner (Directory.act). Only root can reach it by name; the child holds its
    descriptor, so not even the owner's other processes find it to swap what the child builds there."""

    WORK = "work"

    def __init__(self, parent, prefix, owner=None):
        self.parent = parent
        self.fd = self.outer = None
        for dummy in range(100):
            name = prefix + os.urandom(6).hex()
            try:
                os.mkdir(name, 0o700, dir_fd=parent.fd)
                break
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise
        else:
            raise UnsafePathError("%s: no free name for a private directory" % parent.path)
        self.name = name
        step("private " + name)
        fd, self.info = _open_made(parent.fd, name, "%s/%s" % (parent.path, name))
        if owner is None:
            self.fd = fd
            return
        self.outer = fd
        try:
            os.mkdir(self.WORK, 0o700, dir_fd=self.outer)
            self.fd = _open_made(self.outer, self.WORK, "%s/%s/%s" % (parent.path, name, self.WORK))[0]
            os.fchown(self.fd, owner[0], owner[1])
        except BaseException:
            self.close()
            raise

    def command_path(self, name):
        """How a command reaches name in here: by path where nobody but root can redirect it, else via /proc."""
        if self.parent.others_can_write:
            proc = "/proc/self/fd/%d" % self.fd
            if not os.path.isdir(proc):
                raise UnsafePathError("%s: /proc is not mounted; cannot build safely in a directory other users can"
                                      " write" % self.parent.path)
            return "%s/%s" % (proc, name)
        return os.path.join(self.parent.path, self.name, name)

    @property
    def pass_fds(self):
        return (self.fd,) if self.parent.others_can_write else ()

    def create(self, name, mode=0o600):
        step("create " + name)
        return os.open(name, CREATE_FLAGS, mode, dir_fd=self.fd)

    def open_regular(self, name):
        return open_checked(name, UnsafePathError, self.fd)

    def rename_into(self, name, final):
        """Move name from here to final in the parent (rename by descriptors: nothing is followed), then fsync the
        parent so that the new entry survives a crash."""
        step("rename " + final)
        os.rename(name, final, src_dir_fd=self.fd, dst_dir_fd=self.parent.fd)
        os.fsync(self.parent.fd)

    def close(self):
        """Remove what is left inside (only plain entries, and WORK with plain entries) and the directory itself."""
        for fd in (self.fd, self.outer):
            if fd is not None:
                _empty(fd)
                os.close(fd)
        self.fd = self.outer = None
        current = self.parent.lstat(self.name)
        if current is not None and same_file(current, self.info):
            try:
                os.rmdir(self.name, dir_fd=self.parent.fd)
            except OSError:
                pass


def run_as(uid, gid, func, *args):
    """func(*args) in a forked child that dropped to uid:gid and the user's groups; its (JSON) result.

    The child's failure is raised here as ActingError with the child's message. Python 3.8's subprocess has no
    user=; the drop is os.setgroups/setgid/setuid after fork, and verified before anything is done."""
    if os.geteuid() == uid:
        return func(*args)
    if uid == 0:
        raise ActingError("run_as: refusing to 'drop' to root")
    try:
        groups = sorted(set(os.getgrouplist(pwd.getpwuid(uid).pw_name, gid)))
    except KeyError:
        groups = [gid]  # no passwd entry: the file's group only
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(reader)
            os.setgroups(groups)
            os.setgid(gid)
            os.setuid(uid)
            if (os.getuid(), os.geteuid(), os.getgid(), os.getegid()) != (uid, uid, gid, gid):
                raise ActingError("could not drop to uid %d, gid %d" % (uid, gid))
            try:
                answer = {"result": func(*args)}
                status = 0
            except Exception as exc:  # pylint: disable=broad-except
                answer = {"error": str(exc) or type(exc).__name__}
            write_all(writer, json.dumps(answer).encode("utf-8"))
        finally:
            os._exit(status)
    os.close(writer)
    try:
        text = read_all(reader)
    finally:
        os.close(reader)
    status = os.waitpid(pid, 0)[1]
    try:
        answer = json.loads(text.decode("utf-8"))
    except ValueError:
        answer = {"error": "the child acting as uid %d ended without an answer (wait status %d)" % (uid, status)}
    if "error" in answer:
        raise ActingError(answer["error"])
    return answer["result"]


def _open_made(dir_fd, name, where):
    """(fd, stat) of the directory root just made as name, checked to be it (root's, a directory), mode 0700."""
    try:
        fd = os.open(name, DIR_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        raise UnsafePathError("%s: the private directory just made was replaced (%s)" % (where, exc))
    info = os.fstat(fd)
    if info.st_uid != os.geteuid() or not stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise UnsafePathError("%s: the private directory just made was replaced by another user's" % where)
    os.fchmod(fd, 0o700)  # the owner of the parent cannot add, change or swap anything inside
    return fd, info


def _empty(fd):
    """Remove the entries of a private directory: plain entries, and directories of plain entries (by descriptor)."""
    for entry in os.listdir(fd):
        try:
            os.unlink(entry, dir_fd=fd)
            continue
        except OSError:
            pass
        try:
            inner = os.open(entry, DIR_FLAGS, dir_fd=fd)
        except OSError:
            continue
        try:
            _empty_flat(inner)
        finally:
            os.close(inner)
        try:
            os.rmdir(entry, dir_fd=fd)
        except OSError:
            pass


def _empty_flat(fd):
    for entry in os.listdir(fd):
        try:
            os.unlink(entry, dir_fd=fd)
        except OSError:
            pass


def read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:CHUNK])
        view = view[written:]


def copy_fd(src, dst):
    while True:
        chunk = os.read(src, CHUNK)
        if not chunk:
            return
        write_all(dst, chunk)


def remove_private_dirs(directory, prefix, keep):
    """Remove private directories (made by PrivateDir) named prefix...; keep(name) -> True leaves one."""
    for entry in os.listdir(directory.fd):
        if not entry.startswith(prefix) or keep(entry):
            continue
        try:
            fd = os.open(entry, DIR_FLAGS, dir_fd=directory.fd)
        except OSError:
            continue  # not a directory (or a symlink): not ours
        try:
            _empty(fd)
        finally:
            os.close(fd)
        try:
            os.rmdir(entry, dir_fd=directory.fd)
        except OSError:
            pass
