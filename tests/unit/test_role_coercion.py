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


def test_every_computation_with_a_number_says_int():
    """ansible-core 2.18 templates ``"{{ x | int }}"`` back to the string "3" (2.19 keeps the int), so in an expression
    ``migrate_opts.disk_factor * size`` repeats a string: a number is passed whole to a module (which coerces it) or
    read as ``migrate_opts.NAME | int``."""
    numbers = [name[len("migrate_"):] for name in COERCED if OPTIONS[name]["type"] == "int"]
    bare = []
    for filename, task in tasks():
        text = yaml.safe_dump(task, width=1000)
        for match in re.finditer(r"migrate_opts\.(%s)\b" % "|".join(numbers), text):
            before, after = text[max(0, match.start() - 3):match.start()], text[match.end():match.end() + 6]
            if not ((before == "{{ " and after.startswith(" }}")) or after.startswith(" | int")):
                bare.append((filename, task.get("name"), match.group(0)))
    assert numbers and bare == []
