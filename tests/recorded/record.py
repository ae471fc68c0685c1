"""Record real Postfix output for the recorded tier: ``make record`` or ``python -m tests.recorded.record [names]``.

Each recording starts the real container of its release, lays its configuration down exactly as the container
tier does (tests/expectations/scenarios.py), runs tests/recorded/capture.py inside it with the collection's
module_utils, normalises what varies from run to run (NORMALISATIONS below, the one place) and writes
tests/recorded/fixtures/<name>.json. tests/integration/test_recordings_current.py proves the files current.
"""
import difflib
import json
import pathlib
import re
import sys

from tests.expectations.scenarios import SCENARIOS
from tests.integration.conftest import Host

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
INSIDE = "/tmp/nbdb"
MODULE_UTILS = INSIDE + "/ansible_collections/mailops/nbdb/plugins/module_utils"


class Recording:
    """A configuration (lay_down steps) on a release, and the config_dir nbdb_info is given (None: default)."""

    def __init__(self, distro, steps, config_dir=None):
        self.distro = distro
        self.steps = steps
        self.config_dir = config_dir


RECORDINGS = {"%s@%s" % (name, distro): Recording(distro, setup) for name, (distro, setup) in SCENARIOS.items()}
# broken hosts (tests/recorded/test_nbdb_info_errors.py): what Postfix itself says about them
RECORDINGS.update({
    "missing-config-dir@sid": Recording("sid", list, config_dir="/etc/postfix-gone"),
    "main-cf-rejected@sid": Recording("sid", lambda: [dict(commands=[
        ["sh", "-c", "printf 'this line has no equals sign\\n' >> /etc/postfix/main.cf"]])]),
    "postmulti-dir-gone@sid": Recording("sid", lambda: [dict(commands=[
        ["postmulti", "-e", "init"], ["postmulti", "-I", "postfix-out", "-G", "mta", "-e", "create"],
        ["rm", "-rf", "/etc/postfix-out"]])]),
    "no-postconf@bookworm": Recording("bookworm", lambda: [dict(commands=[
        ["mv", "/usr/sbin/postconf", "/usr/sbin/postconf.hidden"]])]),
    "main-cf-not-a-file@trixie": Recording("trixie", lambda: [dict(commands=[
        ["mkdir", "-p", "/srv/pf"], ["mkdir", "/srv/pf/main.cf"]])], config_dir="/srv/pf"),
})

# --------------------------------------------------------------------------- normalisations (the one place)
# What differs between two recordings of the same configuration on the same image, and what it becomes:
IMAGE_TIME = 1767225600  # 2026-01-01: mtime of every file older than the container (from the image build)
RUN_TIME = 1767229200    # one hour later: mtime of every file the run wrote (lay_down, postmap, postalias)
# Directories: IMAGE_TIME always (nothing reads a directory's mtime; the container's start moves /etc's).
PROCESS_ID = 4242        # "process_id = <pid of postconf>" in postconf -d output
STATVFS = {"f_blocks": 2621440, "f_bfree": 1310720, "f_bavail": 1310720,  # a 10 GiB file system, half free,
           "f_files": 655360, "f_ffree": 600000, "f_favail": 600000}      # whatever the machine's disk holds
FINGERPRINT = "normalised: a digest over mtimes and the master PID"
# .db files (Berkeley DB stamps a unique file id into each) are recorded by size, without content.
# The order of the "warning:" lines of a command's stderr (postconf 3.10 prints them in hash-table order, which
# changes between runs): sorted among themselves, every other line left where it was.


def sort_warnings(text):
    lines = text.splitlines(True)
    at = [index for index, line in enumerate(lines) if ": warning: " in line]
    for index, line in zip(at, sorted(lines[index] for index in at)):
        lines[index] = line
    return "".join(lines)


def normalise(raw, started):
    """raw capture.py output -> the stored recording (started: the container's clock when it started)."""
    def when(mtime):
        return RUN_TIME if mtime >= started else IMAGE_TIME

    for path, entry in raw["files"].items():
        if entry.get("kind") == "dir":
            entry["mtime"] = IMAGE_TIME  # podman writes /etc/hosts etc. as the container starts: /etc races the clock
        elif "mtime" in entry:
            entry["mtime"] = when(entry["mtime"])
        if path.endswith(".db"):
            entry.pop("text", None)
            entry.pop("base64", None)
    for call in raw["calls"]:
        call["stdout"] = re.sub(r"(?m)^process_id = \d+$", "process_id = %d" % PROCESS_ID, call["stdout"])
        call["stderr"] = sort_warnings(call["stderr"])
    for answer in raw["statvfs"].values():
        answer.update(STATVFS)
    result = raw.get("result")
    if result:
        result["fingerprint"] = FINGERPRINT
        for table in result["tables"]:
            if table["free_bytes"] is not None:
                frsize = raw["statvfs"][table["path"].rsplit("/", 1)[0] or "/"]["f_frsize"]
                table["free_bytes"] = STATVFS["f_bavail"] * frsize
            for facts in table["files"].values():
                if facts:
                    facts["mtime"] = when(facts["mtime"])
    return raw


# --------------------------------------------------------------------------- recording
def install_module_utils(host):
    """The collection's plugins/module_utils under INSIDE, importable as ansible_collections.mailops.nbdb."""
    source = ROOT / "plugins" / "module_utils"
    for path in sorted(source.rglob("*.py")):
        host.write(MODULE_UTILS + "/" + str(path.relative_to(source)), path.read_bytes())
    for package in ("ansible_collections", "ansible_collections/mailops", "ansible_collections/mailops/nbdb",
                    "ansible_collections/mailops/nbdb/plugins"):
        host.write(INSIDE + "/" + package + "/__init__.py", b"")
    host.write(INSIDE + "/capture.py", (ROOT / "tests" / "recorded" / "capture.py").read_bytes())


def record(name):
    """Start the container, lay the configuration down, capture, normalise; returns the recording."""
    recording = RECORDINGS[name]
    host = Host(recording.distro)
    try:
        host.start()
        started = int(host.run(["date", "+%s"]).stdout)
        for step in recording.steps():
            host.lay_down(**step)
        install_module_utils(host)
        out = host.run(["env", "PYTHONPATH=" + INSIDE, "python3", INSIDE + "/capture.py",
                        json.dumps({"config_dir": recording.config_dir})]).stdout
    finally:
        host.stop()
    raw = json.loads(out)
    raw["files"] = {path: entry for path, entry in raw["files"].items() if not path.startswith(INSIDE + "/")}
    raw.update(distro=recording.distro, image=host.image, config_dir=recording.config_dir)
    return normalise(raw, started)


# --------------------------------------------------------------------------- what changed
def differences(old, new, context=2, limit=30):
    """Readable lines naming each call, file or key that differs between two recordings (empty: the same)."""
    def text_diff(what, a, b):
        a = a if isinstance(a, str) else json.dumps(a, indent=1, sort_keys=True)
        b = b if isinstance(b, str) else json.dumps(b, indent=1, sort_keys=True)
        body = list(difflib.unified_diff(a.splitlines(), b.splitlines(), "recorded", "now", n=context,
                                         lineterm=""))[2:]
        return [what] + ["    " + line for line in body[:limit]] + (["    ..."] if len(body) > limit else [])

    def keyed(items, key):
        return {key(item): item for item in items}

    out = []
    for section in sorted(set(old) | set(new)):
        a, b = old.get(section), new.get(section)
        if a == b:
            continue
        if section in ("calls", "files", "statvfs"):
            if section == "calls":
                a, b = (keyed(x or [], lambda call: " ".join(call["argv"]) + (
                    " <<%r" % call["stdin"] if call["stdin"] is not None else "")) for x in (a, b))
            a, b = a or {}, b or {}
            for key in sorted(set(a) | set(b)):
                if key not in b:
                    out.append("%s: %s no longer recorded" % (section, key))
                elif key not in a:
                    out.append("%s: %s new: %s" % (section, key, json.dumps(b[key], sort_keys=True)[:300]))
                elif a[key] != b[key]:
                    for field in sorted(set(a[key]) | set(b[key])):
                        if a[key].get(field) != b[key].get(field):
                            out += text_diff("%s: %s: %s changed" % (section, key, field),
                                             a[key].get(field), b[key].get(field))
        else:
            out += text_diff("%s changed" % section, a, b)
    return out


def dumps(recording):
    return json.dumps(recording, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(names):
    unknown = sorted(set(names) - set(RECORDINGS))
    if unknown:
        sys.exit("unknown recordings %s; known: %s" % (", ".join(unknown), ", ".join(sorted(RECORDINGS))))
    FIXTURES.mkdir(exist_ok=True)
    for name in names or sorted(RECORDINGS):
        path = FIXTURES / (name + ".json")
        recording = record(name)
        changes = differences(json.loads(path.read_text()), recording) if path.exists() else ["new"]
        path.write_text(dumps(recording))
        print("recorded %s: %s" % (path.relative_to(ROOT), "\n  ".join(changes) or "unchanged"))


if __name__ == "__main__":
    main(sys.argv[1:])
