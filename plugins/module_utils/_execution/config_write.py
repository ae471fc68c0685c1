# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Edit main.cf/master.cf text in place and write it atomically, keeping everything else.

The files are edited byte for byte whatever their encoding (latin-1 comments are common in old files) and line
endings (CRLF): the text is the file's bytes decoded with surrogateescape, so bytes that are not UTF-8 come back
unchanged when it is written, and only the rewritten tokens change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._commands import COOL_SECONDS
from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import config_files
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import descriptors
from ansible_collections.mailops.nbdb.plugins.module_utils._planning.rewrite import replace_tokens


ENCODING = ("utf-8", "surrogateescape")


class ConfigFileError(NbdbError):
    """main.cf/master.cf (or its backup) could not be written; the file is unchanged."""


def _failed(what, path, exc):
    return ConfigFileError("%s %s: %s (in %s); the file is unchanged" % (
        what, path, exc.strerror or exc, os.path.dirname(path)))


def _edit_lines(lines, first, last, old, new):
    for index in range(first - 1, min(last, len(lines))):
        if not lines[index].strip().startswith("#"):  # never touch comments
            lines[index] = replace_tokens(lines[index], old, new)


def apply_main(text, replacements, settings):
    """main.cf with replacements (each within its parameter's lines) and settings (name = value)."""
    spans = config_files.main_cf_spans(text)
    lines = config_files.physical_lines(text)
    for item in replacements:
        first, last = spans[item["parameter"]]
        _edit_lines(lines, first, last, item["old"], item["new"])
    text = "".join(lines)
    for name, value in sorted(settings.items()):
        spans = config_files.main_cf_spans(text)
        lines = config_files.physical_lines(text)
        line = "%s = %s\n" % (name, value)
        if name in spans:
            first, last = spans[name]
            lines[first - 1:last] = [line]
        else:
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            lines.append(line)
        text = "".join(lines)
    return text


def apply_master(text, replacements):
    """master.cf with replacements, each within the lines of its service's -o option."""
    services = config_files.master_cf_lines(text)
    lines = config_files.physical_lines(text)
    for item in replacements:
        first, last = config_files.option_span(services[item["service"]], item["parameter"])
        _edit_lines(lines, first, last, item["old"], item["new"])
    return "".join(lines)


def _config_directory(path, what):
    """The Directory of a configuration file; refused unless only root can change it and its ancestors.

    Postfix's configuration must be root's: postfix-non-bdb-script evaluates main.cf values in a root shell,
    so a main.cf that another user can replace is a way to root, and so is writing there by path."""
    directory = descriptors.Directory(os.path.dirname(path))
    try:
        directory.require_safe_for(0, 0, what)
    except descriptors.UnsafePathError:
        directory.close()
        raise
    return directory


def write_atomic(path, text):
    """Replace path with text via a root-only private directory next to it; keeps owner and mode.

    Only where nobody but root can change the directory (see _config_directory); the file is written and its
    owner, mode and times set through its descriptor, then renamed into place by directory descriptors.
    The file is complete when it appears, so it is dated back past Postfix's main.cf cool-down (see
    _commands.cool_down): the Postfix commands that follow read it at once instead of waiting about 2 s."""
    name = os.path.basename(path)
    with _config_directory(path, "writing %s" % path) as directory:
        info = directory.lstat(name)
        if info is None or not stat.S_ISREG(info.st_mode):
            raise descriptors.UnsafePathError("%s is not a regular file; not replacing it" % path)
        moment = time.time() - COOL_SECONDS
        try:
            directory.install(name, text.encode(*ENCODING), info.st_uid, info.st_gid,
                              stat.S_IMODE(info.st_mode), times=(moment, moment), prefix=".nbdb-")
        except OSError as exc:
            raise _failed("writing", path, exc)


def backup(path):
    """Timestamped copy next to the file (like Ansible's backup=true); returns its path."""
    target = "%s.%s~" % (path, time.strftime("%Y-%m-%d@%H:%M:%S"))
    with _config_directory(path, "backing up %s" % path) as directory:
        data, info = directory.read(os.path.basename(path))
        try:
            directory.install(os.path.basename(target), data, info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode),
                              times=(info.st_atime, info.st_mtime), prefix=".nbdb-")
        except OSError as exc:
            raise _failed("backing up", path, exc)
    return target


def read(path):
    """The text of main.cf/master.cf (bytes decoded with ENCODING: any bytes): a regular file (never read through a
    symlink) in a directory only root can change (see _config_directory), read through its descriptor."""
    with _config_directory(path, "reading %s" % path) as directory:
        return directory.read(os.path.basename(path))[0].decode(*ENCODING)


def write_all_or_none(texts, before):
    """write_atomic every path of texts ({path: text}); when one fails, the ones already written get their before
    text back, so main.cf and master.cf change both or neither."""
    written = []
    try:
        for path, text in texts:
            write_atomic(path, text)
            written.append(path)
    except (NbdbError, OSError):
        for path in reversed(written):
            write_atomic(path, before[path])
        raise
