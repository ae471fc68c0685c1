"""Issue 16, finding 5a: built sensitive tables end 0600 (0640 only under proxy:), not source & ~0o007 (0640)."""
import os
import stat
from types import SimpleNamespace

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._execution import reindex
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import reindex as plan


@pytest.mark.parametrize("source, sensitive, proxied, expected", [
    (0o644, False, False, 0o644), (0o666, False, False, 0o644), (0o640, False, True, 0o640),
    (0o644, True, False, 0o600), (0o640, True, False, 0o600), (0o600, True, False, 0o600), (0o400, True, False, 0o400),
    (0o644, True, True, 0o640), (0o640, True, True, 0o640), (0o600, True, True, 0o600), (0o604, True, True, 0o600),
])
def test_table_mode(source, sensitive, proxied, expected):
    assert plan.table_mode(source, sensitive, proxied) == expected


@pytest.mark.parametrize("proxied, expected", [(False, 0o600), (True, 0o640)])
def test_restrict_mode_on_the_installed_file(tmp_path, proxied, expected):
    source, built = tmp_path / "sasl_passwd", tmp_path / "sasl_passwd.lmdb"
    source.write_text("[relay]:587 u:p\n")
    built.write_bytes(b"x")
    os.chmod(str(source), 0o644)
    os.chmod(str(built), 0o640)  # what build gave: source mode & 0644 & ~0o007
    reindex.restrict_mode(SimpleNamespace(path=str(source), proxied=proxied), str(built))
    assert stat.S_IMODE(os.stat(str(built)).st_mode) == expected


def test_restrict_mode_refuses_a_symlink(tmp_path):
    source, other = tmp_path / "sasl_passwd", tmp_path / "other"
    source.write_text("x y\n")
    other.write_bytes(b"x")
    os.chmod(str(other), 0o644)
    (tmp_path / "sasl_passwd.lmdb").symlink_to(other)
    with pytest.raises(reindex.indexed.IndexedFileError, match="symlink"):
        reindex.restrict_mode(SimpleNamespace(path=str(source), proxied=False), str(tmp_path / "sasl_passwd.lmdb"))
    assert stat.S_IMODE(os.stat(str(other)).st_mode) == 0o644
