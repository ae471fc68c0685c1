# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What decides where a probe message to root goes, asked of Postfix itself (postconf, postmap -q).

The decision is ``_planning.verdict.probe_route``; this only gathers its facts. Lookups go through the
tables' own types, so a lookup that fails (a table Postfix cannot open) is recorded as such, not guessed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import values
from ansible_collections.mailops.nbdb.plugins.module_utils._planning.verdict import LEGACY_NOTICE_RE, alias_targets

PARAMS = ("myorigin", "mydestination", "alias_maps", "virtual_alias_maps", "canonical_maps", "recipient_canonical_maps",
          "transport_maps", "recipient_bcc_maps", "sender_bcc_maps", "always_bcc", "local_transport",
          "mailbox_transport", "fallback_transport", "content_filter")
MAX_ALIAS_DEPTH = 8


def _read_name_file(path):
    """Words of a file named in myorigin/mydestination (/etc/mailname); not followed through a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return []
    with os.fdopen(fd, "rb") as handle:
        text = handle.read(65536).decode("utf-8", "replace")
    return [word for line in text.splitlines() if not line.strip().startswith("#") for word in line.replace(",", " ").split()]


def _maps(value):
    try:
        return [token for token in values.split_list(value) if ":" in token]
    except values.ValueSyntaxError:
        return []


def _lookup(postfix, config_dir, maps, key):
    """First answer of the maps for key, None when none has it, "ERROR: …" when one cannot be read."""
    for spec in maps:
        rc, out, err = postfix.run("postmap", ["-q", key, spec], config_dir, check=False)
        if rc == 0:
            return out.rstrip("\n")
        problems = [line for line in err.splitlines() if line.strip() and not LEGACY_NOTICE_RE.search(line)]
        if rc != 1 or problems:
            return "ERROR: %s" % (problems[-1] if problems else "postmap -q exit %d" % rc)
    return None


def gather(postfix, config_dir, recipient=None):
    """The facts for verdict.probe_route."""
    if recipient:
        return {"recipient": recipient}
    lines = postfix.postconf(config_dir, "-xh", *PARAMS).splitlines()
    params = dict(zip(PARAMS, lines + [""] * (len(PARAMS) - len(lines))))
    myorigin = params["myorigin"].strip()
    if myorigin.startswith("/"):
        myorigin = (_read_name_file(myorigin) or [""])[0]
    mydestination, tables = [], []
    for entry in values.split_list(params["mydestination"]) if params["mydestination"].strip() else []:
        if entry.startswith("/"):
            mydestination += _read_name_file(entry)
        elif ":" in entry:
            tables.append(entry)
        else:
            mydestination.append(entry)
    if tables and myorigin.lower() not in (name.lower() for name in mydestination):
        answer = _lookup(postfix, config_dir, tables, myorigin)
        if answer is not None and not answer.startswith("ERROR:"):
            mydestination.append(myorigin)
    address = "root@" + myorigin
    lookups = {}
    for parameter, keys in (("virtual_alias_maps", (address, "root", "@" + myorigin)),
                            ("canonical_maps", (address, "root", "@" + myorigin)),
                            ("recipient_canonical_maps", (address, "root", "@" + myorigin)),
                            ("recipient_bcc_maps", (address, "@" + myorigin)),
                            ("sender_bcc_maps", (address, "@" + myorigin)),
                            ("transport_maps", (address, myorigin))):
        maps = _maps(params[parameter])
        for key in keys if maps else ():
            lookups[(parameter, key)] = _lookup(postfix, config_dir, maps, key)
    aliases, pending, alias_maps = {}, ["root"], _maps(params["alias_maps"])
    for _depth in range(MAX_ALIAS_DEPTH):
        next_names = []
        for name in pending:
            if name in aliases:
                continue
            aliases[name] = _lookup(postfix, config_dir, alias_maps, name) if alias_maps else None
            value = aliases[name]
            if value and not value.startswith("ERROR:"):
                next_names += [target.split("@")[0].lower().lstrip("\\") for target in alias_targets(value)
                               if not target.startswith(("|", "/", ":include:"))]
        pending = next_names
    pickup = [line.split(" = ", 1)[1] for line in postfix.postconf(config_dir, "-Px").splitlines()
              if line.startswith("pickup/unix/content_filter = ")]
    params["pickup_content_filter"] = pickup[0] if pickup else ""
    services = {}
    for line in postfix.postconf(config_dir, "-M").splitlines():
        fields = line.split()
        if len(fields) >= 8:
            services.setdefault(fields[0], fields[7])
    return {"recipient": None, "myorigin": myorigin, "mydestination": mydestination, "lookups": lookups,
            "aliases": aliases, "forward": _read_forward(), "params": params, "services": services}


def _read_forward():
    """root's .forward, which local(8) follows before its mailbox (read without following a symlink)."""
    try:
        fd = os.open("/root/.forward", os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read(65536).decode("utf-8", "replace")
