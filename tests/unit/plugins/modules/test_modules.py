"""Module tests as data: every case of cases/<module>.yml runs the module in process (see harness.py).

A case: id, params, check_mode, diff, files ({path: text} laid down first), commands (argv, rc, stdout, stderr,
stdin, writes; a nested list is spliced in) and expected: failed, changed, msg (words it contains), result (keys and patterns of their values, see matches), diff
(a pattern), files ({path: text, true for present, null for absent} afterwards). ``binaries: null``: no Postfix binary is found. ``then`` lists
more runs on the same files (same keys; params default to the case's). ``{tmp}`` is the case's directory.
``xfail`` (a reason) marks a module bug: the case must fail until it is fixed.
"""
import importlib
import os
import pathlib

import pytest
import yaml

from tests.unit.plugins.modules import harness

CASES = pathlib.Path(__file__).resolve().parent / "cases"
MODULES = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "modules"
ASSERTING = ("changed", "msg", "result", "diff", "files")


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


def fill(value, tmp):
    """{tmp} replaced in every string of value."""
    if isinstance(value, str):
        return value.replace("{tmp}", tmp)
    if isinstance(value, list):
        return [fill(item, tmp) for item in value]
    if isinstance(value, dict):
        return {fill(key, tmp): fill(item, tmp) for key, item in value.items()}
    return value


def flat(calls):
    """Commands with nested lists (YAML aliases of several calls) spliced in."""
    return [one for call in calls for one in (flat(call) if isinstance(call, list) else [call])]


def lay_down(files, tmp):
    for path, text in (files or {}).items():
        path = pathlib.Path(fill(path, tmp))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fill(text, tmp))


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
    assert result["failed"] is expected.get("failed", False), result.get("msg", result)
    if "changed" in expected:
        assert result.get("changed") is expected["changed"], result
    for word in expected.get("msg", []):
        assert word in result["msg"], (word, result["msg"])
    for key, value in expected.get("result", {}).items():
        assert matches(result.get(key), value), (key, result.get(key))
    if "diff" in expected:
        assert matches(result.get("diff"), expected["diff"]), result.get("diff")
    for path, text in expected.get("files", {}).items():
        if text is None or text is True:
            assert os.path.lexists(path) is bool(text), path
        else:
            assert matches(pathlib.Path(path).read_text(), text), path


def test_every_module_has_cases():
    assert {path.stem for path in CASES.glob("*.yml")} == set(module_names())
    for name in module_names():
        ids = [case["id"] for case in load(name)["cases"]]
        assert len(ids) == len(set(ids)), name
        assert load(name).get("recordings") is not None, "%s.yml: list the recorded outputs (or [])" % name


@pytest.mark.parametrize("name, case", list(cases()))
def test_case(name, case, tmp_path):
    module = importlib.import_module("ansible_collections.mailops.nbdb.plugins.modules." + name)
    tmp = str(tmp_path)
    lay_down(case.get("files"), tmp)
    for step in [case] + [dict(step, params=step.get("params", case.get("params", {}))) for step in case.get("then", [])]:
        expected = fill(step["expected"], tmp)
        assert any(key in expected for key in ASSERTING), "%s: the case must assert something" % case["id"]
        commands = harness.Commands(fill(flat(step.get("commands", [])), tmp))
        result = harness.run(module, fill(step.get("params", {}), tmp), check_mode=step.get("check_mode", False),
                             diff=step.get("diff", False), commands=commands, scratch=tmp,
                             binaries=step.get("binaries", ("/usr/sbin",)))
        check(result, expected)
        assert commands.left() == [], "commands expected but not run: %s" % commands.left()
