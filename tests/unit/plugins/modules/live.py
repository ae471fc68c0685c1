"""Module cases run live: inside a real Postfix container, every recorded command executed for real.

    PYTHONPATH=/tmp/nbdb-live python3 -m tests.unit.plugins.modules.live < job.json

tests/integration/test_cases_current.py copies this file, harness.py, the collection's plugins and ansible-core's
module_utils into the container and runs it there (python3 and the standard library only: no pytest, no yaml).
The job is JSON, ``{"cases": [{"module": name, "case": {...}, "tmp": directory}]}``; each case runs through the
same harness.run as tests/unit/plugins/modules/test_modules.py, with LiveCommands in place of Commands. Prints
one JSON list: per case, per run (the case, then each of ``then``), every command with the recorded entry it
stands for and what the real command gave, the recorded commands never run, and whether the module's result
was the one the case expects. The comparison of the two and its normalisations are the caller's.
"""
import importlib
import json
import os
import subprocess
import sys
import time
import traceback

from tests.unit.plugins.modules import harness

# Files a case lays down are dated back: Postfix re-reads a main.cf younger than two seconds (load_file.c) and
# would make every command of the case wait; the configurations the recordings stand for are not new either.
LAID_DOWN_AGE = 60


def _text(data):
    return data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data


def files_under(top):
    """{path: text} of every regular file under top (symlinks left out)."""
    found = {}
    for directory, dummy, names in os.walk(top):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    found[path] = handle.read().decode("utf-8", "replace")
    return found


class LiveCommands:
    """harness.Commands' interface over real commands: each call runs for real (subprocess, an argv list, no shell)
    the way AnsibleModule.run_command would run it, and the module gets the real output. ``log`` pairs each call
    with the recorded entry it stands for (the next one, in order; None when none is left) and what the real
    command gave: rc, stdout, stderr, stdin, and writes: what the files under tmp the command created or changed,
    and those the recorded entry says it wrote, hold afterwards (a missing file as null; a file rewritten with the
    same text cannot be told from one left alone)."""

    def __init__(self, calls, tmp):
        self.calls = [dict(call) for call in calls]
        self.tmp = tmp
        self.log = []

    def answer(self, argv, data=None, binary_data=False, environ_update=None):
        recorded = self.calls.pop(0) if self.calls else None
        stdin = None if data is None else (data if binary_data else data + "\n")  # run_command adds the newline
        before = files_under(self.tmp)
        proc = subprocess.run([str(arg) for arg in argv], input=stdin.encode() if isinstance(stdin, str) else stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(os.environ, **(environ_update or {})), check=False)
        after = files_under(self.tmp)
        changed = {path for path in set(before) | set(after) if before.get(path) != after.get(path)}
        writes = {path: after.get(path) for path in sorted(changed | set((recorded or {}).get("writes") or {}))}
        out, err = _text(proc.stdout), _text(proc.stderr)
        self.log.append({"recorded": recorded, "real": {
            "argv": [os.path.basename(str(argv[0]))] + [str(arg) for arg in argv[1:]], "rc": proc.returncode,
            "stdout": out, "stderr": err, "stdin": _text(data), "writes": writes}})
        return proc.returncode, out, err

    def left(self):
        return [call["argv"] for call in self.calls]


def run_case(module_name, case, tmp):
    """Every run of the case, live: [{log, left, result, check, error}]."""
    module = importlib.import_module("ansible_collections.mailops.nbdb.plugins.modules." + module_name)
    os.makedirs(tmp)
    old = time.time() - LAID_DOWN_AGE
    for path in harness.lay_down(case.get("files"), tmp):
        os.utime(path, (old, old))
    runs = []
    for step in harness.steps(case):
        commands = LiveCommands(harness.fill(harness.flat(step.get("commands", [])), tmp), tmp)
        entry = {"log": commands.log, "left": [], "result": None, "check": None, "error": None}
        runs.append(entry)
        try:
            entry["result"] = harness.run_step(module, step, tmp, commands)
            harness.check(entry["result"], harness.fill(step["expected"], tmp))
        except AssertionError as failed:
            entry["check"] = str(failed) or repr(failed)
        except Exception:  # pylint: disable=broad-except  # reported with the case, not a crash of the whole job
            entry["error"] = traceback.format_exc()
        entry["left"] = commands.left()
    return runs


def main():
    job = json.load(sys.stdin)
    stdout, sys.stdout = sys.stdout, sys.stderr  # whatever a module prints cannot corrupt the answer
    answer = [dict(item, runs=run_case(item["module"], item["case"], item["tmp"])) for item in job["cases"]]
    stdout.write(json.dumps(answer, default=repr))


if __name__ == "__main__":
    main()
