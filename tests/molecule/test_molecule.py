"""The migrate role's molecule scenarios (podman driver, locally built images), as part of make test.

Run one alone: make molecule MOLECULE_SCENARIO=default  (or cd roles/migrate && molecule test -s default).
"""
import os
import pathlib
import re
import subprocess

import pytest

ROLE = pathlib.Path(__file__).resolve().parents[2] / "roles" / "migrate"
SCENARIOS = sorted(p.name for p in (ROLE / "molecule").iterdir() if (p / "molecule.yml").is_file())

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def completed(text, scenario, action):
    """Whether molecule reported the action successful, in its plain or its coloured line format."""
    pattern = r"(\[%s > %s\]|%s (>|\u279c) %s:) Executed: Successful" % ((re.escape(scenario), re.escape(action)) * 2)
    return re.search(pattern, ANSI.sub("", text)) is not None


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario):
    log = ROLE.parents[1] / ".build" / ("molecule-%s.log" % scenario)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as handle:
        proc = subprocess.run(["molecule", "test", "-s", scenario], cwd=str(ROLE), stdout=handle,
                              stderr=subprocess.STDOUT, env=dict(os.environ, NO_COLOR="1", ANSIBLE_NOCOLOR="1"), check=False, timeout=1800)
    text = log.read_text(errors="replace")
    assert proc.returncode == 0, "molecule test -s %s failed (log %s):\n%s" % (scenario, log, text[-6000:])
    for action in ("check", "converge", "idempotence", "verify"):
        assert completed(text, scenario, action), "%s did not run %s" % (scenario, action)
