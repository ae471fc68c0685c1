"""Run the collection's modules and playbooks with real Ansible over the podman connection."""
import json
import os
import subprocess

# The connection every test-bed run uses: tests/testbed/connection_plugins/podman_piped.py (podman + pipelining).
CONNECTION = "podman_piped"
PLAIN_CONNECTION = "containers.podman.podman"  # test_faults: its wrappers tell the module by its AnsiballZ file name
CONNECTION_PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "connection_plugins")


class ModuleResult(dict):
    """The result dict of one module run, plus the command's stderr for failure messages."""

    @property
    def failed(self):
        return bool(self.get("failed"))


def connection_env():
    """Environment that makes CONNECTION available to ansible and ansible-playbook."""
    return {"ANSIBLE_CONNECTION_PLUGINS": CONNECTION_PLUGINS, "ANSIBLE_PIPELINING": "True"}


def _env(extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        "ANSIBLE_NOCOLOR": "1",
    })
    env.update(connection_env())
    env.update(extra or {})
    return env


ROOT_SESSION = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "podman-root-session")


def run_module(container, module, args=None, check=False, diff=False, timeout=600, root_session=False):
    """Run one module ad hoc against the container; return its result dict. root_session: with every capability,
    as root over SSH on a real host (bin/podman-root-session), not podman exec's reduced set."""
    argv = ["ansible", "all", "-i", container.name + ",", "-c", CONNECTION,
            "-m", module] + (["-e", "ansible_podman_executable=" + ROOT_SESSION] if root_session else [])
    if args:
        argv += ["-a", json.dumps(args)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    proc = subprocess.run(argv, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, check=False)
    try:
        doc = json.loads(proc.stdout)
        result = doc["plays"][0]["tasks"][0]["hosts"][container.name]
    except (ValueError, KeyError, IndexError):
        raise AssertionError("ansible gave no result (exit %d)\nstdout: %s\nstderr: %s" % (
            proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")))
    out = ModuleResult(result)
    out.stderr = proc.stderr.decode(errors="replace")
    return out


def run_playbook(containers, playbook, extra_vars=None, check=False, timeout=1200, verbosity=0, connection=CONNECTION):
    """Run a playbook against the containers; returns (exit code, combined output). verbosity: -v count."""
    inventory = ",".join(c.name for c in containers) + ","
    argv = ["ansible-playbook", "-i", inventory, "-c", connection, str(playbook)]
    if verbosity:
        argv.append("-" + "v" * verbosity)
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    if check:
        argv += ["--check", "--diff"]
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER="auto_silent", **connection_env(),
               ANSIBLE_CALLBACK_RESULT_FORMAT="yaml")
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, check=False)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")
