"""make matrix: the collection under every supported ansible-core release (meta/runtime.yml, README "Supported releases").

Per release, in its own venv $NBDB_CACHE/matrix/<release> (made once, rebuilt only when its requirements change):
the unit tests, `ansible-test sanity` of the whole collection (controller Python), `ansible-test sanity --python X` of
the module code for each target Python 3.8-3.13 that release's ansible-test supports, and for the oldest and newest
release the role's molecule `default` scenario under names and state of its own (it can run beside `make test`).
Writes .build/matrix/matrix.json and matrix.md; exits non-zero when a cell failed.
Options: --release 2.NN (repeatable), --no-molecule, --no-sanity.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)
from tests.quality.test_ansible_test_sanity import _copy_collection  # noqa: E402 (the quality test's staging)

RELEASES = ("2.18", "2.19", "2.20", "2.21")
# The oldest controller Python of each release (its Requires-Python; checked against ansible-test's own list below).
CONTROLLER = {"2.18": "3.11", "2.19": "3.11", "2.20": "3.12", "2.21": "3.12"}
TARGETS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
MOLECULE = (RELEASES[0], RELEASES[-1])
MODULE_CODE = ("plugins/modules/", "plugins/module_utils/")
CACHE = os.path.join(os.environ["NBDB_CACHE"], "matrix")
OUT = os.path.join(os.environ.get("NBDB_BUILD") or os.path.join(TOP, ".build"), "matrix")
PYENV = os.path.expanduser(os.environ.get("PYENV_ROOT", "~/.pyenv"))


def pyenv_python(version):
    """The newest pyenv interpreter of a minor version (3.8 -> ~/.pyenv/versions/3.8.18/bin/python3.8), or None."""
    found = [v for v in os.listdir(os.path.join(PYENV, "versions")) if re.fullmatch(re.escape(version) + r"\.\d+", v)]
    if not found:
        return None
    newest = max(found, key=lambda v: int(v.rsplit(".", 1)[1]))
    return os.path.join(PYENV, "versions", newest, "bin", "python" + version)


def run(cmd, log, env=None, cwd=TOP, timeout=3600):
    """Run cmd with its output into log; True when it exited 0."""
    with open(log, "w", encoding="utf-8") as handle:
        handle.write("$ %s\n" % " ".join(cmd))
        handle.flush()
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            handle.write("\nmatrix: timed out after %d s\n" % timeout)
            return False
    return proc.returncode == 0


def requirements(release):
    """pip arguments of a release's venv (the release and, for molecule, the ansible package built on it)."""
    args = ["-r", os.path.join(TOP, "requirements", "matrix.txt"), "ansible-core==%s.*" % release]
    if release in MOLECULE:
        # ansible N ships with ansible-core 2.(N+7): 11 with 2.18, 14 with 2.21.
        args += ["-r", os.path.join(TOP, "requirements", "matrix-molecule.txt"), "ansible==%d.*" % (int(release.split(".")[1]) - 7)]
    return args


def venv(release, logs):
    """The release's venv, created when missing or when its requirements changed."""
    path = os.path.join(CACHE, release)
    python = pyenv_python(CONTROLLER[release])
    args = requirements(release)
    files = [a for a in args if a.endswith(".txt")]
    want = hashlib.sha256(("%s %s\n" % (python, args)).encode() + b"".join(open(f, "rb").read() for f in files)).hexdigest()[:16]
    stamp = os.path.join(path, ".nbdb-matrix")
    if os.path.isfile(stamp) and open(stamp).read().strip() == want:
        return path
    print("matrix: %s: creating venv %s (%s)" % (release, path, python), flush=True)
    shutil.rmtree(path, ignore_errors=True)
    log = os.path.join(logs, "%s-venv.log" % release)
    if not (run([python, "-m", "venv", path], log)
            and run([os.path.join(path, "bin", "pip"), "install", "-q", "--disable-pip-version-check"] + args, log)):
        raise SystemExit("matrix: %s: venv failed, see %s" % (release, log))
    with open(stamp, "w") as handle:
        handle.write(want + "\n")
    return path


def ansible_test_facts(path):
    """From the release's ansible-test: its version, controller and target-only Pythons, the pip it bootstraps and the
    sanity tests that run once per Python (the others run with the controller's Python whatever --python says)."""
    code = ("import ansible.release as r, ansible_test._util.target.common.constants as c, inspect, re, json;"
            "import ansible_test._internal.python_requirements as p, ansible_test._internal.commands.sanity as s;"
            "print(json.dumps([r.__version__, c.CONTROLLER_PYTHON_VERSIONS, c.REMOTE_ONLY_PYTHON_VERSIONS,"
            "re.search(r\"pip='([0-9.]+)'\", inspect.getsource(p.get_venv_packages)).group(1),"
            "[t.name for t in s.sanity_get_tests() if isinstance(t, s.SanityMultipleVersion)]]))")
    out = subprocess.run([os.path.join(path, "bin", "python"), "-c", code], check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def environment(path, home):
    """Environment of a release's runs: its venv first on PATH, the pyenv interpreters as python3.X, its own HOME for ansible-test."""
    bindir = os.path.join(CACHE, "pythons")
    os.makedirs(bindir, exist_ok=True)
    for version in TARGETS:
        python, link = pyenv_python(version), os.path.join(bindir, "python" + version)
        if python and not os.path.lexists(link):
            os.symlink(python, link)
    env = dict(os.environ, PATH=os.pathsep.join([os.path.join(path, "bin"), bindir, os.environ["PATH"]]), NO_COLOR="1", ANSIBLE_NOCOLOR="1")
    env.pop("VIRTUAL_ENV", None)
    if home:
        # ansible-test keeps its venvs and the get-pip script under ~/.ansible/test: a HOME per release keeps them apart
        # from the quality test's and the other releases' while they run at the same time; pip's cache stays shared.
        env.update(HOME=home, PIP_CACHE_DIR=os.path.join(os.path.expanduser("~"), ".cache", "pip"))
    return env


def sanity(release, path, facts, logs, targets):
    """Cells of the sanity columns: the whole collection with the controller Python, the module code per target Python."""
    version, controllers, remote_only, pip, per_python = facts
    home = os.path.join(path, "home")
    cache = os.path.join(home, ".ansible", "test", "cache")
    os.makedirs(cache, exist_ok=True)
    shutil.copy(os.path.join(TOP, "scripts", "get_pip_standin.py"), os.path.join(cache, "get_pip_%s.py" % pip.replace(".", "_")))
    env = environment(path, home)
    dest = os.path.join(OUT, "stage", release, "ansible_collections", "mailops", "nbdb")
    _copy_collection(dest)
    controller = CONTROLLER[release]
    if controller not in controllers:
        raise SystemExit("matrix: %s: ansible-test does not support %s as a controller (%s)" % (release, controller, controllers))
    cells = {}
    base = ["ansible-test", "sanity", "--venv", "--color", "no"]
    cells["sanity"] = run(base + ["--python", controller], os.path.join(logs, "%s-sanity.log" % release), env, dest)
    for target in targets:
        if target not in tuple(remote_only) + tuple(controllers):
            cells["py" + target] = None
        elif target == controller:
            cells["py" + target] = cells["sanity"]  # that run covers the module code with this Python
        elif pyenv_python(target) is None:
            cells["py" + target] = "no interpreter"
        else:
            log = os.path.join(logs, "%s-sanity-py%s.log" % (release, target))
            tests = [arg for name in per_python for arg in ("--test", name)]
            cells["py" + target] = run(base + ["--python", target] + tests + list(MODULE_CODE), log, env, dest)
    return cells


def molecule(release, path, logs):
    """The molecule default scenario under container names, ephemeral directory and caches of this release's own."""
    state = os.path.join(CACHE, release, "molecule")
    env = environment(path, None)
    env.update(NBDB_MOLECULE_PREFIX="nbdb-matrix-%s" % release.replace(".", ""),
               MOLECULE_EPHEMERAL_DIRECTORY=os.path.join(state, "default"), XDG_CACHE_HOME=os.path.join(state, "cache"))
    log = os.path.join(logs, "%s-molecule-default.log" % release)
    ok = run(["molecule", "test", "-s", "default"], log, env, os.path.join(TOP, "roles", "migrate"), timeout=1800)
    text = open(log, errors="replace").read()
    return ok and all(re.search(r"default (>|\u279c) %s: Executed: Successful|\[default > %s\] Executed: Successful" % (a, a), text)
                      for a in ("check", "converge", "idempotence", "verify"))


def cell(value):
    return {True: "passed", False: "failed", None: "not supported"}.get(value, value)


def table(results, columns):
    head = ["release", "ansible-core", "controller"] + columns + ["seconds", "run"]
    rows = [[r["release"], r["ansible-core"], r["controller"]] + [cell(r["cells"].get(c, "not run")) for c in columns]
            + [str(r["seconds"]), r.get("date", "")] for r in results]
    return "\n".join("| " + " | ".join(row) + " |" for row in [head, ["---"] * len(head)] + rows)


def write(results, columns, started, date):
    """matrix.json and matrix.md of this run's releases and the last rows of the others (after every release)."""
    rows = list(results)
    path = os.path.join(OUT, "matrix.json")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            ran = {r["release"] for r in rows}
            rows += [r for r in json.load(handle)["results"] if r["release"] not in ran]
    rows.sort(key=lambda r: RELEASES.index(r["release"]))
    markdown = ("`make matrix` of %s (this run %d s; logs in .build/matrix/logs/; pyX: `ansible-test sanity --python X` of %s,"
                " the tests that run per Python):\n\n%s\n") % (date, time.time() - started, " and ".join(MODULE_CODE), table(rows, columns))
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(dict(date=date, results=rows), handle, indent=1)
    with open(os.path.join(OUT, "matrix.md"), "w", encoding="utf-8") as handle:
        handle.write(markdown)
    return markdown


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="append", choices=RELEASES)
    parser.add_argument("--no-molecule", action="store_true")
    parser.add_argument("--no-sanity", action="store_true")
    args = parser.parse_args()
    if os.nice(0) < 10:
        os.nice(10 - os.nice(0))  # beside the lead's timing-sensitive suite
    logs = os.path.join(OUT, "logs")
    os.makedirs(logs, exist_ok=True)
    columns = ["unit"] + ([] if args.no_sanity else ["sanity"] + ["py" + t for t in TARGETS]) + ([] if args.no_molecule else ["molecule default"])
    started, results = time.time(), []
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for release in args.release or RELEASES:
        t0 = time.time()
        path = venv(release, logs)
        facts = ansible_test_facts(path)
        cells = {"unit": run([os.path.join(path, "bin", "python"), "-m", "pytest", "tests/unit", "tests/recorded", "-q", "-p", "no:cacheprovider"],
                             os.path.join(logs, "%s-unit.log" % release), environment(path, None))}
        if not args.no_sanity:
            cells.update(sanity(release, path, facts, logs, TARGETS))
        if not args.no_molecule and release in MOLECULE:
            cells["molecule default"] = molecule(release, path, logs)
        elif not args.no_molecule:
            cells["molecule default"] = "not run (oldest and newest only)"
        results.append(dict(release=release, cells=cells, seconds=round(time.time() - t0), date=date, **{
            "ansible-core": facts[0], "controller": CONTROLLER[release], "target pythons": list(facts[2]) + list(facts[1])}))
        print("matrix: %s (ansible-core %s) in %d s: %s" % (release, facts[0], time.time() - t0,
                                                            ", ".join("%s %s" % (k, cell(v)) for k, v in cells.items())), flush=True)
        markdown = write(results, columns, started, date)
    print(markdown)
    failed = [(r["release"], c) for r in results if r.get("date") == date for c, v in r["cells"].items() if v is False]
    if failed:
        raise SystemExit("matrix: failed: %s" % ", ".join("%s %s" % f for f in failed))


if __name__ == "__main__":
    main()
