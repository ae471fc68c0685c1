"""Planning the configuration switch (pure logic over a recorded configuration)."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import references
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import config_write
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import rewrite

from tests.unit.recorded import FIXTURES, load


@pytest.mark.parametrize("text, old, new, expected", [
    ("hash:/x, texthash:/x", "hash:/x", "lmdb:/x", "lmdb:/x, texthash:/x"),
    ("proxy:hash:/x hash:/xy", "hash:/x", "lmdb:/x", "proxy:lmdb:/x hash:/xy"),
    ("unionmap:{hash:/a, lmdb:/b}", "hash:/a", "cdb:/a", "unionmap:{cdb:/a, lmdb:/b}"),
    ("my_type = btree", "btree", "lmdb", "my_type = lmdb"),
    ("-o x=hash:/a}", "hash:/a", "lmdb:/a", "-o x=lmdb:/a}"),
])
def test_replace_tokens_only_whole_texts(text, old, new, expected):
    assert rewrite.replace_tokens(text, old, new) == expected


def test_plan_and_apply_the_recorded_configuration():
    snapshot = load("sid-nasty")
    refs = references.find_references(snapshot)[0]
    planned = rewrite.plan(snapshot, refs, "lmdb", "lmdb")
    changes = sorted((r["parameter"], r["service"], r["old"], r["new"]) for r in planned["replacements"])
    assert changes == [
        ("alias_maps", None, "hash:/srv/mail/aliases", "lmdb:/srv/mail/aliases"),
        ("klass", None, "btree:/etc/postfix/klass", "lmdb:/etc/postfix/klass"),
        ("my_access", None, "hash:/etc/postfix/access", "lmdb:/etc/postfix/access"),
        ("my_local", "submission/inet", "hash:/etc/postfix/sub_local", "lmdb:/etc/postfix/sub_local"),
        ("my_type", None, "btree", "lmdb"),
        ("proxy_read_maps", None, "hash:/etc/postfix/tables/relay", "lmdb:/etc/postfix/tables/relay"),
        ("smtpd_sender_restrictions", None, "hash:$tabdir/sender_access", "lmdb:$tabdir/sender_access"),
        ("transport_maps", None, "hash:${tabdir}/transport", "lmdb:${tabdir}/transport"),
    ]
    assert planned["settings"] == {"default_database_type": "lmdb"}
    main = (FIXTURES / "sid-nasty" / "main.cf").read_text()
    new_main = config_write.apply_main(main, [r for r in planned["replacements"] if not r["service"]], planned["settings"])
    assert "default_database_type = lmdb\n" in new_main and "default_database_type = hash" not in new_main
    assert "texthash:/etc/postfix/hc" in new_main and "HASH:$tabdir/virtual" in new_main
    changed = [(a, b) for a, b in zip(main.splitlines(), new_main.splitlines()) if a != b]
    assert len(main.splitlines()) == len(new_main.splitlines())
    assert all(a.split("=")[0] == b.split("=")[0] for a, b in changed) and len(changed) == 8
    master = (FIXTURES / "sid-nasty" / "master.cf").read_text()
    new_master = config_write.apply_master(master, [r for r in planned["replacements"] if r["service"]])
    assert [b for a, b in zip(master.splitlines(), new_master.splitlines()) if a != b] == [
        l.replace("hash:/etc/postfix/sub_local", "lmdb:/etc/postfix/sub_local")
        for l in master.splitlines() if "my_local=hash:" in l and not l.lstrip().startswith("#")]


def test_exclude_keeps_references_and_refuses_shared_sites():
    snapshot = load("sid-nasty")
    refs = references.find_references(snapshot)[0]
    planned = rewrite.plan(snapshot, refs, "cdb", "lmdb", exclude=["/etc/postfix/klass"])
    assert [r["expanded"] for r in planned["excluded"]] == ["btree:/etc/postfix/klass"]
    assert all(r["parameter"] != "klass" for r in planned["replacements"])
    with pytest.raises(rewrite.RewriteError, match="also that of an excluded"):
        rewrite.plan(snapshot, refs, "lmdb", "lmdb", exclude=["local_recipient_maps"])


def test_untraced_reference_is_refused():
    snapshot = load("sid-nasty")
    refs = references.find_references(snapshot)[0]
    refs[0]["definition_site"] = None
    with pytest.raises(rewrite.RewriteError, match="could not be traced"):
        rewrite.plan(snapshot, refs, "lmdb", "lmdb")
