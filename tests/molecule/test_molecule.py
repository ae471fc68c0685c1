"""The migrate role's molecule scenarios (podman driver, locally built images), as part of make test.

Run one alone: make molecule MOLECULE_SCENARIO=default  (or cd roles/migrate && molecule test -s default).
"""
import os
import pathlib
import subprocess

import pytest

ROLE = pathlib.Path(__file__).resolve().parents[2] / "roles" / "migrate"
SCENARIOS = sorted(p.name for p in (ROLE / "molecule").iterdir() if (p / "molecule.yml").is_file())

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario):
    log = ROLE.parents[1] / ".build" / ("molecule-%s.log" % scenario)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as handle:
        proc = subprocess.run(["molecule", "test", "-s", scenario], cwd=str(ROLE), stdout=handle,
                              stderr=subprocess.STDOUT, env=dict(os.environ), check=False, timeout=1800)
    text = log.read_text(errors="replace")
    assert proc.returncode == 0, "molecule test -s %s failed (log %s):\n%s" % (scenario, log, text[-6000:])
    for action in ("check", "converge", "idempotence", "verify"):
        assert "[%s > %s] Executed: Successful" % (scenario, action) in text, "%s did not run %s" % (scenario, action)
