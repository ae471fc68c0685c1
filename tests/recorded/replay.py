"""Replay a recording (tests/recorded/fixtures/<name>.json, made by record.py): the host's files in a pyfakefs file
system, its statvfs answers, user and group names, and its Postfix commands answered from the recorded calls;
modules run in process through tests/unit/plugins/modules/harness.py.

    with replay.Host("sid-upgraded@sid") as host:
        result = host.module(nbdb_info)
        assert host.tree() == before
"""
import base64
import hashlib
import json
import os
import pathlib
import stat
from unittest import mock

from pyfakefs import helpers
from pyfakefs.fake_file import FakeLargeFileIoException
from pyfakefs.fake_filesystem_unittest import Patcher

from tests.unit.plugins.modules import harness

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"


def load(name):
    return json.loads((FIXTURES / (name + ".json")).read_text())


def names():
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


class Host:
    """A recorded host, live while the ``with`` block runs (the real file system is out of reach)."""

    def __init__(self, name):
        self.name = name
        self.recording = load(name)
        self.fs = None
        self._patches = []
        self._patcher = None

    # --- what the host answers ----------------------------------------------------------------
    def statvfs(self, path):
        answer = self.recording["statvfs"].get(os.path.abspath(os.fsdecode(path)))
        if answer is None:
            raise FileNotFoundError(2, "not recorded by statvfs", path)
        return os.statvfs_result([answer[field] for field in (
            "f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_favail",
            "f_flag", "f_namemax")])

    def _names(self, key, kind):
        found = {entry[key]: entry[kind] for entry in self.recording["files"].values() if entry.get(kind)}

        def lookup(number):
            if number not in found:
                raise KeyError("%s id not found: %d" % (kind, number))
            return (found[number],)
        return lookup

    def binaries(self):
        """harness.run's binaries: the directory every recorded binary was found in, None when none was."""
        found = {os.path.dirname(path) for path in self.recording["binaries"].values() if path}
        missing = [name for name, path in self.recording["binaries"].items() if not path]
        assert len(found) <= 1 and not (found and missing), "cannot replay binaries %s" % self.recording["binaries"]
        return tuple(found) or None

    # --- life cycle ---------------------------------------------------------------------------
    def __enter__(self):
        self._patches = [mock.patch("os.statvfs", self.statvfs),
                         mock.patch("pwd.getpwuid", self._names("uid", "owner")),
                         mock.patch("grp.getgrgid", self._names("gid", "group"))]
        for patch in self._patches:
            patch.start()
        self._patcher = Patcher()
        self.fs = self._patcher.__enter__().fs
        helpers.set_uid(0)  # discovery runs as root on the host
        helpers.set_gid(0)
        self._lay_down()
        return self

    def __exit__(self, *exc):
        helpers.reset_ids()
        self._patcher.__exit__(*exc)
        for patch in reversed(self._patches):
            patch.stop()
        self.fs = None

    def _lay_down(self):
        files = self.recording["files"]
        for path in sorted(files):  # parents first
            entry = files[path]
            if entry["kind"] == "dir":
                self.fs.create_dir(path)
            elif entry["kind"] == "symlink":
                self.fs.create_symlink(path, entry["target"])
            elif entry["kind"] == "file":
                if "text" in entry:
                    self.fs.create_file(path, contents=entry["text"].encode("utf-8"))
                elif "base64" in entry:
                    self.fs.create_file(path, contents=base64.b64decode(entry["base64"]))
                else:  # recorded by size only: reading it fails, stat answers
                    self.fs.create_file(path, st_size=entry["size"])
            else:
                assert entry["kind"] == "missing", (path, entry)
        for path in sorted(files, reverse=True):  # children first: creating a child moves its parent's mtime
            entry = files[path]
            if entry["kind"] in ("dir", "file", "symlink"):
                os.chown(path, entry["uid"], entry["gid"], follow_symlinks=False)
                if entry["kind"] != "symlink":
                    os.chmod(path, int(entry["mode"], 8))
                os.utime(path, (entry["mtime"], entry["mtime"]), follow_symlinks=False)

    # --- what tests do ------------------------------------------------------------------------
    def commands(self):
        return harness.Commands(self.recording["calls"], ordered=False)

    def module(self, module, params=None, check_mode=False, diff=False):
        """module.main() on this host; its result dict (``failed`` set when it failed)."""
        assert self.fs is not None, "use the host in a with block"
        return harness.run(module, params or {}, check_mode=check_mode, diff=diff, commands=self.commands(),
                           binaries=self.binaries())

    def tree(self, top="/"):
        """{path: (kind, mode, uid, gid, size, mtime, sha256)} of every path under top: what a change would show."""
        state = {}
        for directory, dirs, files in os.walk(top):
            for name in dirs + files:
                path = os.path.join(directory, name)
                info = os.lstat(path)
                digest = None
                if stat.S_ISREG(info.st_mode):
                    try:
                        with open(path, "rb") as handle:
                            digest = hashlib.sha256(handle.read()).hexdigest()
                    except FakeLargeFileIoException:  # a file recorded by size only
                        digest = "size-only"
                state[path] = (stat.S_IFMT(info.st_mode), info.st_mode & 0o7777, info.st_uid, info.st_gid,
                               info.st_size, info.st_mtime_ns, digest)
        return state
