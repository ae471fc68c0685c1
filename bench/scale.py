"""5. Scale: migrate_fleet on 1, 10, 30 hosts with forks 10 vs ceil(N / forks) x the one-host time; peak memory of
the controller (ansible-playbook and its children). Hosts are copies of one small legacy host (the measurement is
Ansible's fan-out, not table size), all in one batch unless --scale-staged."""
import math
import tempfile
import uuid

from bench import ansible_run, host as hosts


def measure(counts, tables, entries, forks, staged=False):
    """staged=False runs all hosts in one batch (nbdb_canary=N, nbdb_batches=[100%]) to measure the fan-out;
    the playbook's own canary and 10%/50%/100% batches run one after another by design."""
    template = hosts.start("template", tables, entries)
    image = hosts.commit(template, uuid.uuid4().hex[:8])
    template.stop()
    results = []
    try:
        for count in sorted(counts):
            fleet = []
            try:
                for number in range(count):
                    fleet.append(hosts.start("scale%02d" % number, tables, entries, image=image))
                with tempfile.TemporaryDirectory(prefix="nbdb-bench-report-") as report:
                    rollout = {} if staged else {"nbdb_canary": count, "nbdb_batches": ["100%"]}
                    run = ansible_run.playbook(fleet, ansible_run.PLAYBOOKS / "migrate_fleet.yml",
                                               dict(rollout, nbdb_report_dir=report), forks=forks, sample_memory=True)
                results.append({"hosts": count, "seconds": run["seconds"], "peak_rss_mb": run["peak_rss_mb"]})
            finally:
                for host in fleet:
                    host.stop()
    finally:
        hosts.remove_image(image)
    single = next((r["seconds"] for r in results if r["hosts"] == 1), None)
    for result in results:
        result["reference_s"] = round(math.ceil(result["hosts"] / float(forks)) * single, 3) if single else None
    return {"forks": forks, "tables_per_host": tables, "entries_per_table": entries, "staged": staged, "runs": results}
