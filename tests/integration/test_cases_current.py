"""The module cases' recorded Postfix output is what the real images print today (issue 14).

Every case of tests/unit/plugins/modules/cases/*.yml that lists Postfix commands names the host they were recorded
on (``recorded_on``: a release, and for a broken host the lay-down function of tests/integration/test_bad_input.py
that breaks it). The case runs again on that host, in the real container, in process, live: the collection's
plugins, ansible-core's module_utils (as AnsiballZ ships them, under a stub ``ansible`` package) and the harness
are copied in, the case's files laid down under its own ``{tmp}``, and tests/unit/plugins/modules/live.py runs
the same harness.run with every command executed for real; the module gets the real output and its result is
checked against the case's ``expected``. Here each real command is compared with the recorded entry it stands
for (argv, rc, stdout, stderr, stdin, the files it wrote), after NORMALISATIONS below.

One container per release, the cases run one after another in it: the image as built first, then the broken
host laid down in the same container (its cases read /etc/postfix, the others their own {tmp}). A release with a
second broken host kind would get a container of its own.
"""
import functools
import io
import json
import pathlib
import re
import tarfile
import time

import ansible.module_utils
import pytest
import yaml

from tests.integration.test_bad_input import with_invalid_level, without_lmdb
from tests.recorded.record import sort_warnings
from tests.testbed.container import PostfixContainer
from tests.unit.plugins.modules import harness

pytestmark = pytest.mark.integration

ROOT = pathlib.Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "unit" / "plugins" / "modules" / "cases"
INSIDE = "/tmp/nbdb-live"
CASES_INSIDE = "/tmp/nbdb-cases"
BROKEN = {"with_invalid_level": with_invalid_level, "without_lmdb": without_lmdb}
RELEASES = ("sid", "trixie", "bookworm")
FIELDS = ("argv", "rc", "stdout", "stderr", "stdin", "writes")


def re_record(stem, image, kind):
    """How to re-record a case's commands."""
    broken = " on the host tests/integration/test_bad_input.py's %s lays down" % kind if kind else ""
    return ("re-record: put each `real:` entry in place of the recorded one in tests/unit/plugins/modules/cases/%s.yml"
            " (in the anchor, when the case uses one) and update its `recordings:` line; to see it by hand, run the"
            " command in `podman run --rm -it %s`%s, {tmp} being a directory of yours holding the case's files"
            % (stem, image, broken))


# --------------------------------------------------------------------------- normalisations (the one place)
# What may differ between the recording and a real run of the same command on the same image, and what it becomes.
# - Paths need none: the case runs at its own {tmp} inside the container (the recordings made with -c /srv/lvl for
#   -c {tmp}/etc were written down with {tmp}), and {tmp} is put back into the real output before it is shown.
# - The order of the "warning:" lines of stderr: postconf 3.10 prints them in hash-table order, and postfix's and
#   postconf's lines interleave differently between runs (tests/recorded/record.py's sort_warnings, the same rule).
# - postconf -x prints process_id, the pid of that postconf (the cases of issue 16 record whole -x dumps).
# - postfix check on Debian copies /etc/localtime etc. into the chroot and says "updating X => Y" the first time
#   only (the cases run one after another in one container).
NORMALISATIONS = {"stderr": sort_warnings, "stdout": lambda text: re.sub(
    r"(?m)^updating \S+ => \S+\n", "", re.sub(r"(?m)^process_id = \d+$", "process_id = N", text))}


def normalised(field, value):
    return NORMALISATIONS[field](value) if field in NORMALISATIONS and value is not None else value


# --------------------------------------------------------------------------- the cases
def load(path):
    return yaml.safe_load(path.read_text())


def with_commands(case):
    return any(step.get("commands") for step in [case] + case.get("then", []))


@functools.lru_cache(maxsize=None)
def recorded_cases():
    """(file stem, case) of every case with Postfix commands (read once)."""
    return tuple((path.stem, case) for path in sorted(CASES.glob("*.yml")) for case in load(path)["cases"]
                 if with_commands(case))


def host_of(case):
    """(release, broken host kind or None) from the case's recorded_on."""
    words = str(case.get("recorded_on", "")).split()
    return words[0] if words else None, words[1] if len(words) > 1 else None


def plan():
    """[(release, [(broken kind or None, [(stem, case)])])]: one container each, its host kinds in order."""
    containers = []
    for release in RELEASES:
        kinds = sorted({host_of(case)[1] for dummy, case in recorded_cases() if host_of(case)[0] == release},
                       key=lambda kind: (kind is not None, kind or ""))
        groups = [(kind, [(stem, case) for stem, case in recorded_cases() if host_of(case) == (release, kind)])
                  for kind in kinds]
        while groups:  # the image as built and one broken kind share a container
            take = 2 if groups[0][0] is None and len(groups) > 1 else 1
            containers.append((release, groups[:take]))
            groups = groups[take:]
    return containers


# --------------------------------------------------------------------------- into the container
def payload():
    """A tar of the collection's plugins, ansible-core's module_utils and the harness, rooted at INSIDE."""
    files = {}
    for path in (ROOT / "plugins").rglob("*.py"):
        files["ansible_collections/mailops/nbdb/plugins/%s" % path.relative_to(ROOT / "plugins")] = path.read_bytes()
    utils = pathlib.Path(ansible.module_utils.__file__).resolve().parent
    for path in utils.rglob("*.py"):
        files["ansible/module_utils/" + str(path.relative_to(utils))] = path.read_bytes()
    for name in ("harness.py", "live.py"):
        files["tests/unit/plugins/modules/" + name] = (CASES.parent / name).read_bytes()
    for package in ("ansible", "ansible_collections", "ansible_collections/mailops", "ansible_collections/mailops/nbdb",
                    "ansible_collections/mailops/nbdb/plugins", "ansible_collections/mailops/nbdb/plugins/modules",
                    "tests", "tests/unit", "tests/unit/plugins", "tests/unit/plugins/modules"):
        files.setdefault(package + "/__init__.py", b"")  # ansible/__init__.py: a stub, as AnsiballZ ships it
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(INSIDE.lstrip("/") + "/" + name)
            info.size, info.mtime = len(data), int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tmp_of(stem, case):
    return "%s/%s/%s" % (CASES_INSIDE, stem, case["id"])


def run_live(host, cases):
    job = {"cases": [{"module": stem, "case": case, "tmp": tmp_of(stem, case)} for stem, case in cases]}
    out = host.run(["env", "PYTHONPATH=" + INSIDE, "python3", "-m", "tests.unit.plugins.modules.live"],
                   input=json.dumps(job).encode()).stdout
    return json.loads(out)


def run_container(release, groups):
    """{(stem, case id): (host description, image, broken kind, [runs])}: the cases of one container, host kind
    after host kind."""
    answers = {}
    host = PostfixContainer(release)
    try:
        host.start()
        host.run(["tar", "-xf", "-", "-C", "/"], input=payload())
        version = host.postfix_version()
        for kind, cases in groups:
            if kind:
                BROKEN[kind](host)
            where = "%s%s (Postfix %s, %s)" % (release, " " + kind if kind else "", version, host.image)
            for item in run_live(host, cases):
                answers[item["module"], item["case"]["id"]] = (where, host.image, kind, item["runs"])
    finally:
        host.stop()
    return answers


@pytest.fixture(scope="module")
def live():
    """live(stem, case) -> (host description, image, broken kind, [runs]): its container's cases run on first use,
    one container at a time (a selection of sid cases starts no bookworm container)."""
    done, containers = {}, plan()

    def answer(stem, case):
        for number, (release, groups) in enumerate(containers):
            if (stem, case["id"]) in [(name, one["id"]) for dummy, cases in groups for name, one in cases]:
                if number not in done:
                    done[number] = run_container(release, groups)
                return done[number][stem, case["id"]]
        raise AssertionError("%s.yml, case %s: on no host" % (stem, case["id"]))

    return answer


# --------------------------------------------------------------------------- the comparison
def unfill(value, tmp):
    """The container's case directory written back as {tmp}."""
    return harness.replace_in(value, tmp, "{tmp}")


def as_recorded(entry):
    """An entry with the defaults the harness gives it (rc 0, no output, no file written; stdin: not checked)."""
    return {"argv": [str(arg) for arg in entry["argv"]], "rc": entry.get("rc", 0), "stdout": entry.get("stdout", ""),
            "stderr": entry.get("stderr", ""), "stdin": entry.get("stdin"), "writes": entry.get("writes") or {}}


def show(value):
    return json.dumps(value, ensure_ascii=False)


def entry_text(real):
    """The real entry as a case would record it (defaults left out): one YAML flow line, strings in JSON quotes."""
    def arg(value):
        return value if re.match(r"^-?[A-Za-z0-9][A-Za-z0-9_./=-]*$", value) else show(value)

    fields = ["argv: [%s]" % ", ".join(arg(value) for value in real["argv"])]
    if real["rc"]:
        fields.append("rc: %d" % real["rc"])
    fields += ["%s: %s" % (field, show(real[field])) for field in ("stdout", "stderr", "stdin") if real[field]]
    if real["writes"]:
        fields.append("writes: {%s}" % ", ".join("%s: %s" % (show(path), show(text))
                                                 for path, text in real["writes"].items()))
    return "{%s}" % ", ".join(fields)


def differences(runs, tmp):
    """Readable lines naming each command (and field) where the real run left the recording."""
    out = []
    for number, run in enumerate(runs, 1):
        where = "run %d of %d, " % (number, len(runs)) if len(runs) > 1 else ""
        for index, pair in enumerate(run["log"], 1):
            real = unfill(pair["real"], tmp)
            name = "%scommand %d `%s`" % (where, index, " ".join(real["argv"]))
            if pair["recorded"] is None:
                out += ["%s: run, but not recorded" % name, "    real: " + entry_text(real)]
                continue
            recorded = unfill(as_recorded(pair["recorded"]), tmp)
            changed = [field for field in FIELDS if not (field == "stdin" and recorded["stdin"] is None)
                       and normalised(field, recorded[field]) != normalised(field, real[field])]
            for field in changed:
                if field != "writes":
                    out.append("%s: %s: recorded %s, real %s" % (name, field, show(recorded[field]), show(real[field])))
                    continue
                for path in sorted(set(recorded["writes"]) | set(real["writes"])):
                    was, now = (side["writes"].get(path, "(not written)") for side in (recorded, real))
                    if was != now:
                        out.append("%s: wrote %s: recorded %s, real %s" % (name, path, show(was), show(now)))
            if changed:
                out.append("    real: " + entry_text(real))
        for argv in run["left"]:
            out.append("%srecorded but never run: `%s`" % (where, " ".join(unfill(argv, tmp))))
        if run["check"]:
            out.append("%sthe module's real result is not the case's `expected`: %s" % (
                where, unfill(run["check"], tmp)))
        if run["error"]:
            out.append("%sthe run crashed:\n%s" % (where, unfill(run["error"], tmp)))
    return out


# --------------------------------------------------------------------------- the tests
def test_every_recorded_case_names_a_host_it_can_run_on():
    """recorded_on of every case with commands: a release, and at most one broken host kind this test lays down."""
    for stem, case in recorded_cases():
        words = str(case.get("recorded_on", "")).split()
        assert 1 <= len(words) <= 2 and words[0] in RELEASES and all(word in BROKEN for word in words[1:]), (
            "%s.yml, case %s: recorded_on %r; name the release (%s) and the broken host (%s) the commands were"
            " recorded on" % (stem, case["id"], case.get("recorded_on"), ", ".join(RELEASES), ", ".join(BROKEN)))


def test_every_file_with_recordings_names_this_test():
    for path in sorted(CASES.glob("*.yml")):
        if any(with_commands(case) for case in load(path)["cases"]):
            assert load(path).get("proven_by") == "tests/integration/test_cases_current.py", path.name


def test_every_recorded_entry_is_used_by_a_case():
    """No recorded command (a file's top-level anchors: an entry, or a list of them) that no case runs: it would
    never be compared."""
    for path in sorted(CASES.glob("*.yml")):
        doc = load(path)
        used = [call for case in doc["cases"] for step in [case] + case.get("then", [])
                for call in harness.flat(step.get("commands", []))]
        for key, value in doc.items():
            entries = harness.flat(value if isinstance(value, list) else [value])
            for entry in (entry for entry in entries if isinstance(entry, dict) and "argv" in entry):
                assert entry in used, "%s: %s (%s) is recorded but no case runs it" % (path.name, entry["argv"], key)


@pytest.mark.parametrize("stem, case", recorded_cases(), ids=["%s-%s" % item for item in
                                                              ((stem, case["id"]) for stem, case in recorded_cases())])
def test_recorded_case_is_current(live, stem, case):
    where, image, kind, runs = live(stem, case)
    changes = differences(runs, tmp_of(stem, case))
    if changes:
        pytest.fail("tests/unit/plugins/modules/cases/%s.yml, case %s, on %s:\n  %s\n%s" % (
            stem, case["id"], where, "\n  ".join(changes), re_record(stem, image, kind)), pytrace=False)
