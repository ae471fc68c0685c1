"""2. Rebuild + verify: table_reindex (build, key-by-key lookup through Postfix, rename) on the benchmark tables vs a
plain loop of ``postmap TYPE:`` over the same sources."""
import time

from bench import ansible_run, host as hosts


def raw_loop(host, paths, target):
    started = time.monotonic()
    host.sh("for t in %s; do postmap %s:$t 2>/dev/null; done" % (" ".join(paths), target))
    return round(time.monotonic() - started, 3)


def table_reindex(host, paths, target):
    run = ansible_run.module(host, "mailops.nbdb.table_reindex", {
        "tables": ["hash:" + path for path in paths], "target_type": target, "force": True})
    built = [table for table in run["result"]["tables"] if table["changed"]]
    if len(built) != len(paths):
        raise RuntimeError("table_reindex built %d of %d tables" % (len(built), len(paths)))
    return run["seconds"]


def measure(host, tables, targets):
    """Per target type: seconds of table_reindex, of the raw loop, and of an ad hoc no-op (Ansible's own cost)."""
    paths = hosts.table_paths(tables)
    results = {"noop_module_s": ansible_run.module(host, "ansible.builtin.ping")["seconds"]}
    for target in targets:
        results[target] = {"table_reindex_s": table_reindex(host, paths, target), "postmap_loop_s": raw_loop(host, paths, target)}
    host.sh("rm -f %s/*.lmdb %s/*.cdb" % (hosts.TABLE_DIR, hosts.TABLE_DIR))
    return results
