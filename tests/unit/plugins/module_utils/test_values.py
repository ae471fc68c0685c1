"""Parsing of Postfix values: lists, groups, table specs, $name forms, look-alikes."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import values


@pytest.mark.parametrize("text, tokens", [
    ("a, b c,,d", ["a", "b", "c", "d"]),
    ("check_client_access hash:/x,\n\tpermit", ["check_client_access", "hash:/x", "permit"]),
    ("unionmap:{hash:/a, lmdb:/b} c", ["unionmap:{hash:/a, lmdb:/b}", "c"]),
    ("{ a b } c", ["{ a b }", "c"]),
    ("inline:{ {k = v w}, x=y }", ["inline:{ {k = v w}, x=y }"]),
    ("", []),
])
def test_split_list(text, tokens):
    assert values.split_list(text) == tokens


@pytest.mark.parametrize("text", ["unionmap:{hash:/a", "a }", "{{a}"])
def test_split_list_rejects_unbalanced_braces(text):
    with pytest.raises(values.ValueSyntaxError):
        values.split_list(text)


def _leaves(text):
    return [(leaf.map_type, leaf.name, leaf.wrappers) for leaf in values.tables(text)]


def test_tables_descend_wrappers_and_restrictions():
    text = ("permit_mynetworks, check_client_access proxy:unionmap:{hash:/a, $t:/b},"
            " check_sender_access hash:/c, reject_unauth_destination, pipemap:{lmdb:/d, btree:/e}")
    assert _leaves(text) == [
        ("hash", "/a", ["check_client_access", "proxy", "unionmap"]),
        ("$t", "/b", ["check_client_access", "proxy", "unionmap"]),
        ("hash", "/c", ["check_sender_access"]),
        ("lmdb", "/d", ["pipemap"]),
        ("btree", "/e", ["pipemap"]),
    ]


def test_legacy_tables_ignore_lookalikes_and_case():
    text = "texthash:/etc/x, HASH:/y, lmdb:/etc/hash_tables/z, hash:/ok, mybtree:/no, btree:/also"
    assert [leaf.spec for leaf in values.legacy_tables(text)] == ["hash:/ok", "btree:/also"]
    assert values.legacy_text_count(text) == 2
    assert values.lookalikes(text) == ["texthash:/etc/x", "HASH:/y", "lmdb:/etc/hash_tables/z", "mybtree:/no"]
    assert values.lookalikes("unionmap:{texthash:/etc/a, hash:/b}, ${d?{HASH:$d/v}}") == ["texthash:/etc/a", "HASH:$d/v"]


def test_inline_values_are_not_tables():
    # inline:{key=value} holds literal text; "hash:" inside it is not a table Postfix opens.
    assert values.legacy_tables("inline:{ {x=hash:/y} }") == []
    assert values.legacy_text_count("inline:{ {x=hash:/y} }") == 1


@pytest.mark.parametrize("token, expected", [
    ("$name", "name"), ("${name}", "name"), ("$name/x", None), ("${name?x}", None), ("hash:/x", None),
])
def test_parameter_reference(token, expected):
    assert values.parameter_reference(token) == expected


@pytest.mark.parametrize("token, expected", [
    ("${tabdir?{hash:$tabdir/v}}", ("tabdir", "?", "hash:$tabdir/v", None)),
    ("${x:hash:/d}", ("x", ":", "hash:/d", None)),
    ("${tlsproxy_client_policy?{$tlsproxy_client_policy}:{$smtp_tls_policy_maps}}",
     ("tlsproxy_client_policy", "?", "$tlsproxy_client_policy", "$smtp_tls_policy_maps")),
    ("${x?{a}junk}", None),
    ("${{$compatibility_level} <level {3.11} ? {} : {may}}", None),
    ("$x", None),
])
def test_conditional(token, expected):
    assert values.conditional(token) == expected


def test_table_spec_type_indirection():
    assert values.table_spec("${default_database_type}:/etc/aliases") == ("${default_database_type}", "/etc/aliases")
    assert values.type_parameter("${default_database_type}") == "default_database_type"
    assert values.type_parameter("$t") == "t"
    assert values.type_parameter("hash") is None
