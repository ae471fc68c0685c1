"""Grouping references into tables and classifying them."""
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host, tables


def ref(map_type, path, parameter, service=None):
    return {"type": map_type, "path": path, "config_dir": "/etc/postfix",
            "used_by": {"parameter": parameter, "service": service}}


def fake_facts(existing):
    def facts(path):
        return {"path": path} if path in existing else None
    return facts


def test_roles_tools_and_targets():
    refs = [
        ref("hash", "/etc/aliases", "alias_maps"), ref("hash", "/etc/aliases", "local_recipient_maps"),
        ref("hash", "/etc/mailman/aliases", "alias_database"),
        ref("hash", "/etc/postfix/virtual", "virtual_alias_maps"),
        ref("hash", "/etc/postfix/gone", "transport_maps"),
        ref("btree", "/var/lib/postfix/verify_cache", "address_verify_map"),
        ref("btree", "/etc/postfix/btree_map", "smtpd_client_restrictions", "submission/inet"),
        ref("hash", "relative", "canonical_maps"),
    ]
    existing = {"/etc/aliases", "/etc/aliases.db", "/etc/mailman/aliases.db", "/etc/postfix/virtual",
                "/etc/postfix/gone.db", "/var/lib/postfix/verify_cache.db", "/etc/postfix/btree_map"}
    found = {t["path"]: t for t in tables.group_tables("default", refs, "lmdb", "lmdb", fake_facts(existing))}
    summary = {path: (t["role"], t["tool"], t["target"]) for path, t in found.items()}
    assert summary == {
        "/etc/aliases": ("alias", "postalias", "lmdb:/etc/aliases"),
        "/etc/mailman/aliases": ("orphan", "postalias", "lmdb:/etc/mailman/aliases"),
        "/etc/postfix/virtual": ("map", "postmap", "lmdb:/etc/postfix/virtual"),
        "/etc/postfix/gone": ("orphan", "postmap", "lmdb:/etc/postfix/gone"),
        "/var/lib/postfix/verify_cache": ("cache", None, "lmdb:/var/lib/postfix/verify_cache"),
        "/etc/postfix/btree_map": ("map", "postmap", "lmdb:/etc/postfix/btree_map"),
        "relative": ("map", "postmap", "lmdb:relative"),
    }
    assert found["/etc/aliases"]["used_by"] == ["alias_maps", "local_recipient_maps"]
    assert found["/etc/postfix/btree_map"]["used_by"] == ["submission/inet/smtpd_client_restrictions"]
    assert found["relative"]["relative_path"] is True
    assert found["/etc/postfix/virtual"]["files"] == {
        "source": {"path": "/etc/postfix/virtual"}, "db": None, "lmdb": None, "cdb": None}


def test_cdb_tables_but_lmdb_caches():
    refs = [ref("hash", "/etc/postfix/t", "transport_maps"), ref("btree", "/var/lib/postfix/s", "smtp_tls_session_cache_database")]
    found = tables.group_tables("default", refs, "cdb", "lmdb", fake_facts(set()))
    assert [t["target"] for t in found] == ["cdb:/etc/postfix/t", "lmdb:/var/lib/postfix/s"]


def test_parse_postmulti():
    text = "-               -               y         /etc/postfix\npostfix-out     mta             y         /etc/postfix-out\n"
    assert host.parse_postmulti(text) == [
        {"name": "-", "group": "-", "enabled": True, "config_dir": "/etc/postfix"},
        {"name": "postfix-out", "group": "mta", "enabled": True, "config_dir": "/etc/postfix-out"}]


def test_versions():
    assert host.has_levels("3.11.7") and host.has_levels("3.12-20260101")
    assert not host.has_levels("3.10.13") and not host.has_levels("3.7.11")
    assert host.version_tuple("3.10.13") > host.version_tuple("3.9.2")
