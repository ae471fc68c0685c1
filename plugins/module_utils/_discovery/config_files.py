# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Line numbers of definitions in main.cf and master.cf.

postconf is the source of truth for names and values; these parsers only answer "on which line
is this parameter (or this service's -o option) defined", following Postfix's file syntax:
``#`` comment lines, continuation lines that start with white space, last main.cf setting wins.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_MAIN_NAME_RE = re.compile(r"^([A-Za-z0-9_]+)\s*=")


def physical_lines(text):
    """The lines of a configuration file with their endings, split where Postfix splits: at \\n only (a CR stays
    with its line, where Postfix strips it as white space; str.splitlines would also split at \\f, \\x1c..)."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def logical_lines(text):
    """(first line number, joined text) of each logical line; comments and blank lines dropped."""
    entries = []
    for number, line in enumerate(physical_lines(text), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] in " \t" and entries:
            entries[-1][1].append((number, stripped))
        else:
            entries.append((number, [(number, stripped)]))
    return entries


def main_cf_spans(text):
    """{parameter: (first line, last line) of its (last) definition in main.cf}."""
    spans = {}
    for number, parts in logical_lines(text):
        match = _MAIN_NAME_RE.match(parts[0][1])
        if match:
            spans[match.group(1)] = (number, parts[-1][0])
    return spans


def main_cf_lines(text):
    """{parameter: line number of its (last) definition in main.cf}."""
    return {name: span[0] for name, span in main_cf_spans(text).items()}


def _master_tokens(parts):
    """(line, token) pairs of one master.cf entry; ``{ ... }`` stays one token."""
    tokens = []
    depth = 0
    for number, text in parts:
        for word in text.split():
            if depth > 0:
                tokens[-1] = (tokens[-1][0], tokens[-1][1] + " " + word)
            else:
                tokens.append((number, word))
            depth += word.count("{") - word.count("}")
    return tokens


def master_cf_lines(text):
    """{"service/type": {"line": n, "options": {parameter: line of its -o}}}."""
    services = {}
    for number, parts in logical_lines(text):
        tokens = _master_tokens(parts)
        if len(tokens) < 2:
            continue
        key = "%s/%s" % (tokens[0][1], tokens[1][1])
        options = {}
        for index, (line, token) in enumerate(tokens):
            if token == "-o" and index + 1 < len(tokens):
                line, option = tokens[index + 1]
            elif token.startswith("-o") and "=" in token:  # getopt also takes -oname=value
                option = token[2:]
            else:
                continue
            name = option.strip("{} \t").split("=", 1)[0].strip()
            options[name] = line
        services[key] = {"line": number, "last_line": parts[-1][0], "options": options}
    return services


def option_span(service, name):
    """(first, last) lines of one -o option of a master_cf_lines() service: up to the next option."""
    first = service["options"][name]
    later = [line for line in service["options"].values() if line > first]
    return first, (min(later) - 1 if later else service["last_line"])
