"""Tables built with postmap -F (issue 15 part 1): when the flag is needed, what the table then holds, and the
reasons a named file is refused. What postmap -F itself stores is checked on real Postfix in
tests/integration/test_reference_forms.py (the sni table of the reference-forms configuration)."""
import base64
import os
import pathlib

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import table_source, tables
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import reindex
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import reindex as plan


def test_file_names_split_like_postfix():
    assert plan.file_names(b"/k.pem /c.pem") == [b"/k.pem", b"/c.pem"]
    assert plan.file_names(b"/k.pem,/c.pem\t, /d.pem") == [b"/k.pem", b"/c.pem", b"/d.pem"]
    assert plan.file_names(b"") == []


def test_file_value_is_the_contents_joined_by_a_newline_in_base64():
    # measured on 3.11.7: "KEY1\n" + "CERT1\n" -> S0VZMQoKQ0VSVDEK, "KEY2" + "CERT1\n" -> S0VZMgpDRVJUMQo=
    assert plan.file_value([b"KEY1\n", b"CERT1\n"]) == b"S0VZMQoKQ0VSVDEK"
    assert plan.file_value([b"KEY2", b"CERT1\n"]) == b"S0VZMgpDRVJUMQo="


@pytest.mark.parametrize("requested, sni, built, candidate, wanted", [
    (None, True, (None, None), None, True),              # tls_server_sni_maps: Postfix requires -F
    (None, False, (None, None), {b"a": b"QQ=="}, False),  # nothing built says so
    (None, False, ({b"a": b"QQ=="}, None), {b"a": b"QQ=="}, True),  # the legacy .db was built with -F
    (None, False, (None, {b"a": b"QQ=="}), {b"a": b"QQ=="}, True),  # so was the installed new file
    (None, False, ({b"a": b"OK"}, None), {b"a": b"QQ=="}, False),
    (None, False, ({b"a": b"QQ=="}, None), None, False),  # values that do not name files
    (False, True, (None, None), None, False),             # as asked
    (True, False, (None, None), None, True),
])
def test_needs_file_values(requested, sni, built, candidate, wanted):
    assert plan.needs_file_values(requested, sni, built, candidate) is wanted


def test_base64_values_decides_whether_files_are_worth_reading():
    assert plan.base64_values(({b"a": b"S0VZMQo="}, None))
    assert not plan.base64_values(({b"a": b"OK"}, None))
    assert not plan.base64_values((None, {}))
    assert not plan.base64_values(({b"a": b""}, None))


def test_discovery_reports_the_flag_for_sni_tables_only():
    refs = [{"config_dir": "/etc/postfix", "type": "hash", "path": "/nonexistent/sni",
             "used_by": {"parameter": "tls_server_sni_maps", "service": None}},
            {"config_dir": "/etc/postfix", "type": "hash", "path": "/nonexistent/virtual",
             "used_by": {"parameter": "virtual_alias_maps", "service": None}}]
    found = {t["path"]: t["flags"] for t in tables.group_tables("default", refs, "lmdb", "lmdb")}
    assert found == {"/nonexistent/sni": ["-F"], "/nonexistent/virtual": []}
    assert "tls_server_sni_maps" in tables.FILE_VALUE_PARAMETERS


class FakeRequest:
    def __init__(self, path):
        self.path = path
        self.spec = "hash:" + path


def sni_source(tmp_path, text):
    path = tmp_path / "sni"
    path.write_text(text)
    return FakeRequest(str(path)), table_source.parse(path.read_bytes(), False)


def test_file_values_reads_the_named_files(tmp_path):
    (tmp_path / "k.pem").write_bytes(b"KEY\n")
    (tmp_path / "c.pem").write_bytes(b"CHAIN\n")
    request, source = sni_source(tmp_path, "mail.a.test %s/k.pem,%s/c.pem\n" % (tmp_path, tmp_path))
    found = reindex.file_values(request, source, True)
    assert found == {b"mail.a.test": base64.b64encode(b"KEY\n\nCHAIN\n")}


def test_a_missing_named_file_is_the_reason_with_its_line(tmp_path):
    (tmp_path / "k.pem").write_bytes(b"KEY\n")
    request, source = sni_source(tmp_path, "# two names\nmail.a.test %s/k.pem\nmail.b.test %s/gone.pem\n"
                                 % (tmp_path, tmp_path))
    with pytest.raises(plan.PlanError) as exc:
        reindex.file_values(request, source, True)
    text = str(exc.value)
    assert "line 3" in text and "gone.pem" in text and "mail.b.test" in text and "No such file" in text
    assert reindex.file_values(request, source, False) is None  # not required: simply not a -F table


def test_relative_and_non_regular_names_are_refused(tmp_path):
    request, source = sni_source(tmp_path, "mail.a.test k.pem\n")
    with pytest.raises(plan.PlanError, match="not an absolute file name"):
        reindex.file_values(request, source, True)
    request, source = sni_source(tmp_path, "mail.a.test %s\n" % tmp_path)
    with pytest.raises(plan.PlanError, match="not a regular file"):
        reindex.file_values(request, source, True)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own files as another user")
def test_a_file_the_sources_owner_cannot_read_is_refused(tmp_path):
    key = tmp_path / "k.pem"
    key.write_bytes(b"ROOT ONLY\n")
    os.chmod(str(key), 0o600)
    request, source = sni_source(tmp_path, "mail.a.test %s\n" % key)
    os.chown(request.path, 65534, 65534)
    with pytest.raises(plan.PlanError, match="cannot read"):
        reindex.file_values(request, source, True)


def test_readable_by_follows_owner_group_other():
    class Info:
        def __init__(self, uid, gid, mode):
            self.st_uid, self.st_gid, self.st_mode = uid, gid, mode
    assert reindex._readable_by(Info(5, 0, 0o400), 5, {9})
    assert not reindex._readable_by(Info(0, 9, 0o600), 5, {9})
    assert reindex._readable_by(Info(0, 9, 0o640), 5, {9})
    assert not reindex._readable_by(Info(0, 0, 0o640), 5, {9})
    assert reindex._readable_by(Info(0, 0, 0o644), 5, {9})


class TypedRequest:
    def __init__(self, source_type):
        self.source_type = source_type


def test_a_verification_reads_the_legacy_db_by_its_access_method(tmp_path):
    """table_reindex on lmdb:/x (the role's verification) dumps x.db for key folding: a former btree: map's .db must
    be dumped as btree (as hash, postmap fails with "Invalid argument"; seen on 3.11.7)."""
    import gzip
    fixtures = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "bdb" / "sid"
    for kind in ("btree", "hash"):
        db = tmp_path / ("few.%s.db" % kind)
        db.write_bytes(gzip.decompress((fixtures / ("few.%s.db.gz" % kind)).read_bytes()))
        assert reindex.legacy_type(TypedRequest("lmdb"), str(db)) == kind
        assert reindex.legacy_type(TypedRequest("hash"), str(db)) == "hash"  # as asked
    assert reindex.legacy_type(TypedRequest("cdb"), str(tmp_path / "gone.db")) == "hash"
