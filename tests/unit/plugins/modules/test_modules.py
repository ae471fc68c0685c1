"""Module tests as data: every case of cases/<module>.yml runs the module in process (see harness.py).

A case: id, params, check_mode, diff, files ({path: text} laid down first), commands (argv, rc, stdout, stderr,
stdin, writes; a nested list is spliced in) and expected: failed, changed, msg (words it contains), result (keys
and patterns of their values, see matches), diff (a pattern), files ({path: text, true for present, null for
absent} afterwards), absent (strings that must appear nowhere in the result: planted secrets). ``binaries: null``:
no Postfix binary is found. ``then`` lists more runs on the same files
(same keys; params default to the case's). ``{tmp}`` is the case's directory.
``xfail`` (a reason) marks a module bug: the case must fail until it is fixed.

Recorded output: a case with commands says where they were recorded, ``recorded_on: <release>[ <broken host>]``
(``sid``, ``bookworm without_lmdb``: a lay-down of tests/integration/test_bad_input.py), and its file names
``proven_by: tests/integration/test_cases_current.py``, which runs the case live there (harness.run with
live.LiveCommands) and compares every command with its recording.
"""
import importlib
import pathlib

import pytest
import yaml

from tests.unit.plugins.modules import harness

CASES = pathlib.Path(__file__).resolve().parent / "cases"
MODULES = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "modules"
ASSERTING = ("changed", "msg", "result", "diff", "files", "absent")


def module_names():
    return sorted(path.stem for path in MODULES.glob("*.py") if path.stem != "__init__")


def load(name):
    return yaml.safe_load((CASES / (name + ".yml")).read_text())


def cases():
    for name in module_names():
        if not (CASES / (name + ".yml")).exists():
            continue  # test_every_module_has_cases fails
        for case in load(name)["cases"]:
            marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
            yield pytest.param(name, case, marks=marks, id="%s-%s" % (name, case["id"]))


def test_every_module_has_cases():
    assert {path.stem for path in CASES.glob("*.yml")} == set(module_names())
    for name in module_names():
        ids = [case["id"] for case in load(name)["cases"]]
        assert len(ids) == len(set(ids)), name
        assert load(name).get("recordings") is not None, "%s.yml: list the recorded outputs (or [])" % name
        recorded = [case["id"] for case in load(name)["cases"]
                    if any(step.get("commands") for step in [case] + case.get("then", []))]
        for case in load(name)["cases"]:
            assert case["id"] not in recorded or case.get("recorded_on"), (
                "%s.yml, case %s: say where its commands were recorded (recorded_on: sid, bookworm without_lmdb, ...)"
                % (name, case["id"]))
        assert not recorded or load(name).get("proven_by") == "tests/integration/test_cases_current.py", name


@pytest.mark.parametrize("name, case", list(cases()))
def test_case(name, case, tmp_path):
    module = importlib.import_module("ansible_collections.mailops.nbdb.plugins.modules." + name)
    tmp = str(tmp_path)
    harness.lay_down(case.get("files"), tmp)
    for step in harness.steps(case):
        expected = harness.fill(step["expected"], tmp)
        assert any(key in expected for key in ASSERTING), "%s: the case must assert something" % case["id"]
        commands = harness.Commands(harness.fill(harness.flat(step.get("commands", [])), tmp))
        harness.check(harness.run_step(module, step, tmp, commands), expected)
        assert commands.left() == [], "commands expected but not run: %s" % commands.left()
