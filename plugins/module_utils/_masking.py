# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mask secrets in what leaves the host: the one place that decides what of a main.cf/master.cf text is secret.

Modules that return or diff configuration text (db_types, nbdb_switch) pass it through mask_text, and every
parameter value they return through mask_value, so AWX/``-vv`` logs and the fleet records never carry:

- anything inline in a sensitive parameter: ``*_sasl_password_maps`` and the other tables of
  host.SENSITIVE_PARAMETERS, names with the words of reindex.SENSITIVE_WORDS but sasl (``*password*``, ``*passwd*``,
  ``*secret*``, ...), ``*_tls_*key*``: ``static:`` values and ``inline:{...}`` values become ``********`` (a
  bare value too, unless it is a path, a ``$name`` or a ``type:/path`` table: those name where the secret is);
- ``static:``/``inline:`` values elsewhere that look like credentials (``user:password``);
- DNSBL query keys: a hostname's first label of 20 or more letters and digits (Spamhaus DQS
  ``KEY.zen.dq.spamhaus.net``, Abusix ``KEY.combined.mail.abusix.zone``), in ``reject_rbl_client``,
  ``postscreen_dnsbl_sites`` or anywhere else.

Only the secret substring is replaced, line by line: a diff keeps its lines and still shows ``hash:`` ->
``lmdb:`` on the changed ones. Values of sensitive *tables* (their files' content) are masked by the table diff
(_planning/reindex.listing) with the same sensitivity rules (is_sensitive_parameter, reindex.is_sensitive).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.mailops.nbdb.plugins.module_utils._planning.reindex import SENSITIVE_WORDS

MASK = "********"
# Parameters whose tables hold secrets (values are masked in diffs, files never world-readable); host re-exports it.
SENSITIVE_PARAMETERS = ("smtp_sasl_password_maps", "lmtp_sasl_password_maps", "tls_server_sni_maps")
# Words that make a parameter sensitive: the table-name words except "sasl" (smtpd_sasl_auth_enable is no secret).
PARAMETER_WORDS = tuple(word for word in SENSITIVE_WORDS if word != "sasl")
_TLS_KEY = re.compile(r"(^|_)tls_.*key")
# Words before a colon that are Postfix transports or table types, not user names (``lmtp:unix:...``).
_NOT_USERS = frozenset((
    "smtp lmtp relay local virtual error discard retry pipe unix inet fifo pass uucp bsmtp scalemail-backend "
    "hash btree lmdb cdb dbm sdbm inline static texthash regexp pcre cidr proxy tcp socketmap ldap mysql pgsql "
    "sqlite memcache nis nisplus netinfo environ fail internal randmap unionmap pipemap debug mongodb "
    "http https ftp mailto").split())
_CREDENTIAL = re.compile(r"^([^\s:{}=,/\[\]$]+):(\S+)$")
_DNSBL_KEY = re.compile(r"(?<![\w.-])(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,}(?=\.[A-Za-z0-9-]+\.)")
_STATIC = re.compile(r"\bstatic:(\{[^}]*\}|[^\s,]+)")
_INLINE = re.compile(r"\binline:\{")
_ASSIGNMENT = re.compile(r"^(\s*#?\s*)([A-Za-z0-9_]+)(\s*=)(.*)$", re.S)
_MASTER_OPTION = re.compile(r"(-o\s*\{?\s*)([A-Za-z0-9_]+)(\s*=\s*)((?:\{[^}]*\})|[^\s}]+)")
_WHERE = re.compile(r"^([A-Za-z0-9_-]+:)*[/$]")  # a path, $name, type:/path, proxy:mysql:/path: where a secret is
_BARE_VALUE = re.compile(r"^(\s*)(\S.*?)(\s*)$", re.S)


def is_sensitive_parameter(name):
    name = (name or "").lower()
    return (name in SENSITIVE_PARAMETERS or any(word in name for word in PARAMETER_WORDS)
            or bool(_TLS_KEY.search(name)))


def looks_like_credential(value):
    """``user:password`` (not ``lmtp:unix:private/x`` or ``[relay]:587``)."""
    match = _CREDENTIAL.match(value.strip())
    return bool(match) and match.group(1).lower() not in _NOT_USERS


def _inline_end(text, start):
    """Index just after the ``}`` that closes the ``{`` at start - 1 (or len(text) if unclosed)."""
    depth = 1
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _mask_inline_body(body, sensitive):
    """``k1=v1, {k2 = v 2}`` with the secret values masked (all values when sensitive)."""
    def braced(match):
        if sensitive or looks_like_credential(match.group(3)):
            return match.group(1) + match.group(2) + MASK + match.group(4)
        return match.group(0)

    def plain(match):
        if sensitive or looks_like_credential(match.group(2)):
            return match.group(1) + MASK
        return match.group(0)

    body = re.sub(r"(\{\s*[^=}]+?\s*=\s*)()([^}]*?)(\s*\})", braced, body)
    return re.sub(r"((?:^|[\s,])[^\s,{}=]+\s*=\s*)([^\s,{}]+)", plain, body)


def _mask_tables(text, sensitive):
    """static: and inline:{...} values in text."""
    def static(match):
        value = match.group(1)
        inner = value[1:-1] if value.startswith("{") else value
        if sensitive or looks_like_credential(inner):
            return "static:" + ("{%s}" % MASK if value.startswith("{") else MASK)
        return match.group(0)

    text = _STATIC.sub(static, text)
    out, position = [], 0
    for match in _INLINE.finditer(text):
        if match.start() < position:
            continue
        end = _inline_end(text, match.end())
        closed = text[end - 1:end] == "}"
        body = text[match.end():end - 1 if closed else end]
        out.append(text[position:match.end()] + _mask_inline_body(body, sensitive) + ("}" if closed else ""))
        position = end
    return "".join(out) + text[position:]


def mask_value(name, value):
    """A parameter's value (raw or expanded) with its secrets masked."""
    if value is None or not isinstance(value, str):
        return value
    sensitive = is_sensitive_parameter(name)
    masked = _DNSBL_KEY.sub(MASK, _mask_tables(value, sensitive))
    if sensitive and masked == value:
        bare = _BARE_VALUE.match(value)
        # a token masked already counts as handled: masking a masked text again changes nothing
        if bare and not all(_WHERE.match(token) or MASK in token for token in re.split(r"[\s,]+", bare.group(2)) if token):
            masked = bare.group(1) + MASK + bare.group(3)
    return masked


def mask_text(text):
    """A main.cf or master.cf text (or part of one) with its secrets masked, line for line."""
    if not isinstance(text, str):
        return text
    lines, current = [], None
    for line in text.splitlines(True):
        assignment = _ASSIGNMENT.match(line)
        if assignment and not line[:1].isspace():
            current = assignment.group(2)
            lines.append(assignment.group(1) + current + assignment.group(3) + mask_value(current, assignment.group(4)))
            continue
        if line[:1].isspace() and line.strip() and current and not line.lstrip().startswith("-o"):
            lines.append(mask_value(current, line))  # main.cf continuation line
            continue
        if not line[:1].isspace():
            current = None  # a master.cf service line, a comment or a blank line ends a main.cf value
        line = _MASTER_OPTION.sub(lambda m: m.group(1) + m.group(2) + m.group(3) + mask_value(m.group(2), m.group(4)),
                                  line)
        lines.append(_DNSBL_KEY.sub(MASK, _mask_tables(line, False)))
    return "".join(lines)


def mask_diffs(entries):
    """Ansible diff entries (before/after texts) with their secrets masked, for display: bytes of the file that
    are not UTF-8 (kept as surrogate escapes, see config_write) are shown as U+FFFD."""
    masked = []
    for entry in entries or []:
        entry = dict(entry)
        for key in ("before", "after"):
            if isinstance(entry.get(key), str):
                shown = entry[key].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                entry[key] = mask_text(shown)
        masked.append(entry)
    return masked
