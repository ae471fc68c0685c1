"""6. Growth: table_reindex (lmdb, forced) on one table of 10 k, 100 k, 1 M entries; the per-entry cost at each size.
A one-entry table gives the fixed cost (Ansible, module start), which is subtracted for the per-entry figure."""
from bench import host as hosts
from bench.rebuild import table_reindex

GROWTH_DIR = "/etc/postfix/growth"


def measure(host, sizes):
    results = []
    for entries in [1] + sorted(sizes):
        path = "%s/g%d" % (GROWTH_DIR, entries)
        hosts.write_table(host, path, entries)
        host.sh("postmap hash:%s 2>/dev/null" % path)
        results.append({"entries": entries, "seconds": table_reindex(host, [path], "lmdb")})
        host.sh("rm -f %s.*" % path)
    fixed = results[0]["seconds"]
    for result in results[1:]:
        result["net_s"] = round(max(result["seconds"] - fixed, 0.0), 3)
        result["us_per_entry"] = round(result["net_s"] / result["entries"] * 1e6, 2)
    host.sh("rm -rf %s" % GROWTH_DIR)
    return {"fixed_s": fixed, "sizes": results[1:]}
