"""The printed table: measurement, this collection, reference, ratio, goal, pass/fail."""

HEADER = ("measurement", "this collection", "reference", "ratio", "goal", "result")


def row(name, this, reference, ratio=None, goal="info", passed=None):
    return {"measurement": name, "this": this, "reference": reference,
            "ratio": None if ratio is None else round(ratio, 2), "goal": goal,
            "result": "info" if passed is None else ("pass" if passed else "FAIL")}


def ratio_row(name, this_s, reference_name, reference_s, limit=None):
    ratio = this_s / reference_s if reference_s else None
    passed = None if limit is None or ratio is None else ratio <= limit
    return row(name, "%.3f s" % this_s, "%s %.3f s" % (reference_name, reference_s), ratio,
               "info" if limit is None else "<= %g x" % limit, passed)


def rows(raw):
    out = []
    bare = raw.get("bare")
    if bare and "role_restart" in raw:
        out.append(ratio_row("1 mail stopped, role (restart)", raw["role_restart"]["outage_s"],
                             "bare stop+start", bare["outage_s"], 1.2))
    if bare and "naive" in raw:
        out.append(ratio_row("1 mail stopped, naive README procedure", raw["naive"]["outage_s"],
                             "bare stop+start", bare["outage_s"]))
    if "role_reload" in raw:
        reload = raw["role_reload"]
        out.append(row("1 refused connects, role (reload)", "%d (%d slow >1 s) of %d" % (
            reload["failed_connects"], reload.get("slow_connects", 0), reload["attempts"]), "0", None, "0 refused",
            reload["failed_connects"] == 0))
    for target in ("lmdb", "cdb"):
        if target in raw.get("rebuild", {}):
            times = raw["rebuild"][target]
            out.append(ratio_row("2 table_reindex %s (build+verify)" % target, times["table_reindex_s"],
                                 "postmap loop", times["postmap_loop_s"], 1.5))
    if "rerun" in raw:
        again = raw["rerun"]
        seconds = again["rerun"]["seconds"]
        out.append(ratio_row("3 re-run on migrated host", seconds, "ansible -m ping", again["ping_s"]))
        out.append(ratio_row("3 re-run vs %d no-op tasks" % again["noop_tasks"], seconds, "ping playbook",
                             again["noop_playbook_s"], 1.5))
        stopped = again["rerun"]["master_restarted"] or again["rerun"]["failed_connects"] > 0
        out.append(row("3 re-run stops Postfix", "yes" if stopped else "no", "-", None, "never", not stopped))
    if "dry_run" in raw and "role_restart" in raw:
        out.append(ratio_row("4 dry run vs real run", raw["dry_run"]["seconds"], "migrate_fleet",
                             raw["role_restart"]["seconds"]))
    out += scale_rows(raw.get("scale"))
    out += growth_rows(raw.get("growth"))
    return out


def scale_rows(scale):
    out = []
    for run in (scale or {}).get("runs", []):
        name = "5 migrate_fleet %d host(s), forks %d%s" % (run["hosts"], scale["forks"],
                                                           ", staged" if scale.get("staged") else "")
        if run["reference_s"]:
            item = ratio_row(name, run["seconds"], "ceil(N/forks) x 1 host", run["reference_s"], 1.3)
        else:
            item = row(name, "%.3f s" % run["seconds"], "-")
        item["this"] += ", %.0f MB peak" % run["peak_rss_mb"]
        out.append(item)
    return out


MIN_NET_S = 1.0  # below this the fixed cost (Ansible, module start) drowns the per-entry cost: not judged


def growth_rows(growth):
    """Per-entry cost (fixed cost subtracted) at each size vs at the size before."""
    out, previous = [], None
    for size in (growth or {}).get("sizes", []):
        name = "6 table_reindex %d entries" % size["entries"]
        this = "%.3f s, %.2f us/entry" % (size["seconds"], size["us_per_entry"])
        if previous is None:
            out.append(row(name, this, "-"))
        else:
            ratio = size["us_per_entry"] / previous["us_per_entry"] if previous["us_per_entry"] else None
            judged = ratio is not None and min(size["net_s"], previous["net_s"]) >= MIN_NET_S
            out.append(row(name, this, "%.2f us/entry at %d" % (previous["us_per_entry"], previous["entries"]), ratio,
                           "<= 1.5 x (linear)" if judged else "info (< %g s net)" % MIN_NET_S,
                           ratio <= 1.5 if judged else None))
        previous = size
    return out


def table(result):
    lines = [tuple(HEADER)] + [(r["measurement"], r["this"], r["reference"], "-" if r["ratio"] is None else "%.2f" % r["ratio"],
                               r["goal"], r["result"]) for r in result["rows"]]
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADER))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    sizes = result["sizes"]
    head = ("Postfix %s; %d tables x %d entries (+ demo mx1 tables, aliases); scale: %s hosts x %d tables x %d entries, "
            "forks %d; growth %s; %d CPUs, load %.1f before / %.1f after; %.0f s in all"
            % (result["postfix_version"] or "-", sizes["tables"], sizes["entries"],
               ",".join(map(str, sizes["scale_hosts"])), sizes["scale_tables"], sizes["scale_entries"], sizes["forks"],
               ",".join(map(str, sizes["growth"])), result["machine_before"]["cpus"],
               result["machine_before"]["loadavg"][0], result["machine_after"]["loadavg"][0], result["wall_s"]))
    return head + "\n\n" + "\n".join(text)
