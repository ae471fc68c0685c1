# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Edit main.cf/master.cf text in place and write it atomically, keeping everything else."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._commands import cool_down
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import config_files
from ansible_collections.mailops.nbdb.plugins.module_utils._planning.rewrite import replace_tokens


def _edit_lines(lines, first, last, old, new):
    for index in range(first - 1, min(last, len(lines))):
        if not lines[index].strip().startswith("#"):  # never touch comments
            lines[index] = replace_tokens(lines[index], old, new)


def apply_main(text, replacements, settings):
    """main.cf with replacements (each within its parameter's lines) and settings (name = value)."""
    spans = config_files.main_cf_spans(text)
    lines = text.splitlines(True)
    for item in replacements:
        first, last = spans[item["parameter"]]
        _edit_lines(lines, first, last, item["old"], item["new"])
    text = "".join(lines)
    for name, value in sorted(settings.items()):
        spans = config_files.main_cf_spans(text)
        lines = text.splitlines(True)
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
    lines = text.splitlines(True)
    for item in replacements:
        first, last = config_files.option_span(services[item["service"]], item["parameter"])
        _edit_lines(lines, first, last, item["old"], item["new"])
    return "".join(lines)


def write_atomic(path, text):
    """Replace path with text via a temp file in the same directory; keeps owner and mode.

    The file is complete when it appears, so it is dated back past Postfix's main.cf cool-down (see cool_down):
    the Postfix commands that follow read it at once instead of waiting about 2 s."""
    info = os.stat(path)
    fd, temp = tempfile.mkstemp(prefix=".nbdb-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chown(temp, info.st_uid, info.st_gid)
        os.chmod(temp, info.st_mode & 0o7777)
        cool_down(temp)
        os.rename(temp, path)
    except Exception:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def backup(path):
    """Timestamped copy next to the file (like Ansible's backup=true); returns its path."""
    target = "%s.%s~" % (path, time.strftime("%Y-%m-%d@%H:%M:%S"))
    shutil.copy2(path, target)
    return target


def read(path):
    with open(path) as handle:
        return handle.read()
