"""The source parser says exactly what the real postmap/postalias build (3.11, 3.10, 3.7)."""
import pathlib

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import indexed, table_source

pytestmark = pytest.mark.integration

TABLES = pathlib.Path(__file__).resolve().parent / "tables"
# Bytes the repository's text files may not hold (sanity: line endings, UTF-8).
AWKWARD_LINES = b"crlf windows-line-ending\r\n\xff\xfebinary-key value with latin1 \xe9\n"


def tricky_maps():
    return (TABLES / "maps-tricky").read_bytes() + AWKWARD_LINES


def built_content(host, tool, table, map_type, fold_case=True):
    flags = [] if fold_case else ["-f"]
    host.run([tool] + flags + ["%s:%s" % (map_type, table)])
    if map_type == "cdb":  # Postfix 3.7 cannot list cdb tables; read the real file
        items = indexed.cdb_items(host.run(["cat", table + ".cdb"], binary=True).stdout)
        return indexed.clean_items(items, alias=tool == "postalias")
    dump = host.run([tool] + flags + ["-s", "%s:%s" % (map_type, table)], binary=True).stdout
    return indexed.parse_dump(dump, alias=tool == "postalias")


@pytest.mark.parametrize("distro", ["sid", "trixie", "bookworm"])
@pytest.mark.parametrize("fold_case", [True, False])
def test_parser_matches_real_postmap_and_postalias(postfix_host, distro, fold_case):
    maps = tricky_maps()
    aliases = (TABLES / "aliases-tricky").read_bytes()
    host = postfix_host(distro, files={"/etc/postfix/maps-tricky": maps, "/etc/postfix/aliases-tricky": aliases})
    utf8 = host.postconf("-xh", "smtputf8_enable").strip() == "yes"
    for map_type in ("lmdb", "cdb", "hash"):
        real = built_content(host, "postmap", "/etc/postfix/maps-tricky", map_type, fold_case)
        parsed = table_source.parse_map(maps, fold_case, utf8)
        assert parsed.entries == real, (map_type, set(parsed.entries.items()) ^ set(real.items()))
        real = built_content(host, "postalias", "/etc/postfix/aliases-tricky", map_type, fold_case)
        parsed = table_source.parse_aliases(aliases, fold_case, utf8)
        assert parsed.entries == real, (map_type, set(parsed.entries.items()) ^ set(real.items()))
    assert len(parsed.entries) > 25


def test_parser_reports_the_lines_postmap_warns_about(postfix_host):
    maps = tricky_maps()
    host = postfix_host("sid", files={"/etc/postfix/maps-tricky": maps})
    warnings = host.run(["postmap", "lmdb:/etc/postfix/maps-tricky"]).stderr
    parsed = table_source.parse_map(maps)
    for line, text in parsed.warnings:
        if text.startswith("duplicate"):
            assert "duplicate entry" in warnings
        else:
            assert "line %d: %s" % (line, text) in warnings or text in warnings, (line, text, warnings)
    expected = {"expected format: key whitespace value", "logical line must not start with whitespace",
                "non-UTF-8 input"}
    assert {text for dummy, text in parsed.warnings} >= expected
