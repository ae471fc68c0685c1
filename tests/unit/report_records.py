"""Synthetic records for the fleet report, shaped like what the migrate role's modules return (nbdb_info, the
table_reindex prebuild loop, nbdb_switch, security_check) and turned into a record's detail by the same
record_detail the role's summary uses. Used by the rendering unit tests, the 30-host Chromium check and the
1 000-record build measurement."""
from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import detail as record_detail

# Secrets that must never reach a record or a report: a static: password, a DNSBL query key, a table value.
SECRET_PASSWORD = "S3cretRelayPw"
DNSBL_KEY = "abcdef0123456789abcdef01"
TABLE_VALUE = "hunter2-table-value"

MAIN_CF = """\
compatibility_level = 3.6
alias_maps = hash:/etc/aliases
smtpd_client_restrictions = permit_mynetworks,
    check_client_access hash:/etc/postfix/access,
    reject_rbl_client {key}.zen.dq.spamhaus.net
smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd, static:relay:{pw}
virtual_alias_maps = hash:/etc/postfix/virtual
""".format(key=DNSBL_KEY, pw=SECRET_PASSWORD)

REFS = (  # (table, parameter, line of the parameter, raw text)
    ("/etc/aliases", "alias_maps", 2, "hash:/etc/aliases"),
    ("/etc/postfix/access", "smtpd_client_restrictions", 3, "hash:/etc/postfix/access"),
    ("/etc/postfix/sasl_passwd", "smtp_sasl_password_maps", 6, "hash:/etc/postfix/sasl_passwd"),
    ("/etc/postfix/virtual", "virtual_alias_maps", 7, "hash:/etc/postfix/virtual"),
)


def _files(path, owner="root", group="root", mode="0644"):
    facts = {"owner": owner, "group": group, "mode": mode, "size": 12288, "mtime": 1764000000.0}
    return {"source": dict(facts, path=path), "db": dict(facts, path=path + ".db", group="postfix", mode="0640"),
            "lmdb": None, "cdb": None}


def info(extra_tables=0, berkeley_db="available"):
    """An nbdb_info result: four referenced tables (+ extra_tables maps), a cache and an orphan."""
    tables, references = [], []
    for path, parameter, line, raw in REFS:
        role = "alias" if parameter == "alias_maps" else "map"
        tables.append({"name": "hash:" + path, "type": "hash", "path": path, "used_by": [parameter], "role": role,
                       "target": "lmdb:" + path, "config_dir": "/etc/postfix", "files": _files(path),
                       "berkeley_db": berkeley_db})
        references.append({"instance": "default", "config_dir": "/etc/postfix", "type": "hash", "path": path,
                           "raw": raw, "expanded": raw, "definition_kind": "literal", "via": [parameter],
                           "used_by": {"file": "/etc/postfix/main.cf", "line": line, "parameter": parameter,
                                       "service": None, "origin": "main.cf"},
                           "definition_site": {"file": "/etc/postfix/main.cf", "line": line, "parameter": parameter,
                                               "service": None, "origin": "main.cf"}, "wrappers": []})
    for number in range(extra_tables):
        path = "/etc/postfix/maps/extra%02d" % number
        tables.append({"name": "hash:" + path, "type": "hash", "path": path, "used_by": ["smtpd_recipient_restrictions"],
                       "role": "map", "target": "lmdb:" + path, "config_dir": "/etc/postfix", "files": _files(path),
                       "berkeley_db": berkeley_db})
    tables.append({"name": "btree:/var/lib/postfix/verify_cache", "type": "btree", "path": "/var/lib/postfix/verify_cache",
                   "used_by": ["address_verify_map"], "role": "cache", "target": "lmdb:/var/lib/postfix/verify_cache",
                   "config_dir": "/etc/postfix", "files": {"source": None, "db": None}, "berkeley_db": berkeley_db})
    tables.append({"name": "hash:/etc/postfix/old_relays", "type": "hash", "path": "/etc/postfix/old_relays",
                   "used_by": ["relay_recipient_maps"], "role": "orphan", "target": "lmdb:/etc/postfix/old_relays",
                   "config_dir": "/etc/postfix", "files": {"source": None, "db": _files("/etc/postfix/old_relays")["db"]},
                   "berkeley_db": berkeley_db})
    note = ("Berkeley DB works: legacy .db files are read and compared" if berkeley_db == "available" else
            "Postfix was built without Berkeley DB: tables are built from their sources alone")
    return {"postfix": {"version": "3.11.7", "berkeley_db": berkeley_db, "has_levels": True},
            "instances": [{"config_dir": "/etc/postfix", "migration_level": "disable",
                           "berkeley_db": {"state": berkeley_db, "readable": berkeley_db == "available",
                                           "message": None, "note": note}}],
            "tables": tables, "references": references}


def prebuild(before, check_mode):
    entries = []
    for table in before["tables"]:
        if table["role"] == "cache":
            continue
        entries.append({"table": table["name"], "target_file": table["path"] + ".lmdb", "action": "build",
                        "reason": "no lmdb file yet", "changed": True, "entries": 12 + len(table["path"]),
                        "matches_legacy": False if table["path"].endswith("virtual") else None if table["role"] == "orphan" else True,
                        "recovered_source": table["path"] if table["role"] == "orphan" else None,
                        "reader": "postmap -s"})
    return {"results": [{"tables": entries, "changed": not check_mode}]}


def switch():
    after = MAIN_CF.replace("hash:", "lmdb:")
    return {"diff": [{"before_header": "/etc/postfix/main.cf", "after_header": "/etc/postfix/main.cf",
                      "before": MAIN_CF, "after": after}], "tables_built": ["hash:/etc/postfix/virtual"]}


def security():
    return {"findings": [
        {"id": "sensitive.readable", "severity": "high", "instance": "/etc/postfix", "file": "/etc/postfix/sasl_passwd",
         "parameter": "smtp_sasl_password_maps", "evidence": "mode 0644, readable by every local user",
         "remedy": "chmod 0600 /etc/postfix/sasl_passwd", "fixable": True, "fixed": True},
        {"id": "inline.secret", "severity": "medium", "instance": "/etc/postfix", "file": "/etc/postfix/main.cf",
         "parameter": "smtp_sasl_password_maps",
         "evidence": "smtp_sasl_password_maps = static:relay:%s" % SECRET_PASSWORD,
         "remedy": "move the password into a 0600 table", "fixable": False, "fixed": False},
        {"id": "info.lmdb", "severity": "info", "instance": "/etc/postfix", "file": None, "parameter": None,
         "evidence": "lmdb tables are memory-mapped", "remedy": "none needed", "fixable": False, "fixed": False}],
        "counts": {"critical": 0, "high": 1, "medium": 1, "low": 0, "info": 1}}


def record(host, run, status, at, batch=None, extra_tables=0, berkeley_db="available", **fields):
    """One host's record as summary.yml leaves it."""
    before = info(extra_tables, berkeley_db)
    check_mode = run == "dry_run"
    done = status in ("migrated", "would_migrate", "rolled_back", "would_fail")
    item = {"host": host, "run": run, "status": status, "check_mode": check_mode, "started_at": at, "finished_at": at,
            "postfix_version": "3.11.7", "berkeley_db": berkeley_db, "needed": status != "unchanged",
            "levels_before": {"/etc/postfix": "disable"}, "levels_after": {"/etc/postfix": "enable-redirect"},
            "tables_migrated": [t["target"] for t in before["tables"]] if status in ("migrated", "would_migrate") else [],
            "references_rewritten": len(REFS) if status in ("migrated", "would_migrate") else 0,
            "downtime_seconds": 0.42 if status == "migrated" else 0.0,
            "legacy_references_left": None if check_mode else 0 if status in ("migrated", "unchanged") else len(REFS),
            "findings": security()["counts"], "backup_path": "/var/backups/mailops-nbdb/%s-1" % host,
            "error": None, "failed_task": None,
            "verification": {"route": "delivered on this host", "probe_before": "delivered", "probe_after": "delivered",
                             "pre_existing": ["warning: /etc/postfix/main.cf: unused parameter: virtual_mailbox_limit_maps"],
                             "regressions": []},
            "detail": record_detail.record_detail(before if status != "unchanged" else dict(before, tables=[], references=[]),
                                                  prebuild(before, check_mode) if done else {},
                                                  switch() if done else {}, security(), [])}
    if batch is not None:
        item["batch"] = batch
    item.update(fields)
    return item


def fleet(size, extra_tables=0):
    """{host: [records in order]} of a rollout of size hosts: a dry run of all, a canary, growing batches, one host
    rolled back in the last batch that ran, the batches after it not reached, one host unreachable, a re-check."""
    from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import fleet as fleet_module
    names = ["mx%03d.example.org" % number for number in range(1, size + 1)]
    bounds = [1, max(2, size // 10), max(3, size // 2), size]  # canary, 10 %, 50 %, the rest
    histories = {}
    stopped = 0  # the batch that failed; 0: none yet
    for index, name in enumerate(names):
        batch = next(number for number, bound in enumerate(bounds, 1) if index < bound)
        items = [record(name, "dry_run", "would_migrate", "2026-12-01T09:00:%02dZ" % (index % 60), extra_tables=extra_tables)]
        at = "2026-12-01T10:%02d:%02dZ" % (batch * 10, index % 60)
        if stopped and batch > stopped:
            items.append({"host": name, "run": "migrate", "status": "not_reached", "started_at": at, "batch": batch,
                          "error": "rollout stopped after batch %d: %s failed" % (stopped, names[bounds[stopped - 2]])})
        elif index == bounds[1]:  # the first host of batch 3 fails its verification and is rolled back
            items.append(record(name, "migrate", "rolled_back", at, batch, extra_tables, failed_task="Verify",
                                error="new in the mail log since the switch: warning: lmdb:/etc/postfix/virtual is unavailable"))
            stopped = batch
        elif index == bounds[1] + 1 and size > 4:
            items.append({"host": name, "run": "migrate", "status": "unreachable", "started_at": at, "batch": batch,
                          "error": "Failed to connect to the host via ssh: Connection timed out"})
        else:
            items.append(record(name, "migrate", "migrated", at, batch, extra_tables,
                                rescue={"table_errors_before": 3, "table_errors": 3, "requeued": 3, "delivered": 2,
                                        "still_deferred": 1, "other": 0, "sent_again": True}
                                if index == 1 else None))
            if index == 0:
                items.append(record(name, "migrate", "unchanged", "2026-12-01T11:00:00Z", batch, extra_tables))
        history = None
        for item in items:
            history = fleet_module.add_record(history, item)
        histories[name] = history
    return histories, names
