"""Issue 16, finding 5a: built sensitive tables end 0600 (0640 only under proxy:), not source & ~0o007 (0640).

build sets exactly this mode on the built file's descriptor: test_descriptors.test_build_gives_the_planned_mode_..."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._planning import reindex as plan


@pytest.mark.parametrize("source, sensitive, proxied, expected", [
    (0o644, False, False, 0o644), (0o666, False, False, 0o644), (0o640, False, True, 0o640),
    (0o644, True, False, 0o600), (0o640, True, False, 0o600), (0o600, True, False, 0o600), (0o400, True, False, 0o400),
    (0o644, True, True, 0o640), (0o640, True, True, 0o640), (0o600, True, True, 0o600), (0o604, True, True, 0o600),
])
def test_table_mode(source, sensitive, proxied, expected):
    assert plan.table_mode(source, sensitive, proxied) == expected
