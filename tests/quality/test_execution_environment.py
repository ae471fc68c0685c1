"""The execution-environment files work with ansible-builder from PyPI: ``ansible-builder create`` makes a build context
of docs/examples/execution-environment.yml, and ``ansible-builder introspect`` of the installed collection finds
exactly the requirements of meta/execution-environment.yml. ansible-builder lives in a venv of its own under
.build/ (never the shared venv), made on the first run; no network to PyPI fails the test, it never skips."""
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILDER = "ansible-builder>=3.0,<4"


def run(args, cwd, env=None):
    proc = subprocess.run([str(a) for a in args], cwd=str(cwd), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert proc.returncode == 0, "%s failed (rc=%d):\n%s" % (" ".join(map(str, args)), proc.returncode, proc.stdout)
    return proc.stdout


def lines(path):
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def builder():
    venv = pathlib.Path(os.environ.get("NBDB_BUILD") or ROOT / ".build") / "ee-venv"
    tool = venv / "bin" / "ansible-builder"
    if not tool.exists():
        shutil.rmtree(str(venv), ignore_errors=True)
        base = getattr(sys, "_base_executable", sys.executable)  # the interpreter, not the shared venv
        run([base, "-m", "venv", venv], ROOT)
        proc = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", BUILDER], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        if proc.returncode != 0:
            shutil.rmtree(str(venv), ignore_errors=True)
            pytest.fail("cannot install %s from PyPI into %s (is PyPI reachable?):\n%s" % (BUILDER, venv, proc.stdout))
    return tool


def test_collection_requirements_are_ranges_without_ansible_core():
    meta = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    python = lines(ROOT / meta["dependencies"]["python"])
    assert not [r for r in python if re.match(r"(?i)ansible(-core|-base)?\b", r)], "never ansible-core itself"
    assert not [r for r in python if "==" in r or "===" in r], "ranges, not pins: %s" % python
    assert lines(ROOT / meta["dependencies"]["system"]), "bindep file is empty"


def test_ansible_builder_create_makes_a_build_context(builder, tmp_path):
    shutil.copytree(str(ROOT / "docs" / "examples"), str(tmp_path / "ee"))
    run([builder, "create", "-f", "execution-environment.yml", "-c", tmp_path / "context"], tmp_path / "ee")
    containerfile = (tmp_path / "context" / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile, containerfile
    assert "ansible-galaxy collection install" in containerfile and "introspect" in containerfile, containerfile
    galaxy = yaml.safe_load((tmp_path / "context" / "_build" / "requirements.yml").read_text())
    assert [c["name"] for c in galaxy["collections"]] == ["https://example.invalid/mailops/nbdb.git"]


def test_ansible_builder_finds_the_collection_requirements(builder, tmp_path):
    """The requirements reach the built artefact (build_ignore keeps meta/) and ansible-builder reads them."""
    # Only the installed copy: with the work tree's .build/collections configured, install would find it "installed".
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"))
    run(["ansible-galaxy", "collection", "build", "--output-path", tmp_path / "dist"], ROOT, env)
    tarball, = (tmp_path / "dist").glob("mailops-nbdb-*.tar.gz")
    run(["ansible-galaxy", "collection", "install", "-p", tmp_path / "collections", tarball], tmp_path, env)
    found = yaml.safe_load(run([builder, "introspect", tmp_path / "collections"], tmp_path).split("---", 1)[1])
    system = [line.split("#")[0].strip() for line in found["system"] if "mailops.nbdb" in line]
    assert system == lines(ROOT / "meta" / "ee-bindep.txt"), found
    python = [line.split("#")[0].strip() for line in found.get("python") or [] if "mailops.nbdb" in line]
    assert python == lines(ROOT / "meta" / "ee-requirements.txt"), found
