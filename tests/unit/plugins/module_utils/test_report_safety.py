"""Issue 16, finding 5b/5c: host-supplied text cannot inject Markdown/HTML into the fleet report; report files
keep their mode (new ones follow the umask) instead of being forced to 0644."""
import os
import re
import stat

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import fleet, render, store

HOSTILE = ("<img src=x onerror=alert(1)> [click](http://evil.example/x) ![p](http://evil.example/p.png) "
           "**bold** `code` ~~gone~~ _em_ a|b &amp; www.evil.example\nline2\r\n<script>alert(2)</script>")


def report_with(error):
    item = {"host": "mx<1>", "run": "migrate", "status": "rolled_back", "started_at": "2026-11-26T11:00:00Z",
            "finished_at": "2026-11-26T11:00:00Z", "postfix_version": "3.11.7<b>", "levels_before": {"/etc/postfix": "disable"},
            "levels_after": {"/etc/postfix": "disable"}, "tables_migrated": [], "references_rewritten": 0,
            "downtime_seconds": 0.0, "findings": {}, "backup_path": "/var/backups/[x](http://e.x)", "error": error}
    return fleet.build_report({"mx<1>": fleet.add_record(None, item)}, ["mx<1>"], "migrate_fleet",
                              "2026-11-26T12:00:00Z", "Fleet *title*")


def host_row(text):
    return [line for line in text.splitlines() if line.startswith("| mx")][0]


def test_markdown_escapes_host_supplied_text():
    row = host_row(render.markdown(report_with(HOSTILE)))
    for raw in ("<img", "<script", "**bold**", "`code`", "~~gone~~", " _em_ ", "http://", "www.evil"):
        assert raw not in row, (raw, row)
    assert not re.search(r"(?<!\\)[\[\]]", row), row  # no bracket left unescaped: no link, no image
    assert "&lt;img" in row and "\\*\\*bold\\*\\*" in row and "a\\|b" in row and "&amp;amp;" in row
    assert "\n" not in row and "\r" not in row
    assert row.count(" | ") == len(render.HEADERS) - 1  # no cell was split or added
    assert "mx&lt;1&gt;" in row or "mx&lt;1>" in row


def test_markdown_keeps_ordinary_text_readable():
    row = host_row(render.markdown(report_with("postmap: fatal: open /etc/postfix/virtual_maps.lmdb: No space")))
    assert "postmap: fatal: open /etc/postfix/virtual_maps.lmdb: No space" in row


def test_html_escapes_every_host_supplied_field():
    page = render.html(report_with(HOSTILE))
    for raw in ("<img", "<script", "<b>", "mx<1>"):
        assert raw not in page, raw
    assert "&lt;script&gt;" in page and "3.11.7&lt;b&gt;" in page and 'data-host="mx&lt;1&gt;"' in page


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_new_report_file_follows_the_umask(tmp_path, umask_027):  # pylint: disable=unused-argument,redefined-outer-name
    path = str(tmp_path / "fleet-report.md")
    store.write_text(path, "one\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_existing_report_file_keeps_its_mode(tmp_path):
    path = str(tmp_path / "fleet-report.md")
    with open(path, "w") as handle:
        handle.write("old\n")
    os.chmod(path, 0o600)
    store.write_text(path, "new\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert open(path).read() == "new\n"
