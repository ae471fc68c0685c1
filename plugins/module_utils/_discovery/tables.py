# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Group references into tables and classify each: role, files on disk, target type."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import os
import pwd
import stat

ALIAS_PARAMETERS = ("alias_maps", "alias_database")
# Daemon-maintained tables: no source file; recreated empty under the new type.
CACHE_PARAMETERS = (
    "address_verify_map", "postscreen_cache_map",
    "smtp_tls_session_cache_database", "smtpd_tls_session_cache_database",
    "lmtp_tls_session_cache_database", "smtp_sasl_auth_cache_name", "lmtp_sasl_auth_cache_name",
)
# Tables postmap must build with -F (postmap(1): "process each value as a list of filenames, concatenate the content of
# those files, and store the base64-encoded result"). Nothing in main.cf records the flag; Postfix documents it for
# tls_server_sni_maps (postconf(5): "created with postmap -F"), whose values smtpd base64-decodes into key and chain.
FILE_VALUE_PARAMETERS = ("tls_server_sni_maps",)
SUFFIXES = {"source": "", "db": ".db", "lmdb": ".lmdb", "cdb": ".cdb"}


def file_facts(path):
    """owner, group, mode, size, mtime of a file, or None when it does not exist."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return {
        "path": path,
        "owner": _name(pwd.getpwuid, info.st_uid),
        "group": _name(grp.getgrgid, info.st_gid),
        "uid": info.st_uid,
        "gid": info.st_gid,
        "mode": "%04o" % stat.S_IMODE(info.st_mode),
        "size": info.st_size,
        "mtime": int(info.st_mtime),
    }


def free_bytes(path):
    """Bytes available to root in the file system of path's directory, or None."""
    try:
        info = os.statvfs(os.path.dirname(path) or "/")
    except OSError:
        return None
    return info.f_bavail * info.f_frsize


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def table_files(path, facts=file_facts):
    """{"source": facts|None, "db": ..., "lmdb": ..., "cdb": ...} for a table path."""
    return {kind: facts(path + suffix) for kind, suffix in SUFFIXES.items()}


def role(parameters, files):
    """Role of a table from the parameters that use it and the files that exist."""
    if parameters and all(name in CACHE_PARAMETERS for name in parameters):
        return "cache"
    if files["source"] is None and files["db"] is not None:
        return "orphan"
    if any(name in ALIAS_PARAMETERS for name in parameters):
        return "alias"
    return "map"


def target_type(map_type, database_type, cache_db_type):
    """hash: becomes the table type, btree: the cache type (what Postfix's redirection does)."""
    return cache_db_type if map_type == "btree" else database_type


def group_tables(instance_name, references, database_type, cache_db_type, facts=file_facts):
    """One entry per (instance, type, path), listing the parameters that use it."""
    tables = {}
    for ref in references:
        key = (ref["type"], ref["path"])
        table = tables.get(key)
        if table is None:
            table = tables[key] = {
                "instance": instance_name,
                "config_dir": ref["config_dir"],
                "name": "%s:%s" % (ref["type"], ref["path"]),
                "type": ref["type"],
                "path": ref["path"],
                "used_by": [],
                "relative_path": not ref["path"].startswith("/"),
            }
        user = ref["used_by"]["parameter"]
        if ref["used_by"]["service"]:
            user = "%s/%s" % (ref["used_by"]["service"], user)
        if user not in table["used_by"]:
            table["used_by"].append(user)
    result = []
    for (map_type, path), table in sorted(tables.items(), key=lambda item: item[0][1]):
        parameters = [user.rsplit("/", 1)[-1] for user in table["used_by"]]
        files = table_files(path, facts) if path.startswith("/") else {kind: None for kind in SUFFIXES}
        table["files"] = files
        table["free_bytes"] = free_bytes(path) if path.startswith("/") else None
        table["role"] = role(parameters, files)
        table["alias_format"] = any(name in ALIAS_PARAMETERS for name in parameters)
        table["tool"] = None if table["role"] == "cache" else (
            "postalias" if table["alias_format"] else "postmap")
        table["flags"] = ["-F"] if table["tool"] == "postmap" and set(parameters) & set(FILE_VALUE_PARAMETERS) else []
        table["target"] = "%s:%s" % (target_type(map_type, database_type, cache_db_type), path)
        result.append(table)
    return result
