# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a table source file defines, by the rules of postmap(1) and postalias(1).

Works on bytes (keys may be any bytes). Checked against the real postmap/postalias -s output
(tests/integration/test_table_source.py):
- logical lines: ``#`` comment lines and blank lines are skipped; a line starting with white space
  continues the previous logical line (newline dropped, its white space kept), also across blank
  and comment lines; a first line starting with white space is skipped with a warning;
- postmap: key = text up to the first white space outside double quotes (quotes kept), value =
  the rest without leading/trailing white space; no value: warning, skipped;
- postalias: ``name: value`` split at the first ``:`` outside quotes and comments; the name is
  unquoted, must not contain ``@``; the value is re-written from RFC 822 tokens the way Postfix's
  tok822_externalize does (``a,b`` -> ``a, b``, white space collapsed, quoted strings and comments
  kept);
- keys are case-folded (UTF-8 case folding when smtputf8_enable, else ASCII) unless fold is off;
- the first of duplicate keys wins.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

WHITESPACE = b" \t\r\n\f\v"
_SPECIALS = b"()<>@,;:\\\".[]"


class Source:
    """Entries of a source file: {key: value} in file order, plus postmap-style warnings."""

    def __init__(self):
        self.entries = {}
        self.order = []
        self.lines = {}
        self.warnings = []
        self.duplicates = 0

    def add(self, key, value, line):
        if key in self.entries:
            self.duplicates += 1
            self.warnings.append((line, "duplicate entry: %r" % key.decode("utf-8", "replace")))
            return
        self.entries[key] = value
        self.order.append(key)
        self.lines[key] = line


def _utf8_lines(lines, warnings):
    """With smtputf8_enable, Postfix ignores lines that are not valid UTF-8."""
    valid = []
    for number, line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            warnings.append((number, "non-UTF-8 input"))  # Postfix ignores the line
            continue
        valid.append((number, line))
    return valid


def logical_lines(data):
    """(line number, bytes) of each logical line, and warnings for lines Postfix skips."""
    lines = data.split(b"\n")
    if not (data[:1] in (b" ", b"\t") or b"\n " in data or b"\n\t" in data):  # no continuation lines (one scan)
        return [(number, line) for number, line in enumerate(lines, 1)
                if line.strip(WHITESPACE)[:1] not in (b"", b"#")], []
    result = []
    warnings = []
    for number, line in enumerate(lines, 1):
        stripped = line.strip(WHITESPACE)
        if not stripped or stripped.startswith(b"#"):
            continue
        if line[:1] in (b" ", b"\t"):
            if result:
                result[-1][1].append(line)
            else:
                warnings.append((number, "logical line must not start with whitespace"))
            continue
        result.append((number, [line]))
    return [(number, b"".join(parts)) for number, parts in result], warnings


def _source_lines(data, utf8):
    """A new Source holding the line warnings, and the logical lines Postfix reads."""
    source = Source()
    lines, source.warnings = logical_lines(data)
    if utf8 and not data.isascii():  # ASCII is valid UTF-8
        lines = _utf8_lines(lines, source.warnings)
    return source, lines


def fold(key, utf8=True):
    """Postfix's key case folding."""
    if key.isascii():
        return key.lower()  # UTF-8 case folding of ASCII is ASCII lower case
    if utf8:
        try:
            return key.decode("utf-8").casefold().encode("utf-8")
        except UnicodeDecodeError:
            pass
    return key.lower()


def _split_key(line):
    """postmap: key up to the first white space outside double quotes."""
    if b'"' not in line and b"\\" not in line and line[:1] not in WHITESPACE:
        # the common "key whitespace value" line: bytes.split(None) splits at exactly the bytes of WHITESPACE
        parts = line.split(None, 1)
        return parts[0], parts[1].strip(WHITESPACE) if len(parts) > 1 else b""
    quoted = False
    index = 0
    while index < len(line):
        char = line[index:index + 1]
        if char == b"\\":
            index += 2  # a backslash protects the next character (both stay in the key)
            continue
        if char == b'"':
            quoted = not quoted
        elif not quoted and char in WHITESPACE:
            return line[:index], line[index:].strip(WHITESPACE)
        index += 1
    return line, b""


def _plain(data):
    """No quotes, backslashes or line starting with white space anywhere (a few scans): every logical line is
    "key whitespace value" or a lone key, split by bytes.split(None, 1) exactly as _split_key would."""
    if b'"' in data or b"\\" in data or data[:1] in WHITESPACE:
        return False
    return not any(b"\n" + char in data for char in (b" ", b"\t", b"\r", b"\f", b"\v"))


def parse_map(data, fold_case=True, utf8=True):
    """What ``postmap`` builds from a source file."""
    source, lines = _source_lines(data, utf8)
    entries, order, numbers = source.entries, source.order, source.lines
    plain = _plain(data)
    for number, line in lines:
        parts = line.split(None, 1) if plain else None  # bytes.split(None) splits at exactly WHITESPACE
        key, value = (parts[0], parts[1].rstrip(WHITESPACE)) if parts and len(parts) == 2 else _split_key(
            line.rstrip(WHITESPACE))
        if not value:
            source.warnings.append((number, "expected format: key whitespace value"))
            continue
        key = fold(key, utf8) if fold_case else key
        if key in entries:
            source.add(key, value, number)  # the duplicate's warning
        else:  # Source.add inlined: one call less per line
            entries[key] = value
            order.append(key)
            numbers[key] = number
    return source


# --- postalias: RFC 822 tokens ---------------------------------------------------------------
ATOM, QSTRING, COMMENT, DOMLIT = "atom", "qstring", "comment", "domlit"
_WORDS = (ATOM, QSTRING, COMMENT, DOMLIT)


def tokens822(text):
    """[(kind, bytes)] where kind is ATOM, QSTRING (content), COMMENT (with parens), DOMLIT
    (content) or a one-character operator."""
    result = []
    index = 0
    while index < len(text):
        char = text[index:index + 1]
        if char in WHITESPACE:
            index += 1
        elif char == b'"':
            index, content = _quoted(text, index + 1, b'"')
            result.append((QSTRING, content))
        elif char == b"[":
            index, content = _quoted(text, index + 1, b"]")
            result.append((DOMLIT, content))
        elif char == b"(":
            start, depth = index, 0
            while index < len(text):
                c = text[index:index + 1]
                if c == b"\\":
                    index += 1
                elif c == b"(":
                    depth += 1
                elif c == b")":
                    depth -= 1
                    if depth == 0:
                        break
                index += 1
            result.append((COMMENT, text[start:index + 1]))
            index += 1
        elif char in _SPECIALS and char != b"\\":
            result.append((char.decode("latin-1"), char))
            index += 1
        else:
            start, escaped, atom = index, False, []
            while index < len(text):
                c = text[index:index + 1]
                if c == b"\\" and index + 1 < len(text):
                    escaped = True
                    atom.append(text[index + 1:index + 2])
                    index += 2
                    continue
                if c in WHITESPACE or (c in _SPECIALS and c != b"\\"):
                    break
                atom.append(c)
                index += 1
            result.append((QSTRING if escaped else ATOM, b"".join(atom)))
    return result


def _quoted(text, index, end):
    content = []
    while index < len(text):
        char = text[index:index + 1]
        if char == b"\\" and index + 1 < len(text):
            content.append(text[index + 1:index + 2])
            index += 2
            continue
        if char == end:
            return index + 1, b"".join(content)
        content.append(char)
        index += 1
    return index, b"".join(content)


def externalize(tokens):
    """Postfix's tok822_externalize: ", " after commas, one space between words and before "<"."""
    out = []
    for index, (kind, text) in enumerate(tokens):
        if kind == QSTRING:
            out.append(b'"' + text.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"')
        elif kind == DOMLIT:
            out.append(b"[" + text + b"]")
        else:
            out.append(text)
        following = tokens[index + 1][0] if index + 1 < len(tokens) else None
        if following is None:
            if kind == ",":
                out.append(b" ")
            continue
        if kind == "," or following == "<" or (kind in _WORDS and following in _WORDS):
            out.append(b" ")
    return b"".join(out)


def parse_aliases(data, fold_case=True, utf8=True):
    """What ``postalias`` builds from a source file (without the @ and YP_* entries it adds)."""
    source, lines = _source_lines(data, utf8)
    for number, line in lines:
        tokens = tokens822(line)
        colon = next((i for i, token in enumerate(tokens) if token[0] == ":"), None)
        if not colon or colon == len(tokens) - 1:
            source.warnings.append((number, "need name:value pair"))
            continue
        name_tokens = tokens[:colon]
        if any(token[0] == "@" for token in name_tokens):
            source.warnings.append((number, "name must be local and have no domain"))
            continue
        name = b"".join(text if kind != COMMENT else b"" for kind, text in name_tokens)
        source.add(fold(name, utf8) if fold_case else name, externalize(tokens[colon + 1:]), number)
    return source


def parse(data, alias, fold_case=True, utf8=True):
    return (parse_aliases if alias else parse_map)(data, fold_case, utf8)
