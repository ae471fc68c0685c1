"""Issue 19 §1: the record's detail (record_detail, the role's summary filter): every table, every reference with its
line before and after, every finding, Berkeley DB per instance; secrets masked; masking twice changes nothing."""
import json

from ansible_collections.mailops.nbdb.plugins.module_utils import _masking
from ansible_collections.mailops.nbdb.plugins.module_utils._reporting.detail import record_detail
from ansible_collections.mailops.nbdb.plugins.filter.record_detail import FilterModule

from tests.unit import report_records as synthetic


def detail(check_mode=False, switch=True):
    before = synthetic.info()
    return record_detail(before, synthetic.prebuild(before, check_mode), synthetic.switch() if switch else {},
                         synthetic.security(), [])


def test_every_table_with_role_entries_owner_mode_and_the_file_built():
    tables = dict((table["name"], table) for table in detail()["tables"])
    assert set(tables) == {"hash:/etc/aliases", "hash:/etc/postfix/access", "hash:/etc/postfix/sasl_passwd",
                           "hash:/etc/postfix/virtual", "btree:/var/lib/postfix/verify_cache",
                           "hash:/etc/postfix/old_relays"}
    aliases = tables["hash:/etc/aliases"]
    assert (aliases["role"], aliases["target"], aliases["entries"], aliases["owner"], aliases["mode"], aliases["of"]) == (
        "alias", "lmdb:/etc/aliases", 24, "root:postfix", "0640", "db")
    assert aliases["target_file"] == "/etc/aliases.lmdb" and aliases["action"] == "build"
    assert tables["hash:/etc/postfix/virtual"]["rebuilt_at_switch"] and tables["hash:/etc/postfix/virtual"]["matches_legacy"] is False
    assert tables["hash:/etc/postfix/old_relays"]["recovered_source"] == "/etc/postfix/old_relays"
    cache = tables["btree:/var/lib/postfix/verify_cache"]
    assert cache["role"] == "cache" and cache["action"] is None and cache["owner"] is None


def test_references_carry_the_definition_site_and_the_lines_before_and_after():
    refs = dict((ref["table"], ref) for ref in detail()["references"])
    alias = refs["hash:/etc/aliases"]
    assert alias["defined_at"] == "/etc/postfix/main.cf:2" and alias["parameter"] == "alias_maps"
    assert (alias["before"], alias["after"]) == ("alias_maps = hash:/etc/aliases", "alias_maps = lmdb:/etc/aliases")
    access = refs["hash:/etc/postfix/access"]  # on a continuation line of its parameter
    assert access["defined_at"] == "/etc/postfix/main.cf:3"
    assert access["before"].strip() == "check_client_access hash:/etc/postfix/access,"
    assert access["after"].strip() == "check_client_access lmdb:/etc/postfix/access,"


def test_without_a_diff_the_table_text_and_its_new_type_are_shown():
    refs = dict((ref["table"], ref) for ref in detail(switch=False)["references"])
    assert (refs["hash:/etc/aliases"]["before"], refs["hash:/etc/aliases"]["after"]) == (
        "hash:/etc/aliases", "lmdb:/etc/aliases")


def test_secrets_never_reach_the_detail_and_the_masked_line_still_shows_the_switch():
    text = json.dumps(detail())
    for secret in (synthetic.SECRET_PASSWORD, synthetic.DNSBL_KEY, synthetic.TABLE_VALUE):
        assert secret not in text
    sasl = [ref for ref in detail()["references"] if ref["parameter"] == "smtp_sasl_password_maps"][0]
    assert sasl["before"] == "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd, static:" + _masking.MASK
    assert sasl["after"] == "smtp_sasl_password_maps = lmdb:/etc/postfix/sasl_passwd, static:" + _masking.MASK
    evidence = [item["evidence"] for item in detail()["findings"] if item["id"] == "inline.secret"][0]
    assert _masking.MASK in evidence


def test_masking_a_masked_text_again_changes_nothing():
    once = _masking.mask_text(synthetic.MAIN_CF)
    assert _masking.mask_text(once) == once and synthetic.SECRET_PASSWORD not in once
    assert "hash:/etc/postfix/sasl_passwd" in once  # where the secret is stays readable
    assert _masking.mask_value("smtp_sasl_password_maps", " hunter2") == " " + _masking.MASK  # a bare one still goes


def test_findings_and_berkeley_db_per_instance():
    found = detail()
    assert [item["severity"] for item in found["findings"]] == ["high", "medium", "info"]
    assert found["findings"][0]["fixed"] is True and found["findings"][0]["remedy"].startswith("chmod 0600")
    assert found["berkeley_db"] == [{"instance": "/etc/postfix", "state": "available", "readable": True,
                                     "note": "Berkeley DB works: legacy .db files are read and compared", "message": None}]


def test_the_filter_is_record_detail_and_copes_with_skipped_results():
    assert FilterModule().filters()["record_detail"] is record_detail
    empty = record_detail({}, {"skipped": True}, {}, {}, None)
    assert empty == {"tables": [], "references": [], "findings": [], "berkeley_db": [], "writers": []}
