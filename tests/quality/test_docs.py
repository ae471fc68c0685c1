"""The documentation matches the code: ansible-doc works for every module and the role, and the committed module
reference (antsibull-docs) and changelog (antsibull-changelog, from the fragments) are what scripts/docs.sh builds."""
import filecmp
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py"))


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_shows_every_module(module):
    proc = subprocess.run(["ansible-doc", "-t", "module", "mailops.nbdb." + module], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stdout
    assert "OPTIONS" in proc.stdout and "RETURN VALUES" in proc.stdout and "EXAMPLES" in proc.stdout, proc.stdout


def test_ansible_doc_shows_the_role():
    proc = subprocess.run(["ansible-doc", "-t", "role", "mailops.nbdb.migrate"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert proc.returncode == 0 and "migrate_switch_mode" in proc.stdout, proc.stdout


def differences(left, right):
    cmp = filecmp.dircmp(str(left), str(right))
    found = cmp.left_only + cmp.right_only + [name for name in cmp.common_files
                                              if (left / name).read_bytes() != (right / name).read_bytes()]
    return sorted(found)


def test_committed_reference_and_changelog_are_up_to_date(tmp_path):
    tmp_path.chmod(0o755)
    proc = subprocess.run([str(ROOT / "scripts" / "docs.sh"), str(tmp_path)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stdout
    stale = differences(ROOT / "docs" / "reference", tmp_path / "reference")
    assert not stale, "docs/reference is stale (run make docs): %s" % stale
    assert (ROOT / "docs" / "CHANGELOG.rst").read_text() == (tmp_path / "CHANGELOG.rst").read_text(), "run make docs"
    assert len(list((tmp_path / "reference").glob("*_module.rst"))) == len(MODULES)
