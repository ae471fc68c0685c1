"""Reference extraction over recorded postconf output of a real Postfix 3.11.7.

The recording (tests/unit/fixtures/sid-nasty, made by its setup.sh) holds $name and ${name}
indirection chains, a type given by a parameter, proxy:unionmap:{...}, restriction lists,
a restriction class, master.cf -o overrides with { ... } values, texthash: and HASH: look-alikes.
Expected values are written by hand from setup.sh; line numbers are looked up in the recorded files.
"""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import references
from tests.unit.recorded import FIXTURES, load


def line_of(name, prefix):
    """Line number of the first line starting with prefix in a recorded file (independent lookup)."""
    for number, line in enumerate((FIXTURES / "sid-nasty" / name).read_text().splitlines(), 1):
        if line.startswith(prefix):
            return number
    raise AssertionError("%s not in %s" % (prefix, name))


def main_site(parameter):
    return {"file": "/etc/postfix/main.cf", "line": line_of("main.cf", parameter + " ="),
            "parameter": parameter, "service": None, "origin": "main.cf"}


def default_site(parameter):
    return {"file": None, "line": None, "parameter": parameter, "service": None, "origin": "default"}


def submission_site(parameter):
    text = (FIXTURES / "sid-nasty" / "master.cf").read_text().splitlines()
    line = next(n for n, l in enumerate(text, 1)
                if not l.lstrip().startswith("#") and (("-o " + parameter) in l or ("-o { " + parameter) in l))
    return {"file": "/etc/postfix/master.cf", "line": line, "parameter": parameter,
            "service": "submission/inet", "origin": "master.cf"}


@pytest.fixture(scope="module")
def found():
    return references.find_references(load("sid-nasty"))


def _summary(refs):
    return [(r["used_by"]["service"], r["used_by"]["parameter"], r["expanded"], r["definition_site"],
             r["definition_kind"], r["via"], r["wrappers"], r["raw"]) for r in refs]


def test_every_reference_with_its_definition_site(found):
    refs, unresolved = found
    assert unresolved == []
    assert _summary(refs) == [
        (None, "address_verify_map", "btree:/var/lib/postfix/verify_cache", main_site("my_type"),
         "type_parameter", ["my_type"], [], "${my_type}:$data_directory/verify_cache"),
        (None, "address_verify_transport_maps", "hash:/etc/postfix/tables/transport", main_site("transport_maps"),
         "literal", ["transport_maps"], [], "hash:${tabdir}/transport"),
        (None, "alias_maps", "hash:/etc/aliases", main_site("default_database_type"),
         "type_parameter", ["default_database_type"], [], "$default_database_type:/etc/aliases"),
        (None, "alias_maps", "hash:/srv/mail/aliases", main_site("alias_maps"),
         "literal", [], ["proxy", "unionmap"], "hash:/srv/mail/aliases"),
        (None, "klass", "btree:/etc/postfix/klass", main_site("klass"),
         "literal", [], ["check_sender_access"], "btree:/etc/postfix/klass"),
        (None, "local_recipient_maps", "hash:/etc/aliases", main_site("default_database_type"),
         "type_parameter", ["alias_maps", "default_database_type"], [], "$default_database_type:/etc/aliases"),
        (None, "local_recipient_maps", "hash:/srv/mail/aliases", main_site("alias_maps"),
         "literal", ["alias_maps"], ["proxy", "unionmap"], "hash:/srv/mail/aliases"),
        (None, "proxy_read_maps", "hash:/etc/postfix/tables/relay", main_site("proxy_read_maps"),
         "literal", [], [], "hash:/etc/postfix/tables/relay"),
        (None, "smtpd_sender_restrictions", "hash:/etc/postfix/tables/sender_access",
         main_site("smtpd_sender_restrictions"), "literal", [], ["check_sender_access", "proxy"],
         "hash:$tabdir/sender_access"),
        (None, "transport_maps", "hash:/etc/postfix/tables/transport", main_site("transport_maps"),
         "literal", [], [], "hash:${tabdir}/transport"),
        ("submission/inet", "smtpd_client_restrictions", "hash:/etc/postfix/access", main_site("my_access"),
         "literal", ["mua_client_restrictions", "my_access"], ["check_client_access"], "hash:/etc/postfix/access"),
        ("submission/inet", "smtpd_sender_restrictions", "hash:/etc/postfix/sub_local", submission_site("my_local"),
         "literal", ["my_local"], ["check_sender_access"], "hash:/etc/postfix/sub_local"),
    ]


def test_used_by_names_the_place_of_use(found):
    refs = found[0]
    by_param = {(r["used_by"]["service"], r["used_by"]["parameter"]): r["used_by"] for r in refs}
    assert by_param[(None, "local_recipient_maps")] == default_site("local_recipient_maps")
    assert by_param[("submission/inet", "smtpd_client_restrictions")] == submission_site("smtpd_client_restrictions")


def test_lookalikes_are_listed_not_counted():
    lookalikes = references.find_lookalikes(load("sid-nasty"))
    assert sorted((item["site"]["parameter"], item["text"]) for item in lookalikes) == [
        ("header_checks", "texthash:/etc/postfix/hc"),
        ("virtual_alias_maps", "HASH:$tabdir/virtual"),
    ]


def test_untraceable_expression_is_reported_not_dropped():
    snapshot = load("sid-nasty")
    snapshot.main_raw["transport_maps"] = "${{$compatibility_level} <level {3.11} ? {hash:/a} : {hash:/b}}"
    snapshot.main_expanded["transport_maps"] = "hash:/b"
    refs, unresolved = references.find_references(snapshot)
    mine = [r for r in refs if r["used_by"]["parameter"] == "transport_maps"]
    assert [(r["expanded"], r["definition_site"]) for r in mine] == [("hash:/b", None)]
    reasons = [u["reason"] for u in unresolved if u["used_by"]["parameter"] == "transport_maps"]
    assert len(reasons) == 1 and "does not trace" in reasons[0]


def test_parse_postconf_services_keeps_addresses_with_colons():
    parsed = references.parse_postconf_services(
        "127.0.0.1:10025/inet/smtpd_recipient_restrictions = check_recipient_access hash:/x\n"
        "relay/unix/syslog_name = postfix/$service_name\n")
    assert parsed == {"127.0.0.1:10025/inet": {"smtpd_recipient_restrictions": "check_recipient_access hash:/x"},
                      "relay/unix": {"syslog_name": "postfix/$service_name"}}


def test_unused_parameters_are_read_from_postconf_warnings():
    stderr = ("postconf: warning: /etc/postfix/main.cf: unused parameter: virtual_mailbox_limit_maps=hash:/q\n"
              "postconf: warning: /etc/postfix/master.cf: unused parameter: my_unused=hash:/z\n")
    assert references.parse_unused(stderr, "/etc/postfix/main.cf") == {"virtual_mailbox_limit_maps": "hash:/q"}


def test_unused_parameter_is_a_reference_marked_unused():
    snapshot = load("sid-nasty")
    snapshot.main_raw["virtual_mailbox_limit_maps"] = "hash:$tabdir/quota"
    snapshot.main_expanded["virtual_mailbox_limit_maps"] = "hash:/etc/postfix/tables/quota"
    refs = references.find_references(snapshot)[0]
    mine = [r for r in refs if r["used_by"]["parameter"] == "virtual_mailbox_limit_maps"]
    assert [(r["expanded"], r["unused"], r["raw"]) for r in mine] == [
        ("hash:/etc/postfix/tables/quota", True, "hash:$tabdir/quota")]
    assert all(r["unused"] is False for r in refs if r is not mine[0])
