# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse Postfix parameter values: lists, ``{ ... }`` groups, table specs and ``$name`` forms.

Pure functions over text. Postfix splits lists on commas and white space; ``{`` ``}`` group text
that contains separators (``unionmap:{hash:/a, lmdb:/b}``, ``-o { name = a b }``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError

LEGACY_TYPES = ("hash", "btree")
# Table types whose name is itself one table (proxy:) or a list of tables ({ ... }).
WRAPPER_TYPES = ("proxy",)
LIST_WRAPPER_TYPES = ("unionmap", "pipemap")
# The Postfix lookup-table syntax "type:name"; type may be "$name"/"${name}" (type indirection).
_TABLE_RE = re.compile(r"^(?P<type>[A-Za-z][A-Za-z0-9_.-]*|\$[A-Za-z0-9_]+|\$\{[A-Za-z0-9_]+\}):(?P<name>.*)$", re.S)
_PARAM_REF_RE = re.compile(r"^\$(?:(?P<plain>[A-Za-z0-9_]+)|\{(?P<braced>[A-Za-z0-9_]+)\})$")
# A token that starts with $name glued to more text that is not ":" (``${indexed}generic``): Postfix expands the name
# first, so the type may come from its value. The plain form ends where the name's characters end.
_LEADING_BRACED_RE = re.compile(r"^\$\{(?P<name>[A-Za-z0-9_]+)\}(?P<rest>[^:].*)$", re.S)
_LEADING_PLAIN_RE = re.compile(r"^\$(?P<name>[A-Za-z0-9_]+)(?P<rest>[^A-Za-z0-9_:{].*)$", re.S)
_CONDITIONAL_RE = re.compile(r"^\$\{(?P<name>[A-Za-z0-9_]+)(?P<op>[?:])(?P<value>.*)\}$", re.S)
# What a legacy reference looks like anywhere in a value (the facts file's pattern).
LEGACY_TEXT_RE = re.compile(r"(?:^|[^A-Za-z0-9_])(hash|btree):")
LOOKALIKE_RE = re.compile(r"[A-Za-z0-9_./${}:-]*(?:hash|btree)[A-Za-z0-9_./${}:-]*", re.I)
SEPARATORS = ", \t\r\n"


class ValueSyntaxError(NbdbError, ValueError):
    """A value whose braces do not balance."""


def split_list(text):
    """Split a Postfix list into tokens; ``{...}`` is kept inside its token."""
    tokens = []
    current = []
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise ValueSyntaxError("unbalanced '}' in %r" % text)
        if depth == 0 and char in SEPARATORS:
            if current:
                tokens.append("".join(current))
                current = []
            continue
        current.append(char)
    if depth != 0:
        raise ValueSyntaxError("unbalanced '{' in %r" % text)
    if current:
        tokens.append("".join(current))
    return tokens


def strip_braces(token):
    """``{ a b }`` -> ``a b``; other tokens unchanged."""
    if token.startswith("{") and token.endswith("}"):
        return token[1:-1].strip()
    return token


def parameter_reference(token):
    """Name in a whole-token ``$name`` / ``${name}``, else None."""
    match = _PARAM_REF_RE.match(token)
    if not match:
        return None
    return match.group("plain") or match.group("braced")


def leading_reference(token):
    """(name, rest) of a token that starts with ``$name``/``${name}`` glued to more text (not ``:``), else None."""
    match = _LEADING_BRACED_RE.match(token) or _LEADING_PLAIN_RE.match(token)
    if not match:
        return None
    return match.group("name"), match.group("rest")


def conditional(token):
    """``${name?value}``, ``${name:value}``, ``${name?{value}}``, ``${name?{value}:{otherwise}}``
    -> (name, op, value, otherwise or None), or None for other tokens."""
    match = _CONDITIONAL_RE.match(token)
    if not match:
        return None
    name, operator, text = match.group("name"), match.group("op"), match.group("value")
    if not text.startswith("{"):
        return name, operator, text, None
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            break
    value, rest = text[1:index].strip(), text[index + 1:]
    if not rest:
        return name, operator, value, None
    if rest.startswith(":{") and rest.endswith("}"):
        return name, operator, value, rest[2:-1].strip()
    return None


def table_spec(token):
    """``type:name`` -> (type, name) or None when the token is not a table."""
    match = _TABLE_RE.match(token)
    if not match:
        return None
    return match.group("type"), match.group("name")


def type_parameter(map_type):
    """``$x`` / ``${x}`` used as a table type -> ``x``; None for a literal type."""
    return parameter_reference(map_type)


class Leaf:
    """One table inside a value: its type and name, and what wraps it."""

    def __init__(self, map_type, name, wrappers, text):
        self.map_type = map_type
        self.name = name
        self.wrappers = list(wrappers)
        self.text = text

    @property
    def spec(self):
        return "%s:%s" % (self.map_type, self.name)

    def __repr__(self):
        return "Leaf(%r, %r, %r)" % (self.map_type, self.name, self.wrappers)


def _is_restriction_word(token):
    return bool(re.match(r"^check_[a-z0-9_]+$", token))


def walk(text, on_token, wrappers=()):
    """Concatenate on_token(token, wrappers) over a list, in order, descending into ``{...}`` groups.

    A token right after a ``check_*`` restriction gets that restriction as its innermost wrapper.
    """
    items = []
    previous = None
    for token in split_list(text):
        context = list(wrappers)
        if previous is not None and _is_restriction_word(previous):
            context.append(previous)
        previous = token
        if token.startswith("{"):
            items.extend(walk(strip_braces(token), on_token, context))
        else:
            items.extend(on_token(token, context))
    return items


def table_leaves(token, wrappers, on_inner=None):
    """Leaves of one table token, descending proxy:, unionmap:{...} and pipemap:{...}.

    on_inner(token, wrappers) handles the tokens inside a wrapper (default: this function), so a
    caller can resolve ``$name`` there too; its results are returned in order with the leaves.
    """
    on_inner = on_inner or table_leaves
    spec = table_spec(token)
    if spec is None:
        return []
    map_type, name = spec
    if map_type in WRAPPER_TYPES:
        return on_inner(name, list(wrappers) + [map_type])
    if map_type in LIST_WRAPPER_TYPES and name.startswith("{"):
        return walk(strip_braces(name), on_inner, list(wrappers) + [map_type])
    return [Leaf(map_type, name, wrappers, token)]


def tables(text):
    """Every table leaf of a value (no ``$`` handling: use on expanded values)."""
    return walk(text, table_leaves)


def legacy_tables(text):
    """hash:/btree: leaves of an expanded value, in order."""
    return [leaf for leaf in tables(text) if leaf.map_type in LEGACY_TYPES]


def legacy_text_count(text):
    """How often hash:/btree: appears as a map type anywhere in the text (parser-independent)."""
    return len(LEGACY_TEXT_RE.findall(text))


def _words(text):
    """Every table text and every other token of a value, descending wrappers and conditionals."""
    def on_token(token, wrappers):
        cond = conditional(token)
        if cond is not None:
            return walk(cond[2], on_token) + (walk(cond[3], on_token) if cond[3] else [])
        if table_spec(token) is None:
            return [token]
        return [item.text if isinstance(item, Leaf) else item for item in table_leaves(token, wrappers, on_token)]
    return walk(text, on_token)


def lookalikes(text):
    """Words mentioning hash/btree that are not hash:/btree: map types (texthash:, HASH:, ...)."""
    try:
        words = _words(text)
    except ValueSyntaxError:
        words = [word.strip("{}") for word in LOOKALIKE_RE.findall(text)]
    # A bare type name (default_database_type = hash) is a definition, not a look-alike.
    return [word for word in words if word not in LEGACY_TYPES and not LEGACY_TEXT_RE.search(word)
            and re.search("hash|btree", word, re.I)]
