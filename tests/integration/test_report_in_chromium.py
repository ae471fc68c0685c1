"""Issue 19 §1: the fleet report of a 30-host rollout, written by the fleet_report module (real Ansible, on the
controller) from synthetic records shaped like the role's, rendered in headless Chromium: every host row links to a
section that exists, the rollout chart is drawn, and two screenshots are kept in .build/artefacts
(fleet-report-30.png: summary, chart, host table; fleet-report-30-full.png: down to the first host's section).
Then the build at 1 000 records is measured (written to .build/artefacts/fleet-report-1000.txt; not a timed assert).
No container."""
import json
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import fleet, render, store
from tests.testbed import browser
from tests.unit import report_records as synthetic

pytestmark = pytest.mark.integration

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / ".build" / "artefacts"
PLAYBOOK = """\
- name: Write the fleet report from the records in records.json
  hosts: localhost
  gather_facts: false
  vars_files: [records.json]
  tasks:
    - name: Report
      mailops.nbdb.fleet_report:
        dest: "{{ playbook_dir }}/report"
        records: "{{ records }}"
        hosts: "{{ fleet_hosts }}"
        generated_by: migrate_fleet
        title: Rollout of 30 hosts
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report30")
    histories, names = synthetic.fleet(30)
    records = []
    for name in names:  # every record of every host, in the order the runs made them
        records += [item for item in (histories[name].get(key) for key in ("dry_run", "migrated", "migrate", "last"))
                    if item and item not in records]
    records.sort(key=lambda item: item.get("finished_at") or item.get("started_at"))
    (folder / "records.json").write_text(json.dumps({"records": records, "fleet_hosts": names}))
    (folder / "report.yml").write_text(PLAYBOOK)
    proc = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", "-e",
                           "ansible_python_interpreter=" + sys.executable, str(folder / "report.yml")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=300,
                          env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false"))
    assert proc.returncode == 0, proc.stdout.decode()[-4000:]
    return folder / "report" / "fleet-report.html"


def test_the_30_host_report_renders_every_host_and_its_section(page):
    dom = browser.dump_dom(str(page))
    rows = re.findall(r'<tr class="host [a-z]+" data-host="(mx\d{3}\.example\.org)"><td><a href="#([a-z0-9-]+)">', dom)
    assert len(rows) == 30, dom[:3000]
    sections = set(re.findall(r'<section class="host-detail [a-z]+" id="([a-z0-9-]+)">', dom))
    assert {anchor for dummy, anchor in rows} == sections
    assert rows[0][0] == "mx004.example.org"  # the rolled-back host comes first
    assert re.search(r'<div class="chart" id="rollout"><svg[^>]*>.*</svg></div>', dom, re.S)
    assert dom.count("<rect") >= 6 and "<script" not in dom
    assert synthetic.SECRET_PASSWORD not in dom and synthetic.DNSBL_KEY not in dom
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("fleet-report-30.png", "1400,1300"), ("fleet-report-30-full.png", "1400,5200")):
        png = pathlib.Path(browser.screenshot(str(page), str(ARTEFACTS / name), size=size))
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50000, name


def test_the_build_at_1000_records_is_measured(tmp_path):
    """Records added one by one as the module does, then the report and its three files (timed, not asserted)."""
    histories, names = synthetic.fleet(1000)
    started = time.monotonic()
    report = fleet.build_report(histories, names, "migrate_fleet", "2026-12-01T12:00:00Z", "Rollout of 1 000 hosts")
    built = time.monotonic()
    texts = {"json": store.to_json(report), "markdown": render.markdown(report), "html": render.html(report)}
    rendered = time.monotonic()
    for kind, text in texts.items():
        store.write_text(str(tmp_path / store.REPORT_FILES[kind]), text)
    written = time.monotonic()
    assert len(report["hosts"]) == 1000 and texts["html"].count('class="host-detail') == 1000
    sizes = ", ".join("%s %.1f MB" % (kind, len(text) / 1e6) for kind, text in sorted(texts.items()))
    line = ("1000 records: report %.2f s, render (json+md+html) %.2f s, write %.2f s; %s\n"
            % (built - started, rendered - built, written - rendered, sizes))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "fleet-report-1000.txt").write_text(line)
    print(line)
