#!/bin/sh
# make demo: start the demo fleet (real Postfix in podman), lay down each host's configuration,
# and run the collection against it. Containers are left running for inspection.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
cd "$top"

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
    podman run -d --name "$name" --hostname "$name.example.test" --label nbdb.demo=1 "$image" >/dev/null
    podman cp "demo/$layout/rootfs/." "$name:/"
    podman exec -i "$name" sh -s <"demo/$layout/setup.sh"
    podman exec "$name" postfix start >/dev/null 2>&1
    echo "demo: started $name ($image, $layout)"
done

export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_NOCOLOR=1
echo "demo: dry run of the discovery (check mode) on the demo fleet"
ansible-playbook -i demo/inventory.yml playbooks/discover.yml --check

names=$(echo "$hosts" | cut -d' ' -f1 | tr '\n' ' ')
echo
echo "demo: the containers are still running for inspection: podman exec -it <name> bash"
echo "demo: remove them with: podman rm -f $names"
