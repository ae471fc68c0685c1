"""Run a module's main() in process, its Postfix commands answered by a fake runner.

    result = run(nbdb_level, {"state": "enable-redirect"}, check_mode=True,
                 commands=Commands([{"argv": ["postconf", "-h", "mail_version"], "stdout": "3.11.7\n"}]))

Commands are matched by argv with the binary's directory left out. ``Commands(calls)`` expects exactly
those calls in that order (the community.general pattern); ``Commands(calls, ordered=False)`` answers any
recorded call, as often as asked (replaying a recording). An unexpected call fails the test with its argv.
A call may carry ``stdin`` (what the module must feed it) and ``writes`` ({path: text}: the files the real
command left, written when the call is answered).

Inside run(): the host has no systemd (``/run/systemd/system`` is absent), and ``tempfile.mkdtemp`` names are
predictable (``<dir or scratch>/<prefix>1``, ``2``, ...) so that commands on scratch copies can be recorded.
"""
import json
import os
import pathlib
import tempfile
from unittest import mock

from ansible.module_utils import basic

from ansible_collections.mailops.nbdb.plugins.module_utils import _commands
# not this machine's running masters, Mailman or scripts: the cases say what the host has
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host, writers

SYSTEMD_DIR = "/run/systemd/system"


class ModuleExit(Exception):
    """exit_json/fail_json was called; .result is what the module returned (failed=True for fail_json)."""

    def __init__(self, result):
        super().__init__(result)
        self.result = result


def _argv_key(argv):
    argv = [str(arg) for arg in argv]
    return [os.path.basename(argv[0])] + argv[1:] if argv else argv


def _text(data):
    return data.decode() if isinstance(data, bytes) else data


def _bytes(text):
    """Output as bytes (a live run's undecodable bytes come back as they were read)."""
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text


class Commands:
    """The commands a module may run, with the output each gives."""

    def __init__(self, calls=(), ordered=True):
        self.calls = [dict(call) for call in calls]
        self.ordered = ordered
        self.seen = []

    def answer(self, argv, data=None, binary_data=False, environ_update=None):  # pylint: disable=unused-argument
        """(rc, stdout, stderr) of argv fed data (how a real run would feed it: binary_data, environ_update)."""
        key = _argv_key(argv)
        self.seen.append(key)
        if self.ordered:
            if not self.calls:
                raise AssertionError("unexpected command (none left): %s" % key)
            call = self.calls.pop(0)
            if _argv_key(call["argv"]) != key:
                raise AssertionError("command %s, expected %s" % (key, _argv_key(call["argv"])))
            if call.get("stdin") is not None and _text(data) != call["stdin"]:
                raise AssertionError("stdin of %s: %r, expected %r" % (key, _text(data), call["stdin"]))
        else:
            matches = [c for c in self.calls if _argv_key(c["argv"]) == key and c.get("stdin") in (None, _text(data))]
            if not matches:
                raise AssertionError("command not recorded: %s" % key)
            call = matches[0]
        for path, text in (call.get("writes") or {}).items():
            with open(path, "w") as handle:
                handle.write(text)
        return call.get("rc", 0), call.get("stdout", ""), call.get("stderr", "")

    def left(self):
        return [_argv_key(call["argv"]) for call in self.calls] if self.ordered else []


def _module_args(args):
    """ansible-core 2.19+ has patch_module_args; older releases read basic._ANSIBLE_ARGS."""
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
        return patch_module_args(args)
    except ImportError:
        return mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())


def _predictable_mkdtemp(scratch):
    """mkdtemp whose names are <dir>/<prefix>1, 2, ... (dir defaults to scratch)."""
    def mkdtemp(suffix="", prefix="tmp", dir=None):  # pylint: disable=redefined-builtin
        number = 1
        while True:
            path = os.path.join(dir or scratch, "%s%d%s" % (prefix, number, suffix))
            try:
                os.mkdir(path, 0o700)
                return path
            except FileExistsError:
                number += 1
    return mkdtemp


def run(module, params, check_mode=False, diff=False, commands=None, binaries=("/usr/sbin",), scratch=None):
    """module.main() with params; returns its result dict (``failed`` set when it failed).

    Binaries are found in the first of ``binaries`` (None: no binary exists). ``scratch`` is where mkdtemp
    puts directories that name no dir (default: the system's temporary directory)."""
    commands = commands if commands is not None else Commands()
    args = dict(params, _ansible_check_mode=check_mode, _ansible_diff=diff)
    real_isdir = os.path.isdir

    def run_command(self, argv, check_rc=False, environ_update=None, data=None, binary_data=False, **kwargs):
        rc, out, err = commands.answer(argv, data, binary_data=binary_data, environ_update=environ_update)
        if kwargs.get("encoding", "utf-8") is None:  # the caller asked for bytes
            out, err = _bytes(out), _bytes(err)
        return rc, out, err

    def communicate(argv, data):
        rc, out, err = commands.answer(argv, data, binary_data=True, environ_update=_commands.ENV)
        return rc, _bytes(out), _bytes(err)

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return os.path.join(binaries[0], name) if binaries else None

    def exit_json(self, **result):
        raise ModuleExit(dict(result, failed=False))

    def fail_json(self, msg, **result):
        raise ModuleExit(dict(result, msg=msg, failed=True))

    def isdir(path):
        return False if str(path).rstrip("/") == SYSTEMD_DIR else real_isdir(path)

    with _module_args(args), \
            mock.patch.object(basic.AnsibleModule, "run_command", run_command), \
            mock.patch.object(basic.AnsibleModule, "get_bin_path", get_bin_path), \
            mock.patch.object(basic.AnsibleModule, "exit_json", exit_json), \
            mock.patch.object(basic.AnsibleModule, "fail_json", fail_json), \
            mock.patch.object(_commands, "communicate", communicate), \
            mock.patch("os.path.isdir", isdir), \
            mock.patch.object(host, "PROC", os.path.join(scratch or tempfile.gettempdir(), "no-proc")), \
            mock.patch.multiple(writers, MAILMAN3_CONFIGS=(), MAILMAN2_CONFIGS=(), SCRIPT_PLACES=()), \
            mock.patch("tempfile.mkdtemp", _predictable_mkdtemp(scratch or tempfile.gettempdir())):
        result = None
        try:
            module.main()
        except ModuleExit as done:
            result = done.result
        if result is None:
            raise AssertionError("%s.main() returned without exit_json or fail_json" % module.__name__)
    left = commands.left()
    if left and not result["failed"]:
        raise AssertionError("commands expected but not run: %s" % left)
    return result


# --- cases as data (cases/<module>.yml; test_modules.py documents the keys) ------------------------------------
def replace_in(value, old, new):
    """old replaced by new in every string of value (lists and dicts, keys too)."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [replace_in(item, old, new) for item in value]
    if isinstance(value, dict):
        return {replace_in(key, old, new): replace_in(item, old, new) for key, item in value.items()}
    return value


def fill(value, tmp):
    """{tmp} replaced by the case's directory in every string of value."""
    return replace_in(value, "{tmp}", tmp)


def flat(calls):
    """Commands with nested lists (YAML aliases of several calls) spliced in."""
    return [one for call in calls for one in (flat(call) if isinstance(call, list) else [call])]


def lay_down(files, tmp):
    """The case's files under tmp; returns their paths."""
    paths = []
    for path, text in (files or {}).items():
        path = pathlib.Path(fill(path, tmp))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fill(text, tmp))
        paths.append(str(path))
    return paths


def steps(case):
    """The case's runs: the case itself, then each of ``then`` (params default to the case's)."""
    yield case
    for step in case.get("then", []):
        yield dict(step, params=step.get("params", case.get("params", {})))


def run_step(module, step, tmp, commands):
    """One run of a case's step with these commands; the module's result."""
    return run(module, fill(step.get("params", {}), tmp), check_mode=step.get("check_mode", False),
               diff=step.get("diff", False), commands=commands, scratch=tmp, binaries=step.get("binaries", ("/usr/sbin",)))


def matches(got, want):
    """want as a pattern: a dict names the keys it checks, a list every item, {contains: [words]} words of a
    string; anything else must be equal."""
    if isinstance(want, dict) and set(want) == {"contains"}:
        return isinstance(got, str) and all(word in got for word in want["contains"])
    if isinstance(want, dict):
        return isinstance(got, dict) and all(key in got and matches(got[key], value) for key, value in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(matches, got, want))
    return got == want and type(got) is type(want)


def check(result, expected):
    """AssertionError unless the result (and the files afterwards) are what the case expects ({tmp} filled)."""
    assert result["failed"] is expected.get("failed", False), result.get("msg", result)
    if "changed" in expected:
        assert result.get("changed") is expected["changed"], result
    for word in expected.get("msg", []):
        assert word in result["msg"], (word, result["msg"])
    for key, value in expected.get("result", {}).items():
        assert matches(result.get(key), value), (key, result.get(key))
    if "diff" in expected:
        assert matches(result.get("diff"), expected["diff"]), result.get("diff")
    shown = json.dumps(result, sort_keys=True, default=repr)  # everything the controller would log
    for secret in expected.get("absent", []):
        assert secret not in shown, "%r is in the module's result: %s" % (secret, shown)
    for path, text in expected.get("files", {}).items():
        if text is None or text is True:
            assert os.path.lexists(path) is bool(text), path
        else:
            assert matches(pathlib.Path(path).read_text(), text), path
