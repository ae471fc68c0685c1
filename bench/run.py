"""``python -m bench``: run the measurements, print the table of ratios, write bench/results/<timestamp>.json."""
import argparse
import datetime
import json
import os
import pathlib
import tempfile
import time

from bench import ansible_run, growth, host as hosts, rebuild, rerun, report, scale, window

MEASUREMENTS = ["window", "rebuild", "rerun", "dryrun", "scale", "growth"]
RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def sizes(text):
    return [int(float(item)) for item in text.split(",") if item]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Benchmark of mailops.nbdb on real Postfix 3.11 containers. "
        "Defaults take about 15 minutes on a loaded 2-core VM; the full size of issue 10: --tables 20 --entries 100000 "
        "--scale-hosts 1,10,30 --growth 10000,100000,1000000.")
    parser.add_argument("--only", default=",".join(MEASUREMENTS),
                        help="comma-separated measurements (default all: %(default)s)")
    parser.add_argument("--tables", type=int, default=10, help="hash: tables on the benchmark host (default 10; full 20)")
    parser.add_argument("--entries", type=int, default=10000, help="entries per table (default 10000; full 100000)")
    parser.add_argument("--rebuild-types", default="lmdb,cdb", help="target types for 2. (default lmdb,cdb)")
    parser.add_argument("--bare-repeat", type=int, default=3, help="bare stop/start runs, median taken (default 3)")
    parser.add_argument("--probe-interval", type=float, default=0.005, help="s between SMTP connects (default 0.005)")
    parser.add_argument("--scale-hosts", default="1,2", help="fleet sizes for 5. (default 1,2; full 1,10,30)")
    parser.add_argument("--scale-tables", type=int, default=2, help="tables per scale host (default 2)")
    parser.add_argument("--scale-entries", type=int, default=1000, help="entries per scale table (default 1000)")
    parser.add_argument("--forks", type=int, default=10, help="Ansible forks for 5. (default 10)")
    parser.add_argument("--scale-staged", action="store_true",
                        help="5. with migrate_fleet's canary and 10%%/50%%/100%% batches (default: one batch)")
    parser.add_argument("--growth", default="10000,100000,300000", help="table sizes for 6. (default "
                        "10000,100000,300000; full 10000,100000,1000000)")
    parser.add_argument("--results", default=str(RESULTS), help="results folder (default bench/results)")
    args = parser.parse_args(argv)
    args.only = [name for name in args.only.split(",") if name]
    unknown = set(args.only) - set(MEASUREMENTS)
    if unknown:
        parser.error("unknown measurement(s): %s" % ", ".join(sorted(unknown)))
    return args


def machine():
    return {"cpus": os.cpu_count(), "loadavg": os.getloadavg(),
            "mem_total_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2.0 ** 30, 1)}


def on_main_host(args, raw, report_dir):
    """Measurements 1-4 and 6 on one host with --tables x --entries (restored to legacy between runs)."""
    wanted = set(args.only)
    host = hosts.start("main", args.tables, args.entries)
    try:
        raw["postfix_version"] = hosts.postfix_version(host)
        hosts.snapshot(host)
        if "rebuild" in wanted:
            raw["rebuild"] = rebuild.measure(host, args.tables, args.rebuild_types.split(","))
            hosts.restore(host)
        if "window" in wanted:
            raw["bare"] = window.bare_restart(host, args.bare_repeat, args.probe_interval)
            raw["naive"] = window.naive(host, args.tables, args.probe_interval)
        fleet, dry = ansible_run.PLAYBOOKS / "migrate_fleet.yml", ansible_run.PLAYBOOKS / "dry_run.yml"
        if "dryrun" in wanted:
            raw["dry_run"] = window.role_run(host, dry, args.probe_interval, {"nbdb_report_dir": report_dir}, probed=False)
        if wanted & {"window", "dryrun", "rerun"}:
            raw["role_restart"] = window.role_run(host, fleet, args.probe_interval, {"nbdb_report_dir": report_dir})
        if "rerun" in wanted:
            raw["rerun"] = rerun.measure(host, report_dir, args.probe_interval)
        if "window" in wanted:
            hosts.restore(host)
            raw["role_reload"] = window.role_run(host, fleet, args.probe_interval,
                                                 {"nbdb_report_dir": report_dir, "migrate_switch_mode": "reload"})
        if "growth" in wanted:
            raw["growth"] = growth.measure(host, sizes(args.growth))
    finally:
        host.stop()


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    raw = {}
    result = {"started_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "machine_before": machine(), "argv": vars(args)}
    with tempfile.TemporaryDirectory(prefix="nbdb-bench-report-") as report_dir:
        if set(args.only) - {"scale"}:
            on_main_host(args, raw, report_dir)
        if "scale" in args.only:
            raw["scale"] = scale.measure(sizes(args.scale_hosts), args.scale_tables, args.scale_entries, args.forks,
                                         args.scale_staged)
    result.update(machine_after=machine(), wall_s=round(time.time() - started, 1), raw=raw,
                  postfix_version=raw.get("postfix_version"),
                  sizes={"tables": args.tables, "entries": args.entries, "scale_hosts": sizes(args.scale_hosts),
                         "scale_tables": args.scale_tables, "scale_entries": args.scale_entries, "forks": args.forks,
                         "growth": sizes(args.growth)})
    result["rows"] = report.rows(raw)
    print(report.table(result))
    path = write(result, pathlib.Path(args.results))
    print("\nresults: %s" % path)


def write(result, folder):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("%s.json" % result["started_at"].replace(":", ""))
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    path.write_text(text)
    (folder / "latest.json").write_text(text)
    return path
