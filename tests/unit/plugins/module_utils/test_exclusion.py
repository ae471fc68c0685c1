"""What a migration changes and keeps, decided once (issue 15 §4): _planning/exclusion.decide."""
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import exclusion

MAIN = "/etc/postfix/main.cf"


def ref(expanded, parameter, kind="literal", site_parameter=None, line=1, config_dir="/etc/postfix"):
    map_type, path = expanded.split(":", 1)
    return {"expanded": expanded, "type": map_type, "path": path, "config_dir": config_dir,
            "used_by": {"parameter": parameter, "service": None}, "definition_kind": kind,
            "definition_site": {"parameter": site_parameter or parameter, "file": MAIN, "line": line, "service": None,
                                "origin": "main.cf"}}


def table(name, role="map", config_dir="/etc/postfix"):
    map_type, path = name.split(":", 1)
    new = "lmdb:" + path
    return {"name": name, "type": map_type, "path": path, "config_dir": config_dir, "role": role, "target": new}


def discovery(refs, tables, levels=("disable",), has_levels=True, legacy_defaults=()):
    return {"references": refs, "tables": tables, "postfix": {"has_levels": has_levels},
            "instances": [{"config_dir": "/etc/postfix", "migration_level": level} for level in levels],
            "summary": {"instances_with_legacy_defaults": list(legacy_defaults)}}


ALIASES = ref("hash:/etc/aliases", "alias_maps")
VIRTUAL = ref("hash:/etc/postfix/virtual", "virtual_alias_maps", line=4)
VIRTUAL_SENDER = ref("hash:/etc/postfix/virtual", "smtpd_sender_login_maps", line=9)
CACHE = ref("btree:/var/lib/postfix/verify_cache", "address_verify_map", line=12)
HOST = discovery([ALIASES, VIRTUAL, VIRTUAL_SENDER, CACHE],
                 [table("hash:/etc/aliases", "alias"), table("hash:/etc/postfix/virtual"),
                  table("btree:/var/lib/postfix/verify_cache", "cache")])


def test_nothing_excluded_migrates_everything_and_builds_every_table_but_caches():
    plan = exclusion.decide(HOST, [], "enable-redirect")
    assert plan["needed"] and plan["refusals"] == [] and plan["exclude_unmatched"] == []
    assert plan["references_kept"] == [] and plan["tables_kept"] == []
    assert plan["instances"]["/etc/postfix"] == {
        "build": ["hash:/etc/aliases", "hash:/etc/postfix/virtual"],
        "verify": ["lmdb:/etc/aliases", "lmdb:/etc/postfix/virtual"]}
    assert plan["tables_migrated"] == ["lmdb:/etc/aliases", "lmdb:/etc/postfix/virtual",
                                       "lmdb:/var/lib/postfix/verify_cache"]
    assert plan["level_after"] == "enable-redirect"


def test_every_spelling_of_an_exclusion_keeps_the_same_table():
    for spelling in ("/etc/postfix/virtual", "hash:/etc/postfix/virtual"):
        plan = exclusion.decide(HOST, [spelling], "disable")
        assert plan["references_kept"] == ["hash:/etc/postfix/virtual"], spelling
        assert plan["tables_kept"] == ["hash:/etc/postfix/virtual"], spelling
        assert "hash:/etc/postfix/virtual" not in plan["instances"]["/etc/postfix"]["build"], spelling
        assert plan["refusals"] == [] and plan["exclude_unmatched"] == [], spelling


def test_a_table_still_used_by_a_migrated_reference_is_built_and_kept_serving():
    plan = exclusion.decide(HOST, ["smtpd_sender_login_maps"], "disable")
    assert plan["references_kept"] == ["hash:/etc/postfix/virtual"]  # the excluded parameter's use of it
    assert "hash:/etc/postfix/virtual" in plan["references_migrated"]  # virtual_alias_maps' use
    assert plan["tables_kept"] == [] and "hash:/etc/postfix/virtual" in plan["instances"]["/etc/postfix"]["build"]


def test_excluding_everything_needs_nothing_unless_a_default_type_is_legacy():
    plan = exclusion.decide(HOST, ["alias_maps", "virtual_alias_maps", "smtpd_sender_login_maps",
                                   "address_verify_map"], "disable")
    assert not plan["needed"] and plan["tables_migrated"] == [] and plan["instances"]["/etc/postfix"]["build"] == []
    with_defaults = dict(HOST, summary={"instances_with_legacy_defaults": ["-"]})
    assert exclusion.decide(with_defaults, ["/etc/aliases"], "disable")["needed"]


def test_an_excluded_table_that_the_level_would_redirect_refuses_the_host_with_the_remedy():
    for level in ("enable-redirect", "enable-reindex"):
        plan = exclusion.decide(HOST, ["/etc/aliases"], level)
        assert len(plan["refusals"]) == 1, level
        assert "hash:/etc/aliases is excluded" in plan["refusals"][0] and "migrate_level: disable" in plan["refusals"][0]
        assert "enable-redirect" in plan["refusals"][0]  # enable-reindex goes through enable-redirect
    assert exclusion.decide(HOST, ["/etc/aliases"], "disable")["refusals"] == []


def test_keep_judges_the_level_the_host_already_runs_at():
    at_redirect = dict(HOST, instances=[{"config_dir": "/etc/postfix", "migration_level": "enable-redirect"}])
    assert exclusion.decide(at_redirect, ["/etc/aliases"], "keep")["refusals"]
    assert exclusion.decide(HOST, ["/etc/aliases"], "keep")["refusals"] == []  # HOST is at disable


def test_without_levels_nothing_is_redirected():
    old = dict(HOST, postfix={"has_levels": False})
    plan = exclusion.decide(old, ["/etc/aliases"], "enable-redirect")
    assert plan["level_after"] is None and plan["refusals"] == []


def test_an_excluded_table_typed_by_default_database_type_is_refused_naming_where_to_pin_it():
    typed = ref("hash:/etc/postfix/generic", "smtp_generic_maps", kind="type_parameter",
                site_parameter="default_database_type", line=7)
    host = discovery([ALIASES, typed], [table("hash:/etc/aliases", "alias"), table("hash:/etc/postfix/generic")],
                     legacy_defaults=["-"])
    plan = exclusion.decide(host, ["smtp_generic_maps"], "disable")
    assert len(plan["refusals"]) == 1
    assert "its type comes from default_database_type, which the migration switches" in plan["refusals"][0]
    assert "%s line 7" % MAIN in plan["refusals"][0] and "smtp_generic_maps" in plan["refusals"][0]
    literal = exclusion.decide(host, ["alias_maps"], "disable")
    assert literal["refusals"] == []  # a literal hash: keeps its type whatever the default


def test_exclusions_that_match_nothing_are_reported():
    plan = exclusion.decide(HOST, ["/etc/postfix/virtaul", "virtual_alias_maps", "hash:/etc/nope"], "disable")
    assert plan["exclude_unmatched"] == ["/etc/postfix/virtaul", "hash:/etc/nope"]


def test_level_not_given_is_not_judged():
    assert exclusion.decide(HOST, ["/etc/aliases"])["refusals"] == []
