"""_planning.disagreement: source and legacy .db that disagree are shown by key and kind (never values), and
refused until the operator names the side that wins."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._planning import disagreement as sides

SOURCE = {b"a@x.test": b"alice", b"edited@x.test": b"new-secret", b"added@x.test": b"bob"}
DB = {b"a@x.test": b"alice", b"edited@x.test": b"old-secret", b"postmap-i@x.test": b"carol"}
PATH = "/etc/postfix/sasl_passwd"
SPEC = "hash:" + PATH


def test_compare_by_kind():
    assert sides.compare(SOURCE, DB) == {"only_in_source": [b"added@x.test"], "only_in_db": [b"postmap-i@x.test"],
                                         "value_differs": [b"edited@x.test"]}
    assert sides.agrees(sides.compare(DB, dict(DB)))


def test_refused_without_a_choice_naming_table_keys_and_variable_never_values():
    with pytest.raises(sides.DisagreementError) as info:
        sides.decide(SPEC, PATH, SOURCE, DB, {})
    text = str(info.value)
    for word in (SPEC, "added@x.test (only in source)", "postmap-i@x.test (only in db)",
                 "edited@x.test (value differs)", "migrate_disagreement", "source", "db"):
        assert word in text
    for value in (b"new-secret", b"old-secret", b"bob", b"carol", b"alice"):
        assert value.decode() not in text


def test_the_choice_by_path_or_by_table_wins():
    assert sides.decide(SPEC, PATH, SOURCE, DB, {PATH: "db"})[0] == "db"
    assert sides.decide(SPEC, PATH, SOURCE, DB, {SPEC: "source"})[0] == "source"
    assert sides.decide(SPEC, PATH, SOURCE, dict(SOURCE), {})[0] is None  # agreeing: nothing to choose
    assert sides.decide(SPEC, PATH, SOURCE, None, {}) == (None, None)  # no .db read


def test_describe_lists_keys_with_kinds_capped_never_values():
    many = {("k%04d" % n).encode(): b"v" for n in range(300)}
    described = sides.describe(sides.compare(many, {}), "source")
    assert described["only_in_source"] == 300 and described["truncated"] and described["chosen"] == "source"
    assert len(described["keys"]) == sides.MAX_KEYS and set(described["keys"][0]) == {"key", "kind"}
    assert "v" not in {item["key"] for item in described["keys"]}
    short = sides.describe(sides.compare(SOURCE, DB))
    assert short["keys"] == [{"key": "added@x.test", "kind": "only_in_source"},
                             {"key": "edited@x.test", "kind": "value_differs"},
                             {"key": "postmap-i@x.test", "kind": "only_in_db"}]
    assert "secret" not in repr(short)


def test_refusal_message_is_capped():
    many = {("k%04d" % n).encode(): b"v" for n in range(50)}
    text = sides.refusal(SPEC, PATH, sides.compare(many, {}))
    assert "k0019" in text and "k0020" not in text and "and 30 more" in text


def test_a_bad_choice_is_refused():
    with pytest.raises(sides.DisagreementError, match="'both'.*'source' or 'db'"):
        sides.check_choices({PATH: "both"})
    sides.check_choices({PATH: "db", "/etc/aliases": "source"})
