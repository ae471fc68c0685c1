"""Reference forms of issue 15 part 3, each discovered at its definition site and planned for rewriting there.

Snapshots are written by hand in postconf's terms (raw ``-n``/``-P`` values, expanded ``-x``/``-Px`` values, a few
``-d`` defaults); what the same configuration gives on a real Postfix 3.11 is checked by
tests/integration/test_reference_forms.py (tests/integration/forms/)."""
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import references, values
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import rewrite

DEFAULTS = {"smtpd_client_restrictions": "", "smtpd_recipient_restrictions": "", "smtp_generic_maps": "",
            "canonical_maps": "", "default_database_type": "cdb", "config_directory": "/etc/postfix",
            "smtpd_restriction_classes": "", "transport_maps": "", "virtual_alias_maps": "", "proxy_read_maps": ""}
MASTER_LINES = {"smtp/inet": {"options": {"local_checks": 59, "from_partners": 60}}}


def snapshot(main_raw, main_x, master_raw=None, master_x=None):
    expanded = dict(DEFAULTS, **main_x)
    master_raw = {service: dict(options) for service, options in (master_raw or {}).items()}
    master_x = {service: dict(options) for service, options in (master_x or {}).items()}
    return references.Snapshot("/etc/postfix", main_raw, expanded, DEFAULTS, master_raw, master_x,
                               {name: n for n, name in enumerate(main_raw, 1)}, MASTER_LINES)


def summary(refs):
    return sorted((r["used_by"]["service"], r["used_by"]["parameter"], r["expanded"], r["definition_site"]["service"],
                   r["definition_site"]["parameter"], r["definition_kind"], r["raw"], tuple(r["wrappers"]))
                  for r in refs)


# --------------------------------------------------------------------------- (a) $name overridden in master.cf -o
OVERRIDE_MAIN = {"local_checks": "", "smtpd_client_restrictions": "$local_checks, permit"}
OVERRIDE_MASTER = {"smtp/inet": {"local_checks": "check_client_access,hash:/etc/postfix/relay_clients"}}


def override_snapshot():
    snap = snapshot(OVERRIDE_MAIN, {"local_checks": "", "smtpd_client_restrictions": ", permit"},
                    OVERRIDE_MASTER, OVERRIDE_MASTER)
    return snap


def test_a_service_that_overrides_a_referenced_parameter_expands_its_users_itself():
    assert references.service_dependents(override_snapshot()) == {"smtp/inet": ["smtpd_client_restrictions"]}


def test_a_dependency_through_a_chain_of_names_counts():
    main = {"local_checks": "", "checks": "$local_checks", "smtpd_client_restrictions": "${checks}, permit"}
    snap = snapshot(main, {}, OVERRIDE_MASTER, OVERRIDE_MASTER)
    assert references.service_dependents(snap) == {"smtp/inet": ["smtpd_client_restrictions"]}


def test_nothing_depends_on_overrides_of_known_parameters_or_on_nothing():
    master = {"smtp/inet": {"smtpd_client_restrictions": "permit"}}
    assert references.service_dependents(snapshot(OVERRIDE_MAIN, {}, master, master)) == {}
    assert references.service_dependents(snapshot(OVERRIDE_MAIN, {})) == {}


def test_the_override_is_found_at_its_definition_site_and_planned_there():
    snap = override_snapshot()
    # what postconf -xh -o local_checks=... smtpd_client_restrictions prints (checked on 3.11.7)
    snap.add_dependents("smtp/inet", {"smtpd_client_restrictions":
                                      "check_client_access,hash:/etc/postfix/relay_clients, permit"})
    refs, unresolved = references.find_references(snap)
    assert unresolved == []
    assert summary(refs) == [("smtp/inet", "smtpd_client_restrictions", "hash:/etc/postfix/relay_clients",
                              "smtp/inet", "local_checks", "literal", "hash:/etc/postfix/relay_clients",
                              ("check_client_access",))]
    assert refs[0]["definition_site"]["line"] == 59
    planned = rewrite.plan(snap, refs, "lmdb", "lmdb")
    assert [(r["service"], r["parameter"], r["line"], r["old"], r["new"]) for r in planned["replacements"]] == [
        ("smtp/inet", "local_checks", 59, "hash:/etc/postfix/relay_clients", "lmdb:/etc/postfix/relay_clients")]


def test_a_restriction_class_overridden_in_master_cf_is_used_not_unused():
    main = {"smtpd_restriction_classes": "from_partners", "from_partners": "check_sender_access hash:/etc/postfix/p"}
    master = {"smtp/inet": {"from_partners": "check_sender_access,hash:/etc/postfix/partners_smtpd"}}
    snap = snapshot(main, dict(main), master, master)
    refs = references.find_references(snap)[0]
    by_service = {r["used_by"]["service"]: r for r in refs}
    assert by_service["smtp/inet"]["path"] == "/etc/postfix/partners_smtpd"
    assert by_service["smtp/inet"]["unused"] is False
    assert by_service[None]["path"] == "/etc/postfix/p" and by_service[None]["unused"] is False


# --------------------------------------------------------------------------- (b) type from a glued parameter
def test_leading_reference_forms():
    assert values.leading_reference("${indexed}generic") == ("indexed", "generic")
    assert values.leading_reference("$indexed/generic") == ("indexed", "/generic")
    assert values.leading_reference("$indexed") is None  # a whole-token reference
    assert values.leading_reference("${my_type}:/x") is None  # a type parameter
    assert values.leading_reference("$indexedgeneric") is None  # one name
    assert values.leading_reference("hash:${tabdir}/x") is None


def test_a_type_from_default_database_type_is_switched_by_the_default_alone():
    main = {"default_database_type": "hash", "indexed": "${default_database_type}:${config_directory}/",
            "smtp_generic_maps": "${indexed}generic", "canonical_maps": "${indexed}canonical"}
    snap = snapshot(main, {"default_database_type": "hash", "indexed": "hash:/etc/postfix/",
                           "smtp_generic_maps": "hash:/etc/postfix/generic",
                           "canonical_maps": "hash:/etc/postfix/canonical"})
    refs, unresolved = references.find_references(snap)
    assert unresolved == []
    assert sorted((r["used_by"]["parameter"], r["definition_site"]["parameter"], r["definition_kind"], r["via"])
                  for r in refs) == [
        ("canonical_maps", "default_database_type", "type_parameter", ["indexed", "default_database_type"]),
        ("smtp_generic_maps", "default_database_type", "type_parameter", ["indexed", "default_database_type"])]
    planned = rewrite.plan(snap, refs, "lmdb", "lmdb")
    assert planned["replacements"] == []
    assert planned["settings"] == {"default_database_type": "lmdb"}


def test_a_literal_type_in_the_glued_parameter_is_rewritten_in_its_text():
    main = {"indexed": "hash:/etc/postfix/", "smtp_generic_maps": "${indexed}generic",
            "canonical_maps": "$indexed/canonical"}
    snap = snapshot(main, {"indexed": "hash:/etc/postfix/", "smtp_generic_maps": "hash:/etc/postfix/generic",
                           "canonical_maps": "hash:/etc/postfix//canonical"})
    refs, unresolved = references.find_references(snap)
    assert unresolved == []
    assert {(r["definition_site"]["parameter"], r["raw"]) for r in refs} == {("indexed", "hash:/etc/postfix/")}
    planned = rewrite.plan(snap, refs, "cdb", "lmdb")
    assert [(r["parameter"], r["old"], r["new"]) for r in planned["replacements"]] == [
        ("indexed", "hash:/etc/postfix/", "cdb:/etc/postfix/")]
    assert rewrite.replace_tokens(main["indexed"], "hash:/etc/postfix/", "cdb:/etc/postfix/") == "cdb:/etc/postfix/"


def test_a_glued_value_of_several_words_is_unresolved_with_the_parameter_named():
    main = {"indexed": "hash:/a, hash:/b", "smtp_generic_maps": "${indexed}generic"}
    snap = snapshot(main, {"indexed": "hash:/a, hash:/b", "smtp_generic_maps": "hash:/a, hash:/bgeneric"})
    unresolved = references.find_references(snap)[1]
    assert len(unresolved) == 1
    assert "$indexed" in unresolved[0]["reason"] and "smtp_generic_maps" in unresolved[0]["reason"]


# --------------------------------------------------------------------------- (c) btree: maps with a source
def test_a_btree_map_becomes_the_cache_type_and_a_hash_map_the_table_type():
    main = {"transport_maps": "btree:/etc/postfix/transport", "virtual_alias_maps": "hash:/etc/postfix/virtual"}
    snap = snapshot(main, dict(main))
    planned = rewrite.plan(snap, references.find_references(snap)[0], "cdb", "lmdb")
    assert sorted((r["parameter"], r["new"]) for r in planned["replacements"]) == [
        ("transport_maps", "lmdb:/etc/postfix/transport"), ("virtual_alias_maps", "cdb:/etc/postfix/virtual")]


# --------------------------------------------------------------------------- (d) nesting
def test_pipemap_and_unionmap_inside_restriction_lists_with_proxy_around_any():
    raw = ("check_recipient_access unionmap:{hash:/etc/postfix/recipient_access, proxy:hash:/etc/postfix/extra},"
           " check_sender_access pipemap:{proxy:hash:/etc/postfix/sender_domains, inline:{ {partner = cls} }},"
           " permit_mynetworks")
    main = {"smtpd_recipient_restrictions": raw,
            "virtual_alias_maps": "proxy:unionmap:{hash:/etc/postfix/virtual, btree:/etc/postfix/virtual_extra}"}
    snap = snapshot(main, dict(main))
    refs, unresolved = references.find_references(snap)
    assert unresolved == []
    assert sorted((r["path"], tuple(r["wrappers"])) for r in refs) == [
        ("/etc/postfix/extra", ("check_recipient_access", "unionmap", "proxy")),
        ("/etc/postfix/recipient_access", ("check_recipient_access", "unionmap")),
        ("/etc/postfix/sender_domains", ("check_sender_access", "pipemap", "proxy")),
        ("/etc/postfix/virtual", ("proxy", "unionmap")),
        ("/etc/postfix/virtual_extra", ("proxy", "unionmap"))]
    planned = rewrite.plan(snap, refs, "cdb", "lmdb")
    text = raw
    for item in planned["replacements"]:
        if item["parameter"] == "smtpd_recipient_restrictions":
            text = rewrite.replace_tokens(text, item["old"], item["new"])
    assert text == raw.replace("hash:", "cdb:")
