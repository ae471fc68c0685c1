# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Discover one host: Postfix version, map types, instances, legacy references and tables."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import PostfixCommandError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb_state, config_files, fingerprint, references, tables
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.values import LEGACY_TYPES
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.values import tables as tables_of
# Parameters whose tables hold secrets (values are masked in diffs, files never world-readable): _masking's list.
from ansible_collections.mailops.nbdb.plugins.module_utils._masking import SENSITIVE_PARAMETERS


DEFAULT_CONFIG_DIR = "/etc/postfix"
PROC = "/proc"  # where running masters are looked for (running_config_dirs)
LEVELS = ("disable", "enable-redirect", "enable-reindex")


class DiscoveryError(NbdbError):
    """Discovery cannot go on; str() names the file or instance."""


def version_tuple(version):
    parts = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def has_levels(version):
    return version_tuple(version) >= (3, 11)


def config_dir_or_default(postfix, config_dir=None):
    """config_dir, else the default instance's (postconf's config_directory)."""
    return config_dir or postfix.postconf(None, "-h", "config_directory").strip() or DEFAULT_CONFIG_DIR


def master_config_dir(cmdline, environ):
    """The config directory a Postfix master runs with: -c DIR on its command line, else MAIL_CONFIG of the
    environment it started with (``postfix -c DIR start`` exports it), else None (the default).
    cmdline, environ: the NUL-separated bytes of /proc/PID/cmdline and /proc/PID/environ."""
    args = cmdline.split(b"\0")
    for index, arg in enumerate(args[1:-1], 1):
        if arg == b"-c" and args[index + 1]:
            return os.path.normpath(args[index + 1].decode("utf-8", "surrogateescape"))
    for item in environ.split(b"\0"):
        if item.startswith(b"MAIL_CONFIG=") and len(item) > len(b"MAIL_CONFIG="):
            return os.path.normpath(item[len(b"MAIL_CONFIG="):].decode("utf-8", "surrogateescape"))
    return None


UNREADABLE = "(unreadable)"  # running_masters: a master this run may not look into


def running_masters(master_path, proc=None):
    """{pid: config directory} of the Postfix masters running here: processes of root, in this host's mount namespace
    (a container's master is not this host's), whose program is master_path() (asked only when there is a
    candidate); None for those on the default; UNREADABLE for a master this run may not look into (without
    CAP_SYS_PTRACE, as under podman exec, /proc/PID/exe and environ are closed even to root)."""
    proc = proc or PROC
    masters, master = {}, None
    try:
        pids = [name for name in os.listdir(proc) if name.isdigit()]
        namespace = os.readlink(os.path.join(proc, "self", "ns", "mnt"))
    except OSError:
        return masters
    for pid in pids:
        base = os.path.join(proc, pid)
        try:
            if os.stat(base).st_uid != 0:
                continue
            with open(base + "/cmdline", "rb") as handle:  # readable by everyone, unlike exe and environ
                cmdline = handle.read()
            if os.path.basename(cmdline.split(b"\0")[0]) != b"master":
                continue
            if os.readlink(base + "/ns/mnt") != namespace:
                continue
            program = os.readlink(base + "/exe").split(" (deleted)")[0]
            if program != (master or master_path()):
                continue
            master = program
            with open(base + "/environ", "rb") as environ:
                masters[int(pid)] = master_config_dir(cmdline, environ.read())
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                masters[int(pid)] = UNREADABLE
            # else: gone
    return masters


def running_config_dirs(master_path, proc=None):
    """Config directories of the Postfix masters running here that this run can read (running_masters)."""
    return set(directory for directory in running_masters(master_path, proc).values() if directory != UNREADABLE)


def master_pid(postfix, config_dir):
    """PID in the instance's queue_directory/pid/master.pid, None without one."""
    try:
        with open(os.path.join(postfix.postconf(config_dir, "-xh", "queue_directory").strip(), "pid", "master.pid")) as pid:
            return int(pid.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def unknown_master_warnings(postfix, masters, instances):
    """Warnings for the masters whose config directory this run could not read and that no known instance's
    master.pid names: started with postfix -c outside postmulti, such an instance would be left out."""
    unreadable = sorted(pid for pid, directory in masters.items() if directory == UNREADABLE)
    if not unreadable:
        return []
    known = set(master_pid(postfix, item["config_dir"]) for item in instances)
    return ["a Postfix master runs as PID %d whose configuration directory this run cannot read (/proc/%d/environ: "
            "permission denied, no CAP_SYS_PTRACE): if it was started with postfix -c outside postmulti, its instance "
            "is not found and not migrated; run as root with every capability (not in a restricted container exec), "
            "or migrate that directory with config_dir" % (pid, pid) for pid in unreadable if pid not in known]


def list_instances(postfix, config_dir=None, warnings=None):
    """[{"name", "group", "enabled", "config_dir", "separate"}]: the default instance, postmulti's, and those that
    run here started with postfix -c outside postmulti (separate: their own stop/start, name = config_dir).
    warnings (a list): gets what unknown_master_warnings says."""
    if config_dir:
        return [{"name": None, "group": None, "enabled": None, "config_dir": config_dir.rstrip("/") or "/",
                 "separate": False}]
    default_dir = config_dir_or_default(postfix)
    found = []
    directories = postfix.postconf(None, "-hx", "multi_instance_directories").split()
    if directories:
        for directory in directories:
            if not os.path.isdir(directory):
                raise DiscoveryError("postmulti instance directory %s (multi_instance_directories in %s/main.cf)"
                                     " does not exist" % (directory, default_dir))
        found = parse_postmulti(postfix.run("postmulti", ["-l"], what="listing postmulti instances")[1])
    if not any(item["config_dir"] == default_dir for item in found):
        found.insert(0, {"name": "-", "group": "-", "enabled": True, "config_dir": default_dir})
    for item in found:
        if item["name"] == "-":
            item["name"] = "default"
        if item["group"] == "-":
            item["group"] = None
        item["separate"] = False

    def master_path():
        return os.path.realpath(os.path.join(postfix.postconf(None, "-xh", "daemon_directory").strip(), "master"))
    known = set(os.path.realpath(item["config_dir"]) for item in found)
    masters = running_masters(master_path)
    for directory in sorted(set(d for d in masters.values() if d and d != UNREADABLE and os.path.realpath(d) not in known)):
        found.append({"name": directory, "group": None, "enabled": True, "config_dir": directory, "separate": True})
    if warnings is not None:
        warnings.extend(unknown_master_warnings(postfix, masters, found))
    return found


def separate_dirs(postfix):
    """Config directories of the instances started with postfix -c outside postmulti (list_instances)."""
    return [item["config_dir"] for item in list_instances(postfix) if item["separate"]]


def instance_dirs(postfix, config_dir=None):
    """The config directory asked for, else those of the default and every postmulti instance."""
    return [config_dir] if config_dir else [item["config_dir"] for item in list_instances(postfix)]


def parse_postmulti(text):
    """``postmulti -l`` lines: name group enabled config_dir."""
    found = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 4:
            found.append({"name": fields[0], "group": fields[1], "enabled": fields[2] == "y",
                          "config_dir": fields[3]})
    return found


def read_snapshot(postfix, config_dir):
    """Everything postconf says about one instance (raw and expanded), plus definition lines."""
    for name in ("main.cf", "master.cf"):
        path = os.path.join(config_dir, name)
        if not os.path.isfile(path):
            raise DiscoveryError("%s: no such file (config directory %s)" % (path, config_dir))
        if not os.access(path, os.R_OK):
            raise DiscoveryError("%s: not readable" % path)
    what = "reading configuration in %s" % config_dir
    parse = references.parse_postconf
    main_out, main_err = postfix.run("postconf", ["-n"], config_dir, what=what)[1:]
    main_raw = parse(main_out)
    expanded = parse(postfix.postconf(config_dir, "-x", what=what))
    expanded.update(parse(postfix.postconf(config_dir, "-nx", what=what)))
    # postconf -n leaves out parameters nothing uses (it only warns about them); keep them, and
    # let postconf expand their values by lending them to a known parameter with -o.
    for name, value in references.parse_unused(main_err, os.path.join(config_dir, "main.cf")).items():
        main_raw[name] = value
        expanded[name] = postfix.postconf(config_dir, "-xh", "-o", "smtpd_banner=" + value, "smtpd_banner",
                                          what=what).rstrip("\n")
    defaults = parse(postfix.postconf(config_dir, "-d", what=what))
    master_raw = references.parse_postconf_services(postfix.postconf(config_dir, "-P", what=what))
    master_x = references.parse_postconf_services(postfix.postconf(config_dir, "-Px", what=what))
    services = postfix.postconf(config_dir, "-M", what=what)
    snapshot = references.Snapshot(
        config_dir, main_raw, expanded, defaults, master_raw, master_x,
        config_files.main_cf_lines(_read(os.path.join(config_dir, "main.cf"))),
        config_files.master_cf_lines(_read(os.path.join(config_dir, "master.cf"))))
    snapshot.services = [line.split()[:2] for line in services.splitlines() if line.strip()]
    for service, names in references.service_dependents(snapshot).items():
        overrides = [arg for item in sorted(master_raw[service].items()) for arg in ("-o", "%s=%s" % item)]
        lines = postfix.postconf(config_dir, "-xh", *(overrides + names), what=what).split("\n")
        snapshot.add_dependents(service, dict(zip(names, lines)))
    return snapshot


def _read(path):
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def migration_level(postfix, config_dir, version):
    """(level, reason): level from ``postfix non-bdb status``; "unsupported" before 3.11."""
    if not has_levels(version):
        return "unsupported", "Postfix %s has no migration levels (added in 3.11)" % version
    rc, out, err = postfix.run("postfix", ["non-bdb", "status"], config_dir, check=False)
    if rc != 0:
        return "invalid", "postfix non-bdb status: %s" % (
            (err or out).strip().splitlines()[-1] if (err or out).strip() else "exit %d" % rc)
    return out.strip() or "disable", None


def resolved_types(snapshot):
    expanded = snapshot.main_expanded
    database = expanded.get("default_database_type", "").strip() or "hash"
    if "default_cache_db_type" not in snapshot.defaults:
        return database, None  # before 3.11: caches are literal btree: in the defaults
    return database, expanded.get("default_cache_db_type", "").strip()


def target_types(snapshot, database_type=None, cache_db_type=None):
    """Types legacy tables would become: the options, else non-legacy defaults, else lmdb."""
    database, cache = resolved_types(snapshot)
    database = database_type or (database if database not in LEGACY_TYPES else "lmdb")
    cache = cache_db_type or (cache if cache and cache not in LEGACY_TYPES else "lmdb")
    return database, cache


def discover_instance(postfix, instance, version, database_type=None, cache_db_type=None, probe=True):
    config_dir = instance["config_dir"]
    if not os.path.isdir(config_dir):
        raise DiscoveryError("instance %s: config directory %s does not exist" % (instance["name"], config_dir))
    snapshot = read_snapshot(postfix, config_dir)
    level, level_reason = migration_level(postfix, config_dir, version)
    database, cache = resolved_types(snapshot)
    target_db, target_cache = target_types(snapshot, database_type, cache_db_type)
    refs, unresolved = references.find_references(snapshot)
    berkeley_db = bdb_state.probe(postfix, config_dir, ["%s = %s" % item for item in snapshot.main_raw.items()],
                                  level) if probe else bdb_state.describe(bdb_state.UNKNOWN, note="not probed")
    name = instance["name"]
    for item in refs + unresolved:
        item["instance"] = name
    info = dict(instance)
    info.update({
        "default_database_type": database,
        "default_cache_db_type": cache,
        "target_database_type": target_db,
        "target_cache_db_type": target_cache,
        "migration_level": level,
        "migration_level_reason": level_reason,
        "nbdb_reindex_service": ["nbdb_reindex", "unix"] in snapshot.services,
        "berkeley_db": berkeley_db,
        "compatibility_level": snapshot.main_expanded.get("compatibility_level", ""),
        "queue_directory": snapshot.main_expanded.get("queue_directory", ""),
        "main_cf": snapshot.main_cf,
        "master_cf": snapshot.master_cf,
    })
    return {
        "instance": info,
        "references": refs,
        "unresolved": unresolved,
        "tables": [dict(table, berkeley_db=bdb_state.table_state(berkeley_db["state"], table))
                   for table in tables.group_tables(name, refs, target_db, target_cache)],
        "lookalikes": [dict(item, instance=name) for item in references.find_lookalikes(snapshot)],
    }


def discover(postfix, config_dir=None, database_type=None, cache_db_type=None, probe=True):
    """The whole discovery result of nbdb_info (see its RETURN documentation)."""
    try:
        version = postfix.postconf(config_dir, "-dh", "mail_version").strip()
        map_types = sorted(postfix.postconf(config_dir, "-m").split())
        warnings = []
        instances = list_instances(postfix, config_dir, warnings)
        found = [discover_instance(postfix, item, version, database_type, cache_db_type, probe) for item in instances]
    except PostfixCommandError as exc:
        raise DiscoveryError(str(exc))
    result = {
        "postfix": {"version": version, "map_types": map_types, "has_levels": has_levels(version),
                    "berkeley_db": bdb_state.host_state([item["instance"]["berkeley_db"] for item in found])},
        "instances": [item["instance"] for item in found],
        "references": [ref for item in found for ref in item["references"]],
        "tables": [table for item in found for table in item["tables"]],
    }
    unresolved = [ref for item in found for ref in item["unresolved"]]
    lookalikes = [ref for item in found for ref in item["lookalikes"]]
    result["summary"] = summarize(result, unresolved, lookalikes)
    result["fingerprint"] = fingerprint.host_fingerprint(result["instances"], result["tables"])
    if warnings:
        result["warnings"] = warnings
    return result


def summarize(result, unresolved, lookalikes):
    roles = {"alias": 0, "map": 0, "cache": 0, "orphan": 0}
    for table in result["tables"]:
        roles[table["role"]] += 1
    legacy_defaults = [
        item["name"] for item in result["instances"]
        if item["default_database_type"] in LEGACY_TYPES or item["default_cache_db_type"] in LEGACY_TYPES
    ]
    return {
        "references": len(result["references"]),
        "tables": len(result["tables"]),
        "roles": roles,
        "instances_with_legacy_defaults": legacy_defaults,
        "migrated": not result["references"] and not unresolved and not legacy_defaults,
        "unresolved": unresolved,
        "ignored_lookalikes": lookalikes,
    }


def _leaves(texts):
    """Table leaves of expanded values (values that do not parse are skipped)."""
    for text in texts:
        try:
            leaves = tables_of(text)
        except ValueError:
            continue
        yield from leaves


def used_paths(snapshot, parameters):
    """Paths of the tables (any type) that these parameters use, in main.cf and master.cf -o."""
    texts = [snapshot.main_expanded.get(name, "") for name in parameters]
    for options in snapshot.master_expanded.values():
        texts.extend(options.get(name, "") for name in parameters)
    return set(leaf.name for leaf in _leaves(texts))


def proxied_paths(snapshot):
    """Paths of the tables used inside proxy: anywhere (main.cf, master.cf -o): the unprivileged proxymap reads them."""
    texts = list(snapshot.main_expanded.values())
    for options in snapshot.master_expanded.values():
        texts.extend(options.values())
    return set(leaf.name for leaf in _leaves(texts) if "proxy" in leaf.wrappers)


def table_context(postfix, config_dir=None, database_type=None, cache_db_type=None):
    """What table_reindex needs to know about an instance to build its tables right.

    database_type/cache_db_type, when given, replace the resolved defaults (the types to build).
    """
    config_dir = config_dir_or_default(postfix, config_dir)
    try:
        snapshot = read_snapshot(postfix, config_dir)
        map_types = postfix.postconf(config_dir, "-m").split()
    except PostfixCommandError as exc:
        raise DiscoveryError(str(exc))
    database, cache = resolved_types(snapshot)
    return {
        "config_dir": config_dir,
        "map_types": map_types,
        "default_database_type": database_type or database,
        "default_cache_db_type": cache_db_type or cache or database,
        "utf8": snapshot.main_expanded.get("smtputf8_enable", "no").strip() == "yes",
        "alias_paths": used_paths(snapshot, tables.ALIAS_PARAMETERS),
        "sni_paths": used_paths(snapshot, tables.FILE_VALUE_PARAMETERS),
        "sensitive_paths": used_paths(snapshot, SENSITIVE_PARAMETERS),
        "cache_paths": used_paths(snapshot, tables.CACHE_PARAMETERS),
        "proxied_paths": proxied_paths(snapshot),
    }


INDEXED_TYPES = ("hash", "btree", "lmdb", "cdb")


def indexed_table_paths(snapshot):
    """Absolute paths of every indexed table (hash, btree, lmdb, cdb) the configuration uses, caches aside."""
    caches = used_paths(snapshot, tables.CACHE_PARAMETERS)
    # the parameters whose values Postfix uses (references.consumers): a user-defined fragment that others glue to
    # a file name (indexed = ${default_database_type}:${config_directory}/) is no table of its own
    texts = [scope.expanded(name) for scope, name, dummy in references.consumers(snapshot)]
    paths = set(leaf.name for leaf in _leaves(texts) if leaf.map_type in INDEXED_TYPES and leaf.name.startswith("/"))
    return sorted(paths - caches)
