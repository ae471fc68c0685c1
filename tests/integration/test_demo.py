"""make demo, as the README promises: four hosts migrated, the second run changes nothing, the report renders.

Runs scripts/demo.sh itself (what `make demo` runs after the bootstrap) with the report in a temporary folder,
then removes the demo containers (it replaces any demo fleet that was running)."""
import json
import os
import pathlib
import re
import subprocess

import pytest

from tests.testbed import browser

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = pathlib.Path(__file__).resolve().parents[2]
HOSTS = ["nbdb-demo-lists1", "nbdb-demo-mx1", "nbdb-demo-mx2", "nbdb-demo-mx3"]


@pytest.fixture
def demo_report(tmp_path):
    yield tmp_path / "report"
    subprocess.run(["podman", "rm", "-f", "-t", "0"] + HOSTS, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)


def test_make_demo_migrates_four_hosts_and_the_rerun_changes_nothing(demo_report):
    proc = subprocess.run([str(ROOT / "scripts" / "demo.sh")], cwd=str(ROOT), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=dict(os.environ, NBDB_DEMO_REPORT=str(demo_report)),
                          timeout=1800, check=False)
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, out[-6000:]
    assert "hosts changed by the second migration run: 0" in out, out
    assert "-> lmtp:[127.0.0.1]:8024" in out, out  # Mailman's own postmap still works after the migration
    assert "podman rm -f nbdb-demo-mx1" in out
    report = json.loads((demo_report / "fleet-report.json").read_text())
    rows = {row["host"]: row for row in report["hosts"]}
    assert sorted(rows) == HOSTS
    for name, row in rows.items():
        assert row["state"] == "unchanged" and row["migrated_at"], (name, row)
        assert row["legacy_references_left"] == 0 and row["tables_migrated"] > 0, (name, row)
        assert row["prediction"]["matched"], (name, row["prediction"])
    assert {rows[name]["postfix_version"][:4] for name in HOSTS} == {"3.11", "3.10", "3.7."}
    assert report["totals"]["legacy_free"] == 4 and report["totals"]["failed"] == 0
    dom = browser.dump_dom(str(demo_report / "fleet-report.html"))
    assert len(re.findall(r'data-host="nbdb-demo-', dom)) == 4
    assert re.search(r'<div class="value">4</div><div class="label">Free of hash/btree</div>', dom), dom
