"""3. Idempotent re-run: migrate_fleet on the migrated host vs ``ansible -m ping`` and vs as many no-op module calls
as the re-run made."""
from bench import ansible_run
from bench.window import role_run


def measure(host, report_dir, interval):
    rerun = role_run(host, ansible_run.PLAYBOOKS / "migrate_fleet.yml", interval, {"nbdb_report_dir": report_dir})
    ping = ansible_run.module(host, "ansible.builtin.ping")["seconds"]
    noop = ansible_run.noop_playbook(rerun["tasks"])
    try:
        noops = ansible_run.playbook([host], noop)["seconds"]
    finally:
        noop.unlink()
    return {"rerun": rerun, "ping_s": ping, "noop_tasks": rerun["tasks"], "noop_playbook_s": noops}
