"""The role's booleans and numbers are coerced once, at its entry (issue 15 part 6): ``-e migrate_verify=false`` is the
string "false", which ansible-core 2.19 refuses in a conditional (and Jinja arithmetic on "3" goes wrong). Every
bool/int option of the argument spec must be read only by the coercion task; every other task uses migrate_opts.
The role run with such strings on real Postfix is the first run of tests/integration/test_reference_forms.py."""
import pathlib
import re

import yaml

ROLE = pathlib.Path(__file__).resolve().parents[2] / "roles" / "migrate"
OPTIONS = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
COERCED = sorted(name for name, spec in OPTIONS.items() if spec.get("type") in ("bool", "int"))


def tasks():
    for path in sorted((ROLE / "tasks").glob("*.yml")):
        for task in yaml.safe_load(path.read_text()) or []:
            yield path.name, task


def test_every_bool_and_int_option_is_coerced_at_the_entry():
    preflight = yaml.safe_load((ROLE / "tasks" / "preflight.yml").read_text())[0]
    opts = preflight["ansible.builtin.set_fact"]["migrate_opts"]
    assert sorted(re.search(r"(migrate_\w+) \| (bool|int)", text).group(1) for text in opts.values()) == COERCED
    for text in opts.values():
        name, kind = re.search(r"(migrate_\w+) \| (bool|int)", text).groups()
        assert OPTIONS[name]["type"] == kind, name


def test_no_task_reads_an_uncoerced_option():
    used = []
    for filename, task in tasks():
        if "migrate_opts" in (task.get("ansible.builtin.set_fact") or {}):
            continue
        text = yaml.safe_dump(task)
        for name in COERCED:
            if re.search(r"\b%s\b" % name, text):
                used.append((filename, task.get("name"), name))
    assert used == []
