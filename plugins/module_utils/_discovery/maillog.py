# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mail log as the host writes it, one instance's lines between two times.

Sources, first that applies: ``maillog_file`` (Postfix's own postlog), the systemd journal (any unit name:
lines are chosen by their syslog identifier, not by unit), else the first classic file that exists
(``/var/log/mail.log`` Debian, ``/var/log/maillog`` RHEL, ``/var/log/mail`` SUSE, ``/var/log/syslog``).
Timestamps: classic syslog (``Nov 26 07:47:49``, no year), RFC 3339 with any fraction and offset
(``2026-12-01T13:45:01.123456+01:00``, rsyslog's default on Debian 12) and the journal's unix time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import os
import re
import time

CLASSIC_FILES = ("/var/log/mail.log", "/var/log/maillog", "/var/log/mail", "/var/log/syslog")
RFC3339_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?\s")
CLASSIC_RE = re.compile(r"([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(\.\d+)?\s")
UNIX_RE = re.compile(r"(\d{9,11}(?:\.\d+)?)\s")
# "<host> <ident>[pid]: message" after the timestamp; the ident of Postfix is syslog_name/program
PROGRAM_RE = re.compile(r"\S+ ([^\s\[:]+)(?:\[\d+\])?: (.*)$")
MONTHS = dict((name, index) for index, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1))


def _offset(text):
    if not text or text == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)


def line_time(line, now=None):
    """(unix time, rest of the line) of a log line in any of the three forms; (None, line) when it has none."""
    match = UNIX_RE.match(line)
    if match:
        return float(match.group(1)), line[match.end():]
    match = RFC3339_RE.match(line)
    if match:
        parts = [int(part) for part in match.groups()[:6]]
        value = calendar.timegm(tuple(parts) + (0, 0, 0)) - _offset(match.group(8))
        return value + float(match.group(7) or 0), line[match.end():]
    match = CLASSIC_RE.match(line)
    if match and match.group(1) in MONTHS:
        now = time.time() if now is None else now
        year = time.localtime(now).tm_year
        stamp = (year, MONTHS[match.group(1)], int(match.group(2)), int(match.group(3)), int(match.group(4)),
                 int(match.group(5)), 0, 0, -1)
        try:
            value = time.mktime(stamp)
        except (OverflowError, ValueError):
            return None, line
        if value > now + 86400:  # a December line read in January
            value = time.mktime((year - 1,) + stamp[1:])
        return value + float(match.group(6) or 0), line[match.end():]
    return None, line


def parse(line, now=None):
    """(time, program, message) of a log line, or None when it is not a program's log line."""
    moment, rest = line_time(line, now)
    if moment is None:
        return None
    match = PROGRAM_RE.match(rest)
    if not match:
        return None
    return moment, match.group(1), match.group(2)


def select(lines, syslog_name, start, end=None, now=None):
    """(time, program, message) of the instance's lines with start <= time <= end."""
    prefix = syslog_name + "/"
    found = []
    for line in lines:
        entry = parse(line, now)
        if entry and (entry[1] == syslog_name or entry[1].startswith(prefix)) and entry[0] >= start \
                and (end is None or entry[0] <= end):
            found.append(entry)
    return found


def tail_since(handle, since, chunk=1 << 20):
    """Lines of an open log file from (about) a time on, read backwards from its end a chunk at a time,
    so that a large mail log costs what its recent part costs."""
    end = handle.seek(0, os.SEEK_END)
    start = end
    lines = []
    while start > 0:
        start = max(0, start - chunk)
        handle.seek(start)
        lines = handle.read(end - start).decode("utf-8", "replace").splitlines()
        if start:
            lines = lines[1:]  # the first line of a chunk may be cut
        moment = line_time(lines[0])[0] if lines else None
        if moment is not None and moment < since:
            break
    return lines


class MailLog:
    """Where the instances log, and their lines between two times (all instances of the host by default)."""

    def __init__(self, postfix, run_command, find_binary, config_dirs=(None,)):
        self._run = run_command
        self.sources = {}  # file path or "journal" -> syslog names logging there
        journalctl = find_binary("journalctl")
        self.journalctl = journalctl if journalctl and os.path.isdir("/run/systemd/system") else None
        for config_dir in config_dirs:
            maillog_file, syslog_name = (postfix.postconf(config_dir, "-xh", "maillog_file", "syslog_name")
                                         .splitlines() + ["", ""])[:2]
            source = maillog_file.strip() or ("journal" if self.journalctl else next(
                (path for path in CLASSIC_FILES if os.path.exists(path)), CLASSIC_FILES[0]))
            self.sources.setdefault(source, set()).add(syslog_name.strip() or "postfix")

    @property
    def source(self):
        return ", ".join(sorted(self.sources))

    def raw_lines(self, source, since):
        if source == "journal":
            rc, out, err = self._run([self.journalctl, "--no-pager", "-q", "-o", "short-unix", "--since",
                                      "@%d" % int(since)], check_rc=False)
            return out.splitlines() if rc == 0 else []
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return []
        with os.fdopen(fd, "rb") as handle:
            return tail_since(handle, since)

    def entries(self, since, until=None):
        """(time, program, message) of the instances' lines since a time (until: up to a time), by time."""
        found = []
        for source, names in sorted(self.sources.items()):
            lines = self.raw_lines(source, since)
            for name in sorted(names):
                found += select(lines, name, since, until)
        return sorted(found, key=lambda entry: entry[0])
