#!/bin/sh
# make demo: start the demo fleet (real Postfix in podman, five hosts), then do what an administrator does:
# dry run, rolling migration, and the migration again (it must change nothing). The containers are left
# running for inspection; the fleet report is in $NBDB_DEMO_REPORT (default .build/demo-report).
# A layout may have legacy.sh (run in a helper Debian sid container, with Berkeley DB, to make the .db files its
# legacy-files lists, carried onto the host with owners and modes: an OS upgrade) and after-start.sh (run once
# Postfix runs). NBDB_DEMO_INVENTORY names another inventory of the same form (default demo/inventory.yml).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
cd "$top"
report=${NBDB_DEMO_REPORT:-$top/.build/demo-report}
inventory=${NBDB_DEMO_INVENTORY:-demo/inventory.yml}
logs=$top/.build/demo-logs
rm -rf "$report" "$logs"
mkdir -p "$logs"

hosts=$(python - <<'PY'
import yaml
import os
inv = yaml.safe_load(open(os.environ.get("NBDB_DEMO_INVENTORY", "demo/inventory.yml")))
for name, v in inv["all"]["hosts"].items():
    print(name, v["demo_distro"], v["demo_layout"])
PY
)
echo "$hosts" | while read -r name distro layout; do
    image=$(python -c "from tests.testbed.images import image; print(image('$distro'))")
    podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
    podman run -d --name "$name" --hostname "$name.example.test" --label nbdb.demo=1 "$image" sleep infinity >/dev/null
    podman cp "demo/$layout/rootfs/." "$name:/"
    if [ -f "demo/$layout/legacy.sh" ]; then
        legacy_image=$(python -c "from tests.testbed.images import image; print(image('sid'))")
        podman rm -f -t 0 "$name-legacy" >/dev/null 2>&1 || true
        podman run -d --name "$name-legacy" --label nbdb.demo=1 "$legacy_image" sleep infinity >/dev/null
        podman cp "demo/$layout/rootfs/." "$name-legacy:/"
        podman exec -i "$name-legacy" sh -s <"demo/$layout/legacy.sh"
        # shellcheck disable=SC2046 # one path per line, no blanks
        podman exec "$name-legacy" tar -C / -cpf - $(sed 's|^/||' "demo/$layout/legacy-files") |
            podman exec -i "$name" tar -C / -xpf - --same-owner
        podman rm -f -t 0 "$name-legacy" >/dev/null
    fi
    podman exec -i "$name" sh -s <"demo/$layout/setup.sh"
    podman exec "$name" postfix start >/dev/null 2>&1
    if [ -f "demo/$layout/after-start.sh" ]; then
        podman exec -i "$name" sh -s <"demo/$layout/after-start.sh"
    fi
    echo "demo: started $name ($(podman exec "$name" postconf -dh mail_version), layout $layout)"
done

export ANSIBLE_NOCOLOR=1 ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
step() {  # step NAME PLAYBOOK [ARGS...]: run a playbook, keep its log, print its recap
    name=$1 playbook=$2
    shift 2
    echo
    echo "demo: $name (log: $logs/$name.log)"
    if ansible-playbook -i "$inventory" "mailops.nbdb.$playbook" -e "nbdb_report_dir=$report" "$@" \
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

if echo "$hosts" | grep -q '^nbdb-demo-lists1 '; then
    echo "demo: Mailman on lists1 adds a list after the migration (its plain 'postmap FILE' now builds lmdb):"
    podman exec -u list nbdb-demo-lists1 /usr/local/sbin/mailman-regenerate-maps demo@lists.example.org >/dev/null
    echo "  postmap -q demo@lists.example.org lmdb:/var/lib/mailman3/data/postfix_lmtp -> $(podman exec nbdb-demo-lists1 \
        postmap -q demo@lists.example.org lmdb:/var/lib/mailman3/data/postfix_lmtp)"
fi

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
for row in report["hosts"]:
    r = row.get("rescue") or {}
    if r.get("table_errors_before"):
        print("demo: rescued on %s: %d deferred for table errors before the migration; %d sent again, %d delivered,"
              " %d still deferred" % (row["host"], r["table_errors_before"], r["requeued"], r["delivered"],
                                      r["still_deferred"]))
PY
[ "$changed" -eq 0 ]

names=$(echo "$hosts" | cut -d' ' -f1 | tr '\n' ' ')
echo
echo "demo: the containers are still running for inspection: podman exec -it <name> bash"
echo "demo: remove them with: podman rm -f $names"
