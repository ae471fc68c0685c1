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


def test_the_berkeley_db_probe_of_nbdb_info_is_not_a_table_warning():
    from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb_state

    class Log:
        @staticmethod
        def lines(since):
            return ["Dec 01 14:13:16 mx postfix/postmap[632]: fatal: Berkeley DB support for '%s' is not available"
                    " for this OS distribution" % bdb_state.PROBE_TABLE,
                    "Dec 01 14:13:17 mx postfix/local[640]: warning: lmdb:/etc/aliases is unavailable"]
    assert probe.table_warnings(Log, 0) == Log.lines(0)[1:]
