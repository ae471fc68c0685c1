"""Quality gate: ``ansible-test sanity`` on a clean copy of the collection, with no ignore entries."""
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GET_PIP = os.path.expanduser("~/.ansible/test/cache/get_pip_24_2.py")


def _build_dir():
    return os.path.realpath(os.environ.get("NBDB_BUILD") or os.path.join(ROOT, ".build"))


def _copy_collection(dest):
    """Copy tracked and untracked-but-not-ignored files (never .build, venvs or tests/output)."""
    if os.path.lexists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT, check=True, stdout=subprocess.PIPE).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src):  # deleted in the work tree but still tracked
            continue
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
    # ansible-test lists content with git from the nearest .git upwards; without a repository
    # of its own the copy would be seen through the main repository, where .build is ignored,
    # and every target would be skipped. An empty repository makes it list the copied files
    # as untracked (and honour the copied .gitignore, e.g. for tests/output).
    subprocess.run(["git", "init", "-q", dest], check=True)


def _report(output, log, lines=60):
    """The findings (ERROR/FATAL lines, without pip's noise), then the last lines."""
    findings = [line for line in output.splitlines() if line.startswith(("ERROR:", "FATAL:"))]
    return "full output: %s\n--- findings ---\n%s\n--- last %d lines ---\n%s" % (
        log, "\n".join(findings), lines, "\n".join(output.splitlines()[-lines:]))


@pytest.mark.slow
def test_ansible_test_sanity():
    assert os.path.isfile(GET_PIP), (
        "%s is missing: run scripts/bootstrap.sh (ansible-test cannot download get-pip here)" % GET_PIP)
    dest = os.path.join(_build_dir(), "sanity", "ansible_collections", "mailops", "nbdb")
    _copy_collection(dest)
    proc = subprocess.run(
        ["ansible-test", "sanity", "--venv", "--python", "3.11", "--color", "no"],
        cwd=dest, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    log = os.path.join(_build_dir(), "sanity", "ansible-test-sanity.log")
    with open(log, "w", encoding="utf-8") as handle:
        handle.write(proc.stdout)
    returncode = proc.returncode
    assert returncode == 0, "ansible-test sanity failed (rc=%d)\n%s" % (returncode, _report(proc.stdout, log))
