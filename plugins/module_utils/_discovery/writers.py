# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Programs that write tables: who runs ``postmap``/``postalias`` on a host, found from their configuration files.

- Mailman 3: ``[mta] incoming: mailman.mta.postfix.LMTP`` in mailman.cfg; ``[mta] configuration`` names the file
  whose ``[postfix]`` section has ``postmap_command`` and ``transport_file_type`` (packaged default
  ``python:mailman.config.postfix``: ``/usr/sbin/postmap``, ``hash``). Mailman runs ``postmap_command + ' ' + FILE``
  on ``postfix_lmtp``, ``postfix_domains`` and ``postfix_vmap`` of its ``data_dir``; no postmap at all for another
  ``transport_file_type``.
- Mailman 2: ``mm_cfg.py`` with ``MTA = 'Postfix'`` runs ``POSTFIX_ALIAS_CMD + ' ' + DATA_DIR/aliases`` and
  ``POSTFIX_MAP_CMD + ' ' + DATA_DIR/virtual-mailman`` (Defaults.py: ``/usr/sbin/postalias``, ``/usr/sbin/postmap``).
- Scripts (panels, cron jobs, wrappers named by the settings above): a line, not a comment, that runs postmap or
  postalias on a ``hash:``/``btree:`` table.

A writer names its legacy type explicitly (``types``) or runs the tool on a bare path, which builds whatever
``default_database_type`` says. What that means for the migration is decided in ``_planning/writers``.
Files are opened without following symlinks, regular files only, at most MAX_BYTES.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os
import re
import shlex
import stat

MAILMAN3_CONFIGS = ("/etc/mailman3/mailman.cfg", "/etc/mailman.cfg")
MAILMAN2_CONFIGS = ("/etc/mailman/mm_cfg.py", "/usr/lib/mailman/Mailman/mm_cfg.py", "/usr/local/mailman/Mailman/mm_cfg.py",
                    "/usr/local/cpanel/3rdparty/mailman/Mailman/mm_cfg.py")
SCRIPT_PLACES = ("/usr/local/sbin", "/usr/local/bin", "/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily",
                 "/var/spool/cron/crontabs")
MAX_BYTES = 1 << 20
MAILMAN3_MAPS = ("postfix_lmtp", "postfix_domains", "postfix_vmap")
MAILMAN2_DEFAULTS = {"POSTFIX_ALIAS_CMD": "/usr/sbin/postalias", "POSTFIX_MAP_CMD": "/usr/sbin/postmap",
                     "MTA": "Manual", "DATA_DIR": "/var/lib/mailman/data"}
MAILMAN2_FILES = {"POSTFIX_ALIAS_CMD": "aliases", "POSTFIX_MAP_CMD": "virtual-mailman"}
LEGACY_RE = re.compile(r"(?<![\w.-])(hash|btree):(\S*)")
TOOL_RE = re.compile(r"(?<![\w.-])post(map|alias)\b")
TOOLS = ("postmap", "postalias")


def read_text(path):
    """The text of a regular file (not through a symlink), or None when it is absent, not regular or too big."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        facts = os.fstat(fd)
        if not stat.S_ISREG(facts.st_mode) or facts.st_size > MAX_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    if b"\0" in data[:4096]:
        return None  # a binary
    return data.decode("utf-8", "replace")


def legacy_types(command):
    """The Berkeley DB types a command names explicitly (``hash:``/``btree:`` words), sorted."""
    return sorted({match.group(1) for match in LEGACY_RE.finditer(command or "")})


# --- Mailman 3 (lazr.config: ini sections, "key: value" or "key = value", '#'/';' comment lines) ---------------
def ini_values(text):
    """{(section, key): (value, line)} of an ini-style text; the last setting wins, continuation lines are joined."""
    values, section, last = {}, None, None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if line[:1].isspace() and last is not None:
            value, where = values[last]
            values[last] = ((value + " " + stripped).strip(), where)
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section, last = stripped[1:-1].strip(), None
            continue
        match = re.match(r"([^:=\s][^:=]*?)\s*[:=]\s*(.*)$", stripped)
        if match and section is not None:
            last = (section, match.group(1).lower())
            values[last] = (match.group(2).strip(), number)
    return values


def _expand(value, variables, depth=10):
    """lazr.config's $var / ${var} substitution over one paths.* section."""
    for dummy in range(depth):
        expanded = re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), value)
        if expanded == value:
            break
        value = expanded
    return value


def mailman3(path, text, read=read_text):
    """The writer of one Mailman 3 configuration (a list of 0 or 1 writer)."""
    values = ini_values(text)
    incoming = values.get(("mta", "incoming"), ("mailman.mta.postfix.LMTP", None))[0]
    if "postfix" not in incoming.lower():
        return []
    layout = values.get(("mailman", "layout"), ("here", None))[0]
    paths = dict((key, value) for (section, key), (value, dummy) in values.items() if section == "paths." + layout)
    data_dir = _expand(paths["data_dir"], paths) if "data_dir" in paths else None
    if data_dir and "$" in data_dir:
        data_dir = None  # a substitution this reading cannot resolve ($cwd of the "here" layout): tables unknown
    configuration = values.get(("mta", "configuration"), ("python:mailman.config.postfix", None))[0]
    where, command, line, file_type = path, "/usr/sbin/postmap", None, "hash"
    if not configuration.startswith("python:"):
        where = configuration
        mta = ini_values(read(configuration) or "")
        command, line = mta.get(("postfix", "postmap_command"), (command, None))
        file_type = mta.get(("postfix", "transport_file_type"), (file_type, None))[0]
    if file_type != "hash":
        return []  # Mailman runs no postmap for regex maps
    tables = [os.path.join(data_dir, name) for name in MAILMAN3_MAPS] if data_dir else []
    return [_writer("mailman3", where, line, "[postfix] postmap_command", command, tables, read,
                    config=path)]


# --- Mailman 2 (mm_cfg.py, Python 2: read line by line, never imported or parsed as a whole) -------------------
def python_assignments(text, names):
    """{NAME: (value, line)} of top-level ``NAME = literal`` lines (the last wins); a value that is no literal is
    kept as its text with ``literal`` False."""
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"(%s)\s*=(?!=)\s*(.+)$" % "|".join(names), line)
        if not match:
            continue
        try:
            value, literal = _literal(ast.parse(match.group(2).strip(), mode="eval").body), True
        except (ValueError, SyntaxError, TypeError):
            value, literal = match.group(2).split("#", 1)[0].strip(), False
        found[match.group(1)] = (value, number, literal)
    return found


def _literal(node):
    """A literal, or strings joined with + (``'/usr/sbin/postmap ' + 'hash:'``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal(node.left) + _literal(node.right)
    return ast.literal_eval(node)


def mailman2(path, text, read=read_text):
    """The writers of one Mailman 2 mm_cfg.py: its alias and its map command (none unless MTA is Postfix)."""
    found = python_assignments(text, list(MAILMAN2_DEFAULTS))
    if found.get("MTA", (MAILMAN2_DEFAULTS["MTA"],))[0] != "Postfix":
        return []
    data_dir = found.get("DATA_DIR", (MAILMAN2_DEFAULTS["DATA_DIR"], None, True))
    writers = []
    for setting in ("POSTFIX_ALIAS_CMD", "POSTFIX_MAP_CMD"):
        command, line, dummy = found.get(setting, (MAILMAN2_DEFAULTS[setting], None, True))
        tables = [os.path.join(data_dir[0], MAILMAN2_FILES[setting])] if data_dir[2] else []
        writers.append(_writer("mailman2", path, line, setting, str(command), tables, read))
    return writers


# --- scripts ---------------------------------------------------------------------------------------------------
def script_lines(text):
    """[(line, text, types, tables)] of the lines that run postmap/postalias on a hash:/btree: table."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or not TOOL_RE.search(stripped):
            continue
        matches = list(LEGACY_RE.finditer(stripped))
        if matches:
            found.append((number, stripped, sorted({m.group(1) for m in matches}),
                          [m.group(2).strip("'\";") for m in matches if m.group(2)]))
    return found


def script(path, text):
    return [{"program": "script", "file": path, "line": number, "setting": None, "command": line,
             "types": types, "tables": tables, "via": None}
            for number, line, types, tables in script_lines(text)]


def _writer(program, path, line, setting, command, tables, read, config=None):
    """A writer of a setting; a command that is a script of its own (not postmap/postalias) is read too."""
    writer = {"program": program, "file": path, "line": line, "setting": setting, "command": command,
              "types": legacy_types(command), "tables": tables, "via": None}
    if config and config != path:
        writer["config"] = config
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    if words and os.path.basename(words[0]) not in TOOLS and os.path.isabs(words[0]):
        inner = script_lines(read(words[0]) or "")
        if inner:
            writer["via"] = "%s:%d" % (words[0], inner[0][0])
            writer["types"] = sorted(set(writer["types"]) | {t for item in inner for t in item[2]})
    return writer


def find(search=SCRIPT_PLACES, read=read_text, listdir=os.listdir):
    """Every writer of this host (see the module docstring), each file once."""
    writers, seen = [], set()
    for paths, parse in ((MAILMAN3_CONFIGS, mailman3), (MAILMAN2_CONFIGS, mailman2)):
        for path in paths:
            text = read(path)
            if text is not None and os.path.realpath(path) not in seen:
                seen.add(os.path.realpath(path))
                writers.extend(parse(path, text, read))
    for place in search or ():
        try:
            names = sorted(listdir(place))
        except OSError:
            names = [None] if os.path.isfile(place) else []
        for name in names:
            path = os.path.join(place, name) if name else place
            text = read(path)
            if text is not None and os.path.realpath(path) not in seen:
                seen.add(os.path.realpath(path))
                writers.extend(script(path, text))
    return writers
