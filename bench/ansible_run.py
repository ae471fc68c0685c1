"""Timed ansible / ansible-playbook runs over the podman connection, with the controller's peak memory."""
import json
import os
import pathlib
import subprocess
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
PLAYBOOKS = ROOT / "playbooks"
ROLE_PLAYBOOK = ROOT / "tests" / "integration" / "playbooks" / "migrate.yml"


class Run(dict):
    """seconds, rc, peak_rss_mb, output (not stored in results), result (module result for ad hoc runs)."""


def _env(forks):
    return dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER="auto_silent", ANSIBLE_FORKS=str(forks),
                ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_RETRY_FILES_ENABLED="False")


def _tree_rss(pid):
    """Resident memory (bytes) of pid and all its descendants, from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = (int(fields[1]), int(fields[21]))  # ppid, rss pages
            except (OSError, IndexError, ValueError):
                continue
    tree, todo = set(), [pid]
    while todo:
        current = todo.pop()
        tree.add(current)
        todo += [child for child, (ppid, dummy) in parents.items() if ppid == current and child not in tree]
    return sum(parents[p][1] for p in tree if p in parents) * os.sysconf("SC_PAGE_SIZE")


def timed(argv, env, timeout=3600, sample_memory=False):
    peak = [0]
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    done = threading.Event()

    def sampler():
        while not done.wait(0.25):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    thread = threading.Thread(target=sampler, daemon=True)
    if sample_memory:
        thread.start()
    out = proc.communicate(timeout=timeout)[0]
    seconds = time.monotonic() - started
    done.set()
    return Run(seconds=round(seconds, 3), rc=proc.returncode, peak_rss_mb=round(peak[0] / 2.0 ** 20, 1),
               output=out.decode("utf-8", "replace"))


def playbook(hosts, path, extra_vars=None, check=False, forks=10, sample_memory=False):
    inventory = ",".join(host.name for host in hosts) + ","
    argv = ["ansible-playbook", "-i", inventory, "-c", "containers.podman.podman", str(path)]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    if check:
        argv += ["--check"]
    run = timed(argv, _env(forks), sample_memory=sample_memory)
    if run["rc"] != 0:
        raise RuntimeError("%s failed (rc %d):\n%s" % (path.name, run["rc"], run["output"][-4000:]))
    return run


def module(host, name, args=None, check=False):
    """One ad hoc module run, timed; the result dict in run['result']."""
    argv = ["ansible", "all", "-i", host.name + ",", "-c", "containers.podman.podman", "-m", name]
    if args:
        argv += ["-a", json.dumps(args)]
    if check:
        argv.append("--check")
    env = dict(_env(1), ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    run = timed(argv, env)
    try:
        run["result"] = json.loads(run["output"])["plays"][0]["tasks"][0]["hosts"][host.name]
    except (ValueError, KeyError, IndexError):
        raise RuntimeError("%s gave no result (rc %d):\n%s" % (name, run["rc"], run["output"][-4000:]))
    if run["result"].get("failed"):
        raise RuntimeError("%s failed: %s" % (name, run["result"].get("msg")))
    return run


def task_count(output):
    """Number of task results ("ok:", "changed:") for hosts in a default-callback playbook output."""
    return sum(1 for line in output.splitlines() if line.startswith(("ok: [", "changed: [")))


def noop_playbook(count):
    """A playbook of `count` ansible.builtin.ping tasks (the cost of that many no-op module calls)."""
    tasks = "".join("    - name: Ping %d\n      ansible.builtin.ping:\n" % n for n in range(count))
    handle = tempfile.NamedTemporaryFile("w", prefix="nbdb-bench-noop-", suffix=".yml", delete=False)
    with handle:
        handle.write("- name: No-op module calls\n  hosts: all\n  gather_facts: false\n  tasks:\n" + tasks)
    return pathlib.Path(handle.name)
