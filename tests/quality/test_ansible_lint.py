"""Quality gate: ``ansible-lint`` with the production profile, offline."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_ansible_lint():
    proc = subprocess.run(
        ["ansible-lint", "--offline", "--profile", "production"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    returncode = proc.returncode
    assert returncode == 0, "ansible-lint failed (rc=%d):\n%s" % (returncode, proc.stdout)
