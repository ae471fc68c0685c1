#!/bin/sh
# make demo: start the demo fleet (real Postfix in podman, four hosts), then do what an administrator does:
# dry run, rolling migration, and the migration again (it must change nothing). The containers are left
# running for inspection; the fleet report is in $NBDB_DEMO_REPORT (default .build/demo-report).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
cd "$top"
report=${NBDB_DEMO_REPORT:-$top/.build/demo-report}
logs=$top/.build/demo-logs
rm -rf "$report" "$logs"
mkdir -p "$logs"

hosts=$(python - <<'PY'
import yaml
inv = yaml.safe_load(open("demo/inventory.yml"))
for name, v in inv["all"]["hosts"].items():
    print(name, v["demo_distro"], v["demo_layout"])
PY
)
echo "$hosts" | while read -r name distro layout; do
    image=$(python -c "from tests.testbed.images import image; print(image('$distro'))")
    podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
    podman run -d --name "$name" --hostname "$name.example.test" --label nbdb.demo=1 "$image" sleep infinity >/dev/null
    podman cp "demo/$layout/rootfs/." "$name:/"
    podman exec -i "$name" sh -s <"demo/$layout/setup.sh"
    podman exec "$name" postfix start >/dev/null 2>&1
    echo "demo: started $name ($(podman exec "$name" postconf -dh mail_version), layout $layout)"
done

export ANSIBLE_NOCOLOR=1 ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
step() {  # step NAME PLAYBOOK [ARGS...]: run a playbook, keep its log, print its recap
    name=$1 playbook=$2
    shift 2
    echo
    echo "demo: $name (log: $logs/$name.log)"
    if ansible-playbook -i demo/inventory.yml "mailops.nbdb.$playbook" -e "nbdb_report_dir=$report" "$@" \
        >"$logs/$name.log" 2>&1; then rc=0; else rc=$?; fi
    sed -n '/^PLAY RECAP/,$p' "$logs/$name.log" | grep -E '^[a-z0-9-]+ +:' || true
    if [ "$rc" -ne 0 ]; then
        echo "demo: $name failed (exit $rc); the report says why: $report/fleet-report.md" >&2
        exit "$rc"
    fi
}
step 1-dry-run dry_run
step 2-migrate migrate_fleet
step 3-migrate-again migrate_fleet

changed=$(sed -n '/^PLAY RECAP/,$p' "$logs/3-migrate-again.log" | grep -E '^nbdb-demo' | grep -cv 'changed=0' || true)
echo
echo "demo: hosts changed by the second migration run: $changed (expected 0)"

echo "demo: Mailman on lists1 adds a list after the migration (its plain 'postmap FILE' now builds lmdb):"
podman exec -u list nbdb-demo-lists1 /usr/local/sbin/mailman-regenerate-maps demo@lists.example.org >/dev/null
echo "  postmap -q demo@lists.example.org lmdb:/var/lib/mailman3/data/postfix_lmtp -> $(podman exec nbdb-demo-lists1 \
    postmap -q demo@lists.example.org lmdb:/var/lib/mailman3/data/postfix_lmtp)"

echo
python - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1] + "/fleet-report.json"))
t = report["totals"]
print("demo: fleet report %s/fleet-report.html (also .md, .json)" % sys.argv[1])
print("demo: %d hosts, %d free of hash/btree; %d tables and %d references migrated; downtime max %.2f s" % (
    t["hosts"], t["legacy_free"], t["tables_migrated"], t["references_rewritten"], t["downtime_seconds_max"]))
print("  %-18s %-10s %-21s %-8s %-7s %-5s %-9s %s" % ("host", "state", "migrated at", "postfix", "tables", "refs",
                                                     "downtime", "dry run vs result"))
for row in report["hosts"]:
    p = row["prediction"]
    print("  %-18s %-10s %-21s %-8s %-7d %-5d %-9.2f %s" % (row["host"], row["state"], row["migrated_at"] or "-",
          row["postfix_version"],
          row["tables_migrated"], row["references_rewritten"], row["downtime_seconds"],
          "-" if not p else "as predicted" if p["matched"] else "DIFFERS"))
PY
[ "$changed" -eq 0 ]

names=$(echo "$hosts" | cut -d' ' -f1 | tr '\n' ' ')
echo
echo "demo: the containers are still running for inspection: podman exec -it <name> bash"
echo "demo: remove them with: podman rm -f $names"
