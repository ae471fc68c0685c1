# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prove Postfix serves: a test message through sendmail followed in the mail log, and the log's
table warnings since a given time."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import socket
import time
import uuid

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb_state

TABLE_WARNING_RE = re.compile(r"(warning|error|fatal):.*(lmdb|cdb|hash|btree|\.db|table|database|dictionary)", re.I)
# Debian's 3.11 notice on every open of a hash:/btree: table; expected while a host still runs them on purpose.
PROBE_PATH = bdb_state.PROBE_TABLE.split(":", 1)[1]
LEGACY_NOTICE_RE = re.compile(r"warning: .*(hash/btree support is deprecated|See \S*NON_BERKELEYDB_README)")


class ProbeError(NbdbError):
    pass


def _unix_time(line):
    """Leading unix time of a journalctl -o short-unix line."""
    try:
        return float(line.split(None, 1)[0])
    except (ValueError, IndexError):
        return 0.0


def line_time(line, now=None):
    """Unix time of a syslog-style line ("Nov 26 07:47:49 host ..."); 0 when it has none."""
    now = now or time.time()
    try:
        stamp = time.strptime("%d %s" % (time.localtime(now).tm_year, line[:15]), "%Y %b %d %H:%M:%S")
    except ValueError:
        return 0
    value = time.mktime(stamp)
    return value - 365 * 86400 if value > now + 86400 else value  # a December line read in January


class MailLog:
    """The mail log as Postfix writes it: maillog_file when set, else the journal, else /var/log/mail.log."""

    def __init__(self, postfix, run_command, find_binary, config_dir=None):
        self._run = run_command
        self.file = postfix.postconf(config_dir, "-xh", "maillog_file").strip()
        self.journalctl = None if self.file else find_binary("journalctl")
        if not self.file and not (self.journalctl and os.path.isdir("/run/systemd/system")):
            self.file, self.journalctl = "/var/log/mail.log", None

    def lines(self, since):
        if self.journalctl:
            rc, out, err = self._run([self.journalctl, "--no-pager", "-o", "short-unix", "--since",
                                      "@%d" % int(since), "SYSLOG_IDENTIFIER=postfix", "+_SYSTEMD_UNIT=postfix@-.service"],
                                     check_rc=False)
            if not (rc == 0 and out.strip()):
                rc, out, err = self._run([self.journalctl, "--no-pager", "-o", "short-unix", "--since",
                                          "@%d" % int(since)], check_rc=False)
            return [line for line in out.splitlines() if "postfix" in line and _unix_time(line) >= since]
        try:
            with open(self.file, "rb") as handle:
                text = handle.read().decode("utf-8", "replace")
        except (IOError, OSError):
            return []
        return [line for line in text.splitlines() if line_time(line) >= since]

    @property
    def source(self):
        return "journal" if self.journalctl else self.file


def table_warnings(log, since, legacy_expected=False):
    """Table and database warnings since the time; legacy_expected leaves out Postfix's deprecation notices.
    The collection's own Berkeley DB probe (bdb_state.PROBE_TABLE, a table that never exists) is never one."""
    return [line for line in log.lines(since) if TABLE_WARNING_RE.search(line)
            and not (legacy_expected and LEGACY_NOTICE_RE.search(line)) and PROBE_PATH not in line]


def send_probe(postfix, recipient, timeout, log):
    """Send a message and wait until the log shows it delivered; returns (queue id, status line)."""
    message_id = "nbdb-probe-%s@%s" % (uuid.uuid4().hex, socket.getfqdn())
    started = time.time() - 1
    body = ("To: %s\nSubject: mailops.nbdb verification\nMessage-ID: <%s>\n\n"
            "Test message from the Berkeley DB migration; it can be deleted.\n" % (recipient, message_id))
    postfix.run("sendmail", ["-i", recipient], data=body, what="sending the verification message")
    deadline = time.monotonic() + timeout
    queue_id = None
    while time.monotonic() < deadline:
        lines = log.lines(started)
        if queue_id is None:
            for line in lines:
                match = re.search(r"\b([0-9A-Za-z]{6,}): message-id=<%s>" % re.escape(message_id), line)
                if match:
                    queue_id = match.group(1)
        if queue_id:
            for line in lines:
                if queue_id + ":" in line and "status=" in line:
                    if "status=sent" in line:
                        return queue_id, line.strip()
                    if "status=bounced" in line:
                        raise ProbeError("the verification message bounced: %s" % line.strip())
        time.sleep(0.3)
    raise ProbeError("the verification message (Message-ID %s) was not delivered within %d s (log: %s, queue id %s)"
                     % (message_id, timeout, log.source, queue_id or "not seen"))
