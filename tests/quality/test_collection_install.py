"""The collection installs like any other: ``ansible-galaxy collection build`` of a copy of the tree (with junk
planted where build_ignore must keep it out), ``ansible-galaxy collection install`` of the tarball into an empty
collections path, then ``ansible-doc`` of every module and the role and a syntax check of every playbook, all
from the installed copy only."""
import json
import os
import pathlib
import subprocess
import tarfile

import pytest

from tests.quality.test_ansible_test_sanity import _copy_collection

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py"))
ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "tasks").is_dir())
PLAYBOOKS = sorted(p.stem for p in (ROOT / "playbooks").glob("*.yml"))
# Only a git checkout can use these (or they are caches and build output): none may reach the artefact.
LEFT_OUT = ("bench/", "demo/", "images/", "tests/", "scripts/", "requirements/", ".build/", ".venv/", ".cache/",
            ".ansible/", ".pytest_cache/", "Makefile", "conftest.py", "pytest.ini")
# Planted in the copy: a file in each place build_ignore must cover, even when the work tree has none there.
PLANTED = ("images/vendor/postfix-3.11.tar.gz", ".build/artefacts/fleet-report.png", "bench/results/x.json",
           ".pytest_cache/v/cache/lastfailed", ".ansible/tmp/x", "plugins/modules/__pycache__/x.cpython-311.pyc",
           "roles/migrate/molecule/default/x.yml", "tests/corpus/x/main.cf", "x.log")
MAX_BYTES = 400 * 1024  # 150 kB when this was written; the tree with its tests and fixtures built to 850 kB


def run(args, cwd, env):
    proc = subprocess.run(args, cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    assert proc.returncode == 0, "%s failed (rc=%d):\n%s\n%s" % (" ".join(args), proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Tarball members and size, the installed copy's path (alone in its collections path), the environment."""
    base = tmp_path_factory.mktemp("install")
    source = base / "src" / "ansible_collections" / "mailops" / "nbdb"
    _copy_collection(str(source))
    for rel in PLANTED:
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text("must not be shipped\n")
    collections = base / "collections"
    # Only the installed copy: not the work tree (.build/collections), not ~/.ansible/collections.
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_HOME=str(base / "ansible-home"))
    run(["ansible-galaxy", "collection", "build", "--output-path", str(base / "dist")], source, env)
    tarball, = (base / "dist").glob("mailops-nbdb-*.tar.gz")
    with tarfile.open(str(tarball)) as archive:
        members = archive.getnames()
    run(["ansible-galaxy", "collection", "install", "-p", str(collections), str(tarball)], base, env)
    return {"members": members, "size": tarball.stat().st_size, "env": env,
            "path": collections / "ansible_collections" / "mailops" / "nbdb"}


def test_tarball_leaves_out_what_only_a_checkout_uses(installed):
    members, size = installed["members"], installed["size"]
    shipped = [name for name in members if name.startswith(LEFT_OUT) or name in LEFT_OUT
               or "__pycache__" in name or name.endswith((".tar.gz", ".pyc", ".log")) or "/molecule/" in name]
    assert not shipped, "build_ignore lets these into the tarball: %s" % shipped
    assert size <= MAX_BYTES, "the tarball is %d bytes (limit %d): what grew?" % (size, MAX_BYTES)
    needed = ["meta/runtime.yml", "README.md", "roles/migrate/meta/argument_specs.yml"]
    needed += ["plugins/modules/%s.py" % name for name in MODULES] + ["playbooks/%s.yml" % name for name in PLAYBOOKS]
    assert not [name for name in needed if name not in members], "missing from the tarball"


def test_ansible_doc_of_every_module_from_the_installed_copy(installed):
    path, env = installed["path"], installed["env"]
    listed = json.loads(run(["ansible-doc", "-t", "module", "-l", "--json", "mailops.nbdb"], path.parent, env))
    assert sorted(listed) == ["mailops.nbdb." + name for name in MODULES]
    docs = json.loads(run(["ansible-doc", "-t", "module", "--json"] + ["mailops.nbdb." + m for m in MODULES],
                          path.parent, env))
    assert sorted(docs) == ["mailops.nbdb." + name for name in MODULES]
    for name, doc in docs.items():
        assert doc["doc"]["filename"].startswith(str(path) + "/"), "%s documented from %s" % (name, doc["doc"]["filename"])
        assert doc["examples"] and doc["return"], "%s lacks EXAMPLES or RETURN" % name


def test_ansible_doc_of_every_role_from_the_installed_copy(installed):
    path, env = installed["path"], installed["env"]
    docs = json.loads(run(["ansible-doc", "-t", "role", "--json"] + ["mailops.nbdb." + r for r in ROLES],
                          path.parent, env))
    assert sorted(docs) == ["mailops.nbdb." + name for name in ROLES]
    for name, doc in docs.items():
        assert doc["path"] == str(path), "%s documented from %s" % (name, doc["path"])
        assert doc["entry_points"]["main"]["options"], name


def test_every_playbook_parses_from_the_installed_copy(installed):
    """The collection's playbooks by name, and the AWX project's playbooks that import them (docs/awx.md)."""
    path, env = installed["path"], installed["env"]
    wrappers = sorted(str(p) for p in (ROOT / "docs" / "examples" / "awx-project").glob("*.yml"))
    assert wrappers
    run(["ansible-playbook", "-i", "localhost,", "--syntax-check"] + ["mailops.nbdb." + p for p in PLAYBOOKS] + wrappers,
        path.parent, env)
