"""Security rules over a hand-made host state."""
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import security


def facts(path, uid=0, mode=0o644):
    return {"path": path, "uid": uid, "gid": 0, "mode": mode}


def table(path, source=None, db=None, parents=None):
    return {"path": path, "files": {"source": source, "db": db, "lmdb": None, "cdb": None},
            "parents": parents or [facts("/etc/postfix", mode=0o755), facts("/etc", mode=0o755), facts("/", mode=0o755)]}


def state(**changes):
    base = {"config_dir": "/etc/postfix", "version": "3.11.7", "has_levels": True, "level": "disable", "now": 100000.0,
            "references": [], "prefixes": {"non_bdb_migration_allow_root_prefixes": ("/etc /usr/local/etc", "/etc /usr/local/etc")},
            "prefix_dirs": {}, "posture": {}, "legacy_tables": {}, "sensitive_tables": {}, "stale_db": [], "mailman": []}
    base.update(changes)
    return base


def ids(found):
    return sorted((f["id"], f["severity"]) for f in found)


def test_reindex_age_raises_severity():
    young = state(level="enable-reindex", reindex_since=(100000.0 - 3600, "recorded"))
    old = state(level="enable-reindex", reindex_since=(100000.0 - 3600 * 30, "recorded"))
    assert ids(security.check_level(young, 24)) == [("level.enable_reindex", "medium")]
    assert ids(security.check_level(old, 24)) == [("level.enable_reindex", "high")]


def test_reindex_refusals():
    tables = {
        "/srv/tables/canonical": table("/srv/tables/canonical", facts("/srv/tables/canonical"), facts("/srv/tables/canonical.db")),
        "/etc/pfx/a/b/virtual": table("/etc/pfx/a/b/virtual", facts("/etc/pfx/a/b/virtual"), facts("/etc/pfx/a/b/virtual.db"),
                                      [facts("/etc/pfx/a/b", mode=0o755), facts("/etc/pfx/a", mode=0o755),
                                       facts("/etc/pfx", mode=0o775), facts("/etc", mode=0o755), facts("/", mode=0o755)]),
        "/etc/postfix/ok": table("/etc/postfix/ok", facts("/etc/postfix/ok"), facts("/etc/postfix/ok.db")),
        "/etc/postfix/nodb": table("/etc/postfix/nodb", facts("/etc/postfix/nodb")),
    }
    found = security.check_reindex_rules(state(level="enable-reindex", legacy_tables=tables))
    assert sorted(f["file"] for f in found) == ["/etc/pfx/a/b/virtual", "/etc/postfix/nodb", "/srv/tables/canonical"]
    assert {f["severity"] for f in found} == {"medium"}
    assert {f["severity"] for f in security.check_reindex_rules(state(legacy_tables=tables))} == {"info"}


def test_risky_prefixes():
    found = security.check_prefixes(state(
        prefixes={"non_bdb_migration_allow_root_prefixes": ("/etc /tmp relative /srv/open /home/x", "/etc /usr/local/etc")},
        prefix_dirs={"/srv/open": facts("/srv/open", mode=0o777)}))
    assert len(found) == 4 and {f["severity"] for f in found} == {"high"}


def test_sensitive_tables_and_fixes():
    found = security.check_sensitive(state(sensitive_tables={"/etc/postfix/sasl_passwd": table(
        "/etc/postfix/sasl_passwd", facts("/etc/postfix/sasl_passwd", mode=0o644),
        facts("/etc/postfix/sasl_passwd.db", uid=1000, mode=0o640))}))
    assert ids(found) == [("sensitive.owner", "medium"), ("sensitive.readable", "high"), ("sensitive.readable", "medium")]
    assert all(f["fixable"] for f in found)
    assert [f["fix"]["mode"] for f in found if f["id"] == "sensitive.readable"] == [0o600, 0o600]


def test_posture_compares_effective_values():
    posture = {"smtp_tls_security_level": {"set": "may", "effective": "may", "effective_default": "may",
                                           "default": "${{$compatibility_level} <level {3.11} ? {} : {may}}"},
               "milter_default_action": {"set": "tempfail", "effective": "tempfail", "effective_default": "shutdown",
                                         "default": "shutdown"}}
    found = security.check_posture(state(posture=posture))
    assert [f["parameter"] for f in found] == ["milter_default_action"]


def test_no_reindex_rules_before_3_11():
    tables = {"/srv/x": table("/srv/x", facts("/srv/x"))}
    assert security.check_reindex_rules(state(has_levels=False, legacy_tables=tables)) == []


def test_fail_on_thresholds():
    assert security.severity_at_least("high", "medium") and not security.severity_at_least("low", "medium")


def sensitive_state(proxied, **files):
    base = {"source": None, "db": None, "lmdb": None, "cdb": None}
    base.update(files)
    return state(sensitive_tables={"/etc/postfix/sasl_passwd": {"path": "/etc/postfix/sasl_passwd", "files": base,
                                                                "parents": []}},
                 proxied=set(["/etc/postfix/sasl_passwd"]) if proxied else set(), mail_owner_gid=106)


def group_facts(path, gid, mode):
    return dict(facts(path, mode=mode), gid=gid)


def test_proxied_sensitive_table_0640_root_postfix_is_correct():
    """proxymap reads proxy: tables unprivileged (group postfix): 0640 root:postfix is right there, not a finding."""
    found = security.check_sensitive(sensitive_state(
        True, source=group_facts("/etc/postfix/sasl_passwd", 106, 0o640),
        lmdb=group_facts("/etc/postfix/sasl_passwd.lmdb", 106, 0o640)))
    assert found == []


def test_proxied_sensitive_table_fix_keeps_group_read():
    """Other-readable under proxy: the fix takes away what others can read, never the group postfix's read."""
    found = security.check_sensitive(sensitive_state(True, lmdb=group_facts("/etc/postfix/sasl_passwd.lmdb", 106, 0o644)))
    assert ids(found) == [("sensitive.readable", "high")]
    assert found[0]["fix"]["mode"] == 0o640


def test_proxied_sensitive_table_readable_by_another_group():
    found = security.check_sensitive(sensitive_state(True, lmdb=group_facts("/etc/postfix/sasl_passwd.lmdb", 4, 0o640)))
    assert ids(found) == [("sensitive.readable", "medium")]
    assert "gid 4" in found[0]["evidence"]
    assert found[0]["fix"]["action"] == "chown" and found[0]["fix"]["gid"] == 106  # to group postfix, still 0640


def test_unproxied_sensitive_table_0640_root_postfix_is_a_finding():
    found = security.check_sensitive(sensitive_state(False, lmdb=group_facts("/etc/postfix/sasl_passwd.lmdb", 106, 0o640)))
    assert ids(found) == [("sensitive.readable", "medium")] and found[0]["fix"]["mode"] == 0o600


# --- every table after migration, its directories, prefixes, config files, TLS keys, leftovers -------------
def d(path, uid=0, gid=0, mode=0o755, link=False):
    return {"path": path, "uid": uid, "gid": gid, "mode": mode, "is_link": link}


def chain(path, **top):
    """Ancestors of path, nearest first, root-owned 0755; top: {dir: facts} replacing some."""
    found, current = [], path.rsplit("/", 1)[0] or "/"
    while True:
        found.append(top.get(current) or d(current))
        if current == "/":
            return found
        current = current.rsplit("/", 1)[0] or "/"


def a_table(path, parents=None, lock=None, **files):
    base = {"source": None, "db": None, "lmdb": None, "cdb": None}
    base.update(files)
    return {"path": path, "files": base, "parents": parents or chain(path), "lmdb_lock": lock}


USER = {"non_bdb_migration_allow_root_prefixes": ("/etc /usr/local/etc", "/etc /usr/local/etc"),
        "non_bdb_migration_allow_user_prefixes": ("/var/lib/postfix /var/lib/mailman /var/lib/mailman3",
                                                  "$data_directory /var/lib/mailman /var/lib/mailman3")}


def test_migrated_root_table_is_judged_like_a_legacy_one():
    path = "/etc/postfix/transport"
    good = security.check_tables(state(prefixes=USER, tables={path: a_table(
        path, source=d(path, mode=0o644), lmdb=d(path + ".lmdb", mode=0o644))}))
    assert good == []
    bad = security.check_tables(state(prefixes=USER, tables={path: a_table(
        path, chain(path, **{"/etc/postfix": d("/etc/postfix", gid=50, mode=0o775)}),
        source=d(path, mode=0o666), lmdb=d(path + ".lmdb", uid=1000, mode=0o644), db=d(path + ".db", mode=0o664))}))
    got = {(f["id"], f["severity"], f["file"]) for f in bad}
    assert got == {("table.writable", "high", path), ("table.writable", "medium", path + ".lmdb"),
                   ("db.writable", "medium", path + ".db"), ("table.directory", "medium", "/etc/postfix")}, got
    fixes = {f["file"]: f["fix"] for f in bad}
    assert fixes[path]["mode"] == 0o644 and fixes[path + ".db"]["mode"] == 0o644
    assert fixes[path + ".lmdb"] is None  # another user's file: not chowned behind their back
    assert fixes["/etc/postfix"] is None


def test_mailman_group_writable_list_dirs_are_expected_in_the_user_prefix():
    path = "/var/lib/mailman3/data/postfix_lmtp"
    top = {"/var/lib/mailman3/data": d("/var/lib/mailman3/data", 38, 38, 0o2770),
           "/var/lib/mailman3": d("/var/lib/mailman3", 38, 38, 0o755)}
    table = a_table(path, chain(path, **top), source=d(path, 38, 38, 0o660), db=d(path + ".db", 38, 38, 0o640),
                    lmdb=d(path + ".lmdb", 38, 38, 0o640))
    assert security.check_tables(state(prefixes=USER, tables={path: table})) == []
    # the same layout outside the user prefixes: every level of it is a finding
    other = "/srv/lists/data/postfix_lmtp"
    moved = a_table(other, chain(other, **{"/srv/lists/data": d("/srv/lists/data", 38, 38, 0o2770)}),
                    source=d(other, 38, 38, 0o660))
    got = {(f["id"], f["file"]) for f in security.check_tables(state(prefixes=USER, tables={other: moved}))}
    assert got == {("table.writable", other), ("table.directory", "/srv/lists/data")}
    # inside the prefix, another user's write is still one
    layout = dict(top)
    layout["/var/lib/mailman3/data"] = d("/var/lib/mailman3/data", 38, 100, 0o2775)
    intruder = a_table(path, chain(path, **layout), source=d(path, 38, 38, 0o666))
    got = {(f["id"], f["severity"], f["file"]) for f in security.check_tables(state(prefixes=USER, tables={path: intruder}))}
    assert got == {("table.writable", "high", path), ("table.directory", "medium", "/var/lib/mailman3/data")}


def test_symlinked_table_file_and_stray_lmdb_lock():
    path = "/etc/postfix/virtual"
    found = security.check_tables(state(prefixes=USER, tables={path: a_table(
        path, source=d(path, mode=0o644, link=True), lock=d(path + ".lmdb-lock", mode=0o666))}))
    assert {(f["id"], f["severity"]) for f in found} == {("table.symlink", "low"), ("lmdb.lock_file", "medium")}
    assert not any(f["fixable"] for f in found)


def prefix_state(root, user, service=None, dirs=None, parents=None):
    return state(prefixes={"non_bdb_migration_allow_root_prefixes": (root, "/etc /usr/local/etc"),
                           "non_bdb_migration_allow_user_prefixes": (user, "$data_directory /var/lib/mailman /var/lib/mailman3")},
                 service_prefixes=service or {}, prefix_dirs=dirs or {}, prefix_parents=parents or {},
                 queue_directory="/var/spool/postfix")


def test_prefix_paths_on_a_stock_host_are_fine():
    dirs = {"/etc": d("/etc"), "/usr/local/etc": d("/usr/local/etc"), "/var/lib/postfix": d("/var/lib/postfix", 995, 995),
            "/var/lib/mailman": None, "/var/lib/mailman3": None}
    parents = {p: chain(p + "/x")[1:] for p in dirs}
    assert security.check_prefix_paths(prefix_state("/etc /usr/local/etc", "/var/lib/postfix /var/lib/mailman /var/lib/mailman3",
                                                    dirs=dirs, parents=parents)) == []


def test_prefix_paths_broad_missing_owner_ancestor_and_master_cf():
    dirs = {"/etc": d("/etc"), "/var": d("/var"), "/srv/x": d("/srv/x", uid=1000), "/srv/typo": None,
            "/srv/open/t": None, "/srv/gw/t": d("/srv/gw/t"), "/var/spool/postfix/maps": d("/var/spool/postfix/maps")}
    parents = {"/etc": [d("/")], "/var": [d("/")], "/srv/x": [d("/srv"), d("/")], "/srv/typo": [d("/srv"), d("/")],
               "/srv/open/t": [d("/srv/open", mode=0o777), d("/srv"), d("/")],
               "/srv/gw/t": [d("/srv/gw", gid=100, mode=0o775), d("/srv"), d("/")],
               "/var/spool/postfix/maps": chain("/var/spool/postfix/maps/x")[1:]}
    found = security.check_prefix_paths(prefix_state(
        "/etc /var /srv/x /srv/typo /srv/open/t /srv/gw/t", "",
        service={"non_bdb_migration_allow_root_prefixes": "/var/spool/postfix/maps"}, dirs=dirs, parents=parents))
    got = sorted((f["id"], f["severity"], f["file"].rsplit("/", 1)[1], f["evidence"].split(":")[0]) for f in found)
    main, master = "non_bdb_migration_allow_root_prefixes", "nbdb_reindex/unix -o non_bdb_migration_allow_root_prefixes"
    assert got == sorted([
        ("prefix.broad", "high", "main.cf", main), ("prefix.owner", "high", "main.cf", main),
        ("prefix.missing", "low", "main.cf", main), ("prefix.missing", "high", "main.cf", main),
        ("prefix.ancestor", "high", "main.cf", main), ("prefix.ancestor", "high", "main.cf", main),
        ("prefix.broad", "high", "master.cf", master)]), got
    assert [f for f in found if f["id"] == "prefix.missing" and f["severity"] == "high"][0]["evidence"].count("/srv/open")


def test_reindex_refusal_uses_the_master_cf_override():
    path = "/srv/tables/canonical"
    tables = {path: table(path, facts(path), facts(path + ".db"), [facts("/srv/tables"), facts("/srv"), facts("/")])}
    base = dict(level="enable-reindex", legacy_tables=tables)
    assert [f["file"] for f in security.check_reindex_rules(state(**base))] == [path]
    assert security.check_reindex_rules(state(service_prefixes={"non_bdb_migration_allow_root_prefixes": "/etc /srv/tables"},
                                              **base)) == []


def test_config_files_and_directory():
    files = {"main.cf": d("/etc/postfix/main.cf", mode=0o664, gid=4), "master.cf": d("/etc/postfix/master.cf", uid=1000,
                                                                                     mode=0o644)}
    dirs = [d("/etc/postfix", mode=0o757), d("/etc"), d("/")]
    found = security.check_config(state(config_files=files, config_dirs=dirs))
    got = sorted((f["id"], f["severity"], f["file"]) for f in found)
    assert got == [("config.directory", "high", "/etc/postfix"), ("config.writable", "high", "/etc/postfix/main.cf"),
                   ("config.writable", "high", "/etc/postfix/master.cf")]
    fixes = {f["file"]: f["fix"] for f in found}
    assert fixes["/etc/postfix/main.cf"]["mode"] == 0o644 and fixes["/etc/postfix/master.cf"]["uid"] == 0
    stock = {"main.cf": d("/etc/postfix/main.cf", mode=0o644), "master.cf": d("/etc/postfix/master.cf", mode=0o644)}
    assert security.check_config(state(config_files=stock, config_dirs=[d("/etc/postfix"), d("/etc"), d("/")])) == []


def key(path, named=True, has_key=True, **facts_):
    return {"parameters": ["smtpd_tls_key_file"], "named_as_key": named, "has_key": has_key, "facts": d(path, **facts_)}


def test_tls_keys():
    keys = {"/etc/ssl/private/ssl-cert-snakeoil.key": key("/etc/ssl/private/ssl-cert-snakeoil.key", gid=110, mode=0o640),
            "/etc/ssl/certs/ssl-cert-snakeoil.pem": key("/etc/ssl/certs/ssl-cert-snakeoil.pem", named=False, has_key=False,
                                                        mode=0o644),
            "/etc/postfix/chain.pem": key("/etc/postfix/chain.pem", named=False, mode=0o644),
            "/etc/postfix/adm.key": key("/etc/postfix/adm.key", gid=4, mode=0o640),
            "/etc/postfix/user.key": key("/etc/postfix/user.key", uid=1000, mode=0o600),
            "/etc/letsencrypt/live/x/privkey.pem": key("/etc/letsencrypt/live/x/privkey.pem", has_key=None, link=True,
                                                       mode=0o777)}
    found = security.check_tls_keys(state(tls_keys=keys, ssl_cert_gid=110))
    got = sorted((f["id"], f["severity"], f["file"]) for f in found)
    assert got == [("tls.key_owner", "medium", "/etc/postfix/user.key"),
                   ("tls.key_readable", "high", "/etc/postfix/chain.pem"),
                   ("tls.key_readable", "medium", "/etc/postfix/adm.key"),
                   ("tls.key_symlink", "info", "/etc/letsencrypt/live/x/privkey.pem")], got
    fixes = {f["file"]: f["fix"] for f in found}
    assert fixes["/etc/postfix/chain.pem"]["mode"] == 0o640  # root's group may read it, others not
    assert fixes["/etc/postfix/adm.key"]["mode"] == 0o600


def test_reindex_service_left_at_a_level_that_does_not_use_it():
    assert security.check_reindex_service(state(level="enable-reindex", reindex_service=True)) == []
    assert security.check_reindex_service(state(level="disable", reindex_service=False)) == []
    for level in ("disable", "enable-redirect"):
        found = security.check_reindex_service(state(level=level, reindex_service=True))
        assert ids(found) == [("reindex.service_left", "medium")] and level in found[0]["evidence"]
    old = security.check_reindex_service(state(level="unsupported", has_levels=False, version="3.10.13",
                                               reindex_service=True))
    assert ids(old) == [("reindex.service_left", "low")]


def test_two_fixes_of_one_file_only_take_bits_away(tmp_path):
    """sasl_passwd 0666: the secret rule wants 0600, the writability rule 0644; the file ends 0600, one change each."""
    import os
    import stat
    from ansible_collections.mailops.nbdb.plugins.module_utils._execution import security_fix
    path = tmp_path / "sasl_passwd"
    path.write_text("relay user:pw\n")
    os.chmod(str(path), 0o666)
    info = os.stat(str(path))
    facts_ = {"path": str(path), "uid": info.st_uid, "gid": info.st_gid, "mode": 0o666, "is_link": False,
              "mtime": info.st_mtime, "dev": info.st_dev, "ino": info.st_ino}
    found = security.check_sensitive(state(sensitive_tables={str(path): a_table(str(path), source=facts_)}))
    found += security.check_tables(state(prefixes=USER, tables={str(path): a_table(str(path), source=facts_)}))
    fixes = [f for f in found if f["fixable"] and f["fix"]["action"] == "chmod"]
    assert len(fixes) == 2
    for check_mode in (True, False):
        session = {}
        records = [security_fix.apply(None, f, False, check_mode, session)[1] for f in fixes]
        assert [r["after"] for r in records if r] == ["0600"], records
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600


def test_key_files_are_read_without_following_symlinks(tmp_path):
    """Facts gathering: an SNI source names key and certificate files; a symlink is never read (lstat facts only)."""
    from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import security_state
    key, cert, link = tmp_path / "k.pem", tmp_path / "c.pem", tmp_path / "l.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nx\n")
    cert.write_text("-----BEGIN CERTIFICATE-----\nx\n")
    link.symlink_to(key)
    sni = tmp_path / "sni"
    sni.write_text("# comment\nmx.example.com %s\n  %s\nother.example %s\n" % (key, cert, link))
    assert security_state.sni_files(str(sni)) == [str(key), str(cert), str(link)]
    assert security_state.KEY_MARKER in security_state.read_regular(str(key))
    assert security_state.read_regular(str(link)) is None
    facts = security_state.path_facts(str(link))
    assert facts["is_link"] and not facts["is_dir"]


def _trust(config_dir, dir_uid=0, main_uid=0, main_mode=0o644):
    return {"config_dir": config_dir,
            "config_files": {"main.cf": {"path": config_dir + "/main.cf", "uid": main_uid, "gid": 0, "mode": main_mode,
                                         "type": "file"},
                             "master.cf": None},
            "config_dirs": [{"path": config_dir, "uid": dir_uid, "gid": 0, "mode": 0o755, "type": "dir"},
                            {"path": "/etc", "uid": 0, "gid": 0, "mode": 0o755, "type": "dir"}]}


def test_a_configuration_another_user_can_change_refuses_the_host_before_anything_changes():
    """YunoHost leaves /etc/postfix owned by postfix: postfix-non-bdb-script and postfix-script run as root over
    what that user can replace, so the migration refuses, naming the directory and the remedy."""
    assert security.config_refusals([_trust("/etc/postfix")]) == []
    refused = security.config_refusals([_trust("/etc/postfix", dir_uid=107),
                                        _trust("/etc/postfix-out", main_uid=0, main_mode=0o664)])
    assert len(refused) == 2, refused
    assert refused[0].startswith("directory /etc/postfix (uid 107, mode 0755)") and \
        "chown root /etc/postfix && chmod go-w /etc/postfix" in refused[0], refused[0]
    assert refused[1].startswith("/etc/postfix-out/main.cf (uid 0, mode 0664) can be changed by"
                                 " group gid 0 (g+w)"), refused[1]
