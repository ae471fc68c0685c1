# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One digest of what a migration may change on a host: configuration files, table files, running masters.

Two equal fingerprints taken around a dry run prove it changed nothing: any rewrite (even of identical content)
moves an mtime, any rebuilt or new table file shows, and a restart changes the master PID. Daemon-maintained
caches are left out: Postfix itself updates them all the time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.tables import SUFFIXES


def _file_state(path):
    try:
        info = os.lstat(path)
    except OSError:
        return [path, None]
    return [path, info.st_size, info.st_mtime_ns, info.st_mode, info.st_uid, info.st_gid]


def _master_pid(queue_directory):
    path = os.path.join(queue_directory, "pid", "master.pid")
    try:
        with open(path, "rb") as handle:
            return [path, handle.read().strip().decode("ascii", "replace")]
    except OSError:
        return [path, None]


def host_fingerprint(instances, tables):
    """sha256 over the state of every instance's main.cf, master.cf and master PID and every non-cache table's files."""
    entries = []
    for instance in instances:
        entries += [_file_state(instance["main_cf"]), _file_state(instance["master_cf"])]
        if instance.get("queue_directory"):
            entries.append(_master_pid(instance["queue_directory"]))
    for table in tables:
        if table["role"] != "cache":
            entries += [_file_state(table["path"] + suffix) for suffix in SUFFIXES.values()]
    entries.sort(key=lambda entry: entry[0])
    return hashlib.sha256(json.dumps(entries).encode("utf-8")).hexdigest()
