"""Reading the mail log in the forms hosts write it (issue 15 §2)."""
import calendar
import io
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import maillog

T = calendar.timegm((2026, 12, 1, 13, 45, 1))


def test_rfc3339_with_fraction_and_offset():
    line = "2026-12-01T14:45:01.123456+01:00 mx postfix/smtpd[101]: warning: x"
    assert maillog.parse(line) == (T + 0.123456, "postfix/smtpd", "warning: x")


def test_rfc3339_utc_without_fraction():
    assert maillog.parse("2026-12-01T13:45:01Z mx postfix-out/qmgr[7]: ABC123: removed")[:2] == (T, "postfix-out/qmgr")


def test_journal_short_unix():
    assert maillog.parse("%d.250000 mx postfix/cleanup[12]: AB12: message-id=<a@b>" % T)[0] == T + 0.25


def test_classic_syslog_and_postlog_lines_have_this_year():
    now = time.mktime((2026, 12, 1, 14, 0, 0, 0, 0, -1))
    moment, program, message = maillog.parse("Dec  1 13:45:01 mx postfix/master[1]: daemon started", now)
    assert time.localtime(moment)[:6] == (2026, 12, 1, 13, 45, 1) and program == "postfix/master"


def test_a_december_line_read_in_january_is_last_year():
    now = time.mktime((2027, 1, 1, 0, 5, 0, 0, 0, -1))
    assert time.localtime(maillog.parse("Dec 31 23:59:00 mx postfix/qmgr[1]: x", now)[0]).tm_year == 2026


def test_instances_are_told_apart_by_syslog_name():
    lines = ["%d mx postfix/smtpd[1]: a" % T, "%d mx postfix-out/smtpd[2]: b" % T, "%d mx dovecot[3]: c" % T,
             "not a log line"]
    assert [e[2] for e in maillog.select(lines, "postfix", 0)] == ["a"]
    assert [e[2] for e in maillog.select(lines, "postfix-out", 0)] == ["b"]


def test_window_bounds():
    lines = ["%d mx postfix/smtpd[1]: %d" % (T + n, n) for n in range(5)]
    assert [e[2] for e in maillog.select(lines, "postfix", T + 1, T + 3)] == ["1", "2", "3"]


def test_tail_reads_only_back_to_the_time_asked_for():
    lines = ["%d mx postfix/smtpd[1]: line %d" % (T + n, n) for n in range(2000)]
    handle = io.BytesIO(("\n".join(lines) + "\n").encode())
    got = maillog.tail_since(handle, T + 1990, chunk=256)
    assert got[-1] == lines[-1] and lines[1990] in got
    assert len(got) < 40  # read back a few chunks, not the whole file
    assert maillog.tail_since(io.BytesIO(b""), 0) == []
