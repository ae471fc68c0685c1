"""Test bed: real Postfix in podman containers, driven by real Ansible (see README)."""
