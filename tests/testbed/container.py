"""A running Postfix container and the commands a test needs inside it."""
import json
import os
import shlex
import subprocess
import time
import uuid

from . import images

LABEL = "nbdb.testbed"


class CommandFailed(AssertionError):
    pass


class PostfixContainer:
    """One podman container from a locally built image; removed by stop() (fixtures call it)."""

    def __init__(self, distro, name=None, systemd=None, hostname="mx.example.test", run_args=()):
        self.distro = distro
        self.run_args = list(run_args)  # extra "podman run" options, e.g. a --mount
        self.image = images.image(distro)
        self.name = name or "nbdb-%s-%s" % (distro, uuid.uuid4().hex[:8])
        self.systemd = distro.endswith("systemd") if systemd is None else systemd
        self.hostname = hostname

    # --- life cycle -------------------------------------------------------------------------
    def start(self):
        argv = ["podman", "run", "-d", "--name", self.name, "--hostname", self.hostname,
                "--label", LABEL + "=1"] + self.run_args
        if self.systemd:
            argv += ["--systemd=always", "--cgroupns=private", "--cap-add", "SYS_ADMIN", self.image]
        else:
            argv += [self.image, "sleep", "infinity"]
        _run(argv)
        if self.systemd:
            self._wait_for_systemd()
        return self

    def stop(self):
        subprocess.run(["podman", "rm", "-f", "-t", "0", self.name],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    def _wait_for_systemd(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.run(["systemctl", "is-system-running"], check=False).stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(0.5)
        raise CommandFailed("%s: systemd did not come up (state %r)" % (self.name, state))

    # --- commands ---------------------------------------------------------------------------
    def run(self, argv, check=True, input=None, user=None, binary=False):
        """Run argv (a list, no shell) in the container; CompletedProcess with text (or bytes)."""
        cmd = ["podman", "exec", "-i"]
        if user:
            cmd += ["--user", user]
        return _run(cmd + [self.name] + list(argv), check=check, input=input, binary=binary)

    def sh(self, script, check=True):
        """Run a shell script written by the test itself (never untrusted input)."""
        return self.run(["sh", "-ec", script], check=check)

    def write(self, path, content, mode="0644", owner="root:root"):
        data = content if isinstance(content, bytes) else content.encode()
        # one podman exec instead of four (same steps, same order, stops at the first failure)
        self.run(["sh", "-c", 'mkdir -p "$1" && cat > "$2" && chmod "$3" "$2" && chown "$4" "$2"',
                  "sh", os.path.dirname(path), path, mode, owner], input=data)

    def read(self, path):
        return self.run(["cat", path]).stdout

    def exists(self, path):
        return self.run(["test", "-e", path], check=False).returncode == 0

    def postconf(self, *args):
        return self.run(["postconf"] + list(args)).stdout

    def postfix_version(self):
        return self.postconf("-dh", "mail_version").strip()

    def stat(self, path):
        """owner, group, octal mode, size, mtime, inode of a file in the container."""
        out = self.run(["stat", "-c", "%U %G %a %s %Y %i", path]).stdout.split()
        return {"owner": out[0], "group": out[1], "mode": "%04o" % int(out[2], 8), "size": int(out[3]),
                "mtime": int(out[4]), "inode": int(out[5])}

    def postfix_running(self):
        return self.run(["postfix", "status"], check=False).returncode == 0


def _run(argv, check=True, input=None, binary=False):
    proc = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if not binary:
        proc.stdout = proc.stdout.decode("utf-8", "replace")
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        raise CommandFailed("%s -> exit %d\nstdout: %s\nstderr: %s" % (
            " ".join(shlex.quote(a) for a in argv), proc.returncode, proc.stdout, proc.stderr))
    return proc


def remove_leftovers():
    """Remove containers of earlier, interrupted runs."""
    names = _run(["podman", "ps", "-a", "--filter", "label=" + LABEL, "--format", "{{.Names}}"],
                 check=False).stdout.split()
    if names:
        subprocess.run(["podman", "rm", "-f", "-t", "0"] + names, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)


def to_json(obj):
    return json.dumps(obj, indent=2, sort_keys=True)
