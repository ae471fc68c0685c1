"""The recorded tier's fixtures are what the real images say today: re-record in the real container and compare.

One configuration per release (sid, trixie, bookworm) beside the ones tests/integration/test_nbdb_info.py runs
live, so every configuration meets a real host somewhere, and every broken-host recording (Postfix's own error
output changes between releases). A difference names the call, file or key that changed.
"""
import pytest

from tests.recorded import record, replay

pytestmark = pytest.mark.integration

CURRENT = ["sid-upgraded@sid", "trixie-plesk@trixie", "bookworm-mailman2@bookworm",
           "missing-config-dir@sid", "main-cf-rejected@sid", "postmulti-dir-gone@sid", "no-postconf@bookworm",
           "main-cf-not-a-file@trixie"]


def test_every_release_is_checked():
    assert {name.split("@")[1] for name in CURRENT} == {"sid", "trixie", "bookworm"}
    assert set(CURRENT) <= set(replay.names()) <= set(record.RECORDINGS)


@pytest.mark.parametrize("name", CURRENT)
def test_recording_is_current(name):
    changes = record.differences(replay.load(name), record.record(name))
    assert not changes, "tests/recorded/fixtures/%s.json is stale; `make record RECORD_ARGS=%s` re-records it:\n%s" % (
        name, name, "\n".join(changes))
