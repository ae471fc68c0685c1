"""Which mail log lines count as table warnings (lines as Debian's Postfix 3.11 writes them)."""
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import probe

LINES = [
    "2026-11-26T10:00:01.000000+00:00 mx postfix/smtpd[101]: warning: /etc/postfix/tables/virtual: hash/btree support"
    " is deprecated.  Please switch to cdb or lmdb.",
    "2026-11-26T10:00:01.000000+00:00 mx postfix/smtpd[101]: warning: See /usr/share/doc/postfix/NON_BERKELEYDB_README.gz"
    " for more info.",
    "2026-11-26T10:00:02.000000+00:00 mx postfix/smtpd[102]: warning: lmdb:/etc/postfix/tables/virtual is unavailable."
    " open database /etc/postfix/tables/virtual.lmdb: No such file or directory",
    "2026-11-26T10:00:03.000000+00:00 mx postfix/smtpd[103]: connect from localhost[127.0.0.1]",
]


class Log:
    def lines(self, since):
        return LINES


def test_deprecation_notices_count_unless_legacy_tables_are_expected():
    assert probe.table_warnings(Log(), 0) == [LINES[0], LINES[2]]  # the "See ..." line names no table
    assert probe.table_warnings(Log(), 0, legacy_expected=True) == LINES[2:3]  # a real failure still counts
