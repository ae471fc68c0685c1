"""The test bed's connection: containers.podman.podman with Ansible pipelining.

Each module task is one ``podman exec -i`` with the module on stdin, instead of five (home, mkdir, chmod, run,
rm) around a copied file: on this 2-core machine a ``podman exec`` costs 0.2-1.5 s, most of a module task.
The module code, the container and Postfix in it are the same; only the transport differs (pipelining is how
many production SSH set-ups run modules). The molecule scenarios and the bench keep the plain podman connection,
so the non-pipelined path stays tested. Enabled by tests/testbed/ansible.py:connection_env().
"""
import shlex

from ansible.module_utils.common.text.converters import to_native
from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection

DOCUMENTATION = """
name: podman_piped
short_description: containers.podman.podman with pipelining (nbdb test bed only)
description:
  - Runs modules through one C(podman exec -i) each, the module on stdin.
options:
  remote_addr:
    description: The container's name.
    default: inventory_hostname
    vars:
      - name: ansible_host
      - name: inventory_hostname
      - name: ansible_podman_host
  remote_user:
    description: The user commands run as in the container.
    vars:
      - name: ansible_user
  podman_extra_args:
    description: Extra arguments of every podman command.
    default: ''
    vars:
      - name: ansible_podman_extra_args
    env:
      - name: ANSIBLE_PODMAN_EXTRA_ARGS
  podman_executable:
    description: The podman executable (tests/testbed/bin/podman-root-session for a root session).
    default: podman
    vars:
      - name: ansible_podman_executable
    env:
      - name: ANSIBLE_PODMAN_EXECUTABLE
  pipelining:
    description: Pipelining, always on.
    default: true
    type: boolean
"""


class Connection(PodmanConnection):
    transport = "podman_piped"
    has_pipelining = True

    def _connect(self):
        # the container's file system is mounted on the first file transfer only (most tasks have none)
        self._connected = True
        return self

    def _mounted(self):
        if self._mount_point is None:
            PodmanConnection._connect(self)
        return self._mount_point

    def exec_command(self, cmd, in_data=None, sudoable=False):
        # PodmanConnection runs "podman exec" without -i: the container would never see the module on stdin
        super(PodmanConnection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        args = ["exec", "-i"] if in_data is not None else ["exec"]
        if self.user:
            args += ["--user", self.user]
        return self._podman(args, shlex.split(to_native(cmd, errors="surrogate_or_strict")), in_data)

    def put_file(self, in_path, out_path):
        self._mounted()
        return PodmanConnection.put_file(self, in_path, out_path)

    def fetch_file(self, in_path, out_path):
        self._mounted()
        return PodmanConnection.fetch_file(self, in_path, out_path)
