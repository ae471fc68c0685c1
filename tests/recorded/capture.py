"""Runs inside a Postfix container (python3, standard library and the collection's module_utils only): the
collection's own discovery, logging every Postfix command it runs and every path it touches, then the facts of
those paths. Prints one JSON document; tests/recorded/record.py normalises and stores it.

    PYTHONPATH=/tmp/nbdb python3 capture.py '{"config_dir": null}'
"""
import base64
import builtins
import grp
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
from unittest import mock

from ansible_collections.mailops.nbdb.plugins.module_utils import _commands
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host
from ansible_collections.mailops.nbdb.plugins.module_utils._errors import HANDLED, message

CONTENT_LIMIT = 1 << 20  # bytes; larger files are recorded by size only


class Log:
    def __init__(self):
        self.calls = []
        self.binaries = {}
        self.paths = set()
        self.statvfs = set()
        self.on = True


LOG = Log()


def run_command(argv, check_rc=False, environ_update=None, data=None, binary_data=False, encoding="utf-8",
                **kwargs):
    """AnsibleModule.run_command's contract over subprocess (text stdin gets the newline it adds)."""
    stdin = None if data is None else (data if binary_data else data + "\n")
    stdin = stdin.encode() if isinstance(stdin, str) else stdin
    LOG.on = False
    try:
        proc = subprocess.run([str(a) for a in argv], input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(os.environ, **(environ_update or {})), check=False)
    finally:
        LOG.on = True
    LOG.calls.append({"argv": [os.path.basename(argv[0])] + [str(a) for a in argv[1:]],
                      "stdin": data.decode() if isinstance(data, bytes) else data, "rc": proc.returncode,
                      "stdout": proc.stdout.decode("utf-8", "replace"),
                      "stderr": proc.stderr.decode("utf-8", "replace")})
    if encoding is None:
        return proc.returncode, proc.stdout, proc.stderr
    return proc.returncode, proc.stdout.decode(encoding, "surrogateescape"), proc.stderr.decode(encoding, "replace")


def find_binary(name):
    """AnsibleModule.get_bin_path's answer (its look-ups are not discovery's: not logged as touched)."""
    LOG.on = False
    try:
        path = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", "")] + _commands.SBIN_DIRS))
    finally:
        LOG.on = True
    LOG.binaries[name] = path
    return path


def touching(real, statvfs=False):
    """real, logging its path argument while discovery (not a subprocess) runs."""
    def wrapper(path, *args, **kwargs):
        if LOG.on and isinstance(path, (str, bytes, os.PathLike)):
            (LOG.statvfs if statvfs else LOG.paths).add(os.path.abspath(os.fsdecode(path)))
        return real(path, *args, **kwargs)
    return wrapper


def discover(config_dir):
    postfix = _commands.Postfix(run_command, find_binary)
    patches = [mock.patch("os.%s" % name, touching(getattr(os, name))) for name in ("stat", "lstat", "access")]
    patches += [mock.patch("os.path.%s" % name, touching(getattr(os.path, name)))
                for name in ("exists", "isdir", "isfile")]
    patches += [mock.patch("builtins.open", touching(builtins.open)),
                mock.patch("os.statvfs", touching(os.statvfs, statvfs=True)),
                # no master scan: /proc differs from run to run (PIDs); the container tier tests the scan
                mock.patch.object(host, "PROC", "/nonexistent/proc")]
    for patch in patches:
        patch.start()
    try:
        return {"result": host.discover(postfix, config_dir, None, None)}
    except HANDLED as exc:
        return {"error": message(exc)}
    finally:
        for patch in reversed(patches):
            patch.stop()


def name_of(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return None


def facts(path):
    """What a file system fake needs to answer for path as this host did."""
    try:
        info = os.lstat(path)
    except OSError:
        return {"kind": "missing"}
    entry = {"mode": "%04o" % stat.S_IMODE(info.st_mode), "uid": info.st_uid, "gid": info.st_gid,
             "owner": name_of(pwd.getpwuid, info.st_uid), "group": name_of(grp.getgrgid, info.st_gid),
             "mtime": int(info.st_mtime)}
    if stat.S_ISLNK(info.st_mode):
        entry.update(kind="symlink", target=os.readlink(path))
    elif stat.S_ISDIR(info.st_mode):
        entry["kind"] = "dir"
    elif stat.S_ISREG(info.st_mode):
        entry.update(kind="file", size=info.st_size)
        if info.st_size <= CONTENT_LIMIT:
            with open(path, "rb") as handle:
                data = handle.read()
            try:
                entry["text"] = data.decode("utf-8")
            except UnicodeDecodeError:
                entry["base64"] = base64.b64encode(data).decode("ascii")
    else:
        entry["kind"] = "other"
    return entry


def closure(paths):
    """The touched paths plus what their symlinks point to."""
    todo, seen = list(paths), set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if os.path.islink(path):
            todo.append(os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path))))
    return seen


def postconf(*args):
    path = shutil.which("postconf", path=os.pathsep.join([os.environ.get("PATH", "")] + _commands.SBIN_DIRS))
    if not path:
        return None
    proc = subprocess.run([path] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    return proc.stdout.decode("utf-8", "replace")


def main():
    request = json.loads(sys.argv[1])
    outcome = discover(request.get("config_dir"))
    outcome.update(
        calls=LOG.calls, binaries=LOG.binaries,
        files={path: facts(path) for path in sorted(closure(LOG.paths))},
        statvfs={path: {field: getattr(os.statvfs(path), field) for field in (
            "f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_favail",
            "f_flag", "f_namemax")} for path in sorted(LOG.statvfs) if os.path.exists(path)},
        postconf_m=postconf("-m"), mail_version=postconf("-d", "mail_version"))
    json.dump(outcome, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
