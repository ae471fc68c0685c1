# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build an indexed table with the host's postmap/postalias, verify it, and put it in place.

The new file is built from a copy of the source in a root-only private directory next to the table
(same file system), every key is looked up through the real Postfix, and only then is the file renamed
over the old one: a reader sees the old table or the complete new one, and a failed build leaves the
old table serving. The result gets the owner postmap would give it (the source's uid and gid) and the
planned mode (plan.table_mode: postmap's source mode & 0644; 0600 for a sensitive table, 0640 under proxy:),
set before it appears.

Tables may live in directories their owner can write (Mailman's list:list data directory). Nothing is
done there by path (see descriptors): the directory is held by a descriptor, the source is opened
without following symlinks, the copy and the build stay in the private directory (commands reach it as
/proc/self/fd/N/...), owner and mode are set on the built file's descriptor, and it enters the table's
directory by a rename between the two directory descriptors. Where the source's owner can write the directory,
all of that runs in a child that dropped to the owner (descriptors.Directory.act): root never writes there. A
directory that anyone else can write is refused.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import indexed
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import descriptors
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import reindex as plan

QUERY_BATCH = 200000
WORK_PREFIX = ".nbdb-build-"


class BuildError(NbdbError):
    """The build or its verification failed; the previous table is untouched."""


def build(postfix, config_dir, table, tool, target_type, expected, fold_case=True, sensitive=False,
          proxied=False, flags=()):
    """Build target_type:table from its source; returns the installed file's path.

    The installed file's mode is plan.table_mode of the source's (sensitive: 0600, 0640 when used through
    proxy:), set on its descriptor before the rename. In a directory the source's owner can write, everything
    from the copy to the rename runs as that owner (descriptors.Directory.act); root never writes there."""
    directory, name = os.path.split(table)
    what = "building %s:%s" % (target_type, table)
    try:
        with descriptors.Directory(directory) as parent:
            _remove_abandoned(parent)
            source_fd, info = parent.open_source(name)
            try:
                mode = plan.table_mode(stat.S_IMODE(info.st_mode), sensitive, proxied)
                return parent.act(info.st_uid, info.st_gid, what, WORK_PREFIX, _build_guarded,
                                  postfix, config_dir, table, tool, target_type, expected, fold_case, flags, source_fd,
                                  name, info, mode)
            finally:
                os.close(source_fd)
    except descriptors.UnsafePathError as exc:
        raise BuildError("%s; the old table was left in place" % _named(what, exc))
    except descriptors.ActingError as exc:
        raise BuildError(str(exc))
    except OSError as exc:
        raise BuildError("%s: %s" % (what, exc))


def _named(what, exc):
    text = str(exc)
    return text if text.startswith(what) else "%s: %s" % (what, text)


def _build_guarded(work, postfix, config_dir, table, tool, target_type, expected, fold_case, flags, source_fd, name,
                   info, mode):
    """Copy the source into the private directory work, build, verify, install (as root, or in the owner's child)."""
    what = "building %s:%s" % (target_type, table)
    try:
        copy_fd = work.create(name)
        try:
            descriptors.copy_fd(source_fd, copy_fd)
            os.fchmod(copy_fd, stat.S_IMODE(info.st_mode))  # postmap gives the output this & 0644
        finally:
            os.close(copy_fd)
        return _build_in(postfix, config_dir, table, tool, target_type, expected, fold_case, flags, work, name, info,
                         mode)
    except descriptors.UnsafePathError as exc:
        raise BuildError("%s: %s; the old table was left in place" % (what, exc))
    except OSError as exc:
        raise BuildError("%s: %s" % (what, exc))


def _build_in(postfix, config_dir, table, tool, target_type, expected, fold_case, flags, work, name, info, mode):
    """Build the copy name inside work (postmap runs as whoever acts: root, or the owner in its child), verify, set
    owner and mode on the descriptor, rename into the table's directory."""
    directory = os.path.dirname(table)
    options = list(flags) + ([] if fold_case else ["-f"])
    spec = "%s:%s" % (target_type, work.command_path(name))
    postfix.run(tool, options + [spec], config_dir, what="building %s:%s" % (target_type, table),
                pass_fds=work.pass_fds)
    wrong = lookup_mismatches(postfix, config_dir, tool, target_type, table, spec, expected, fold_case,
                              pass_fds=work.pass_fds)
    if wrong:
        hint = ""
        if len(wrong) == len(expected):
            free = os.fstatvfs(work.fd)
            hint = " (postmap reports no error on a full disk: %d bytes are free in %s)" % (
                free.f_bavail * free.f_frsize, directory)
        raise BuildError("verifying %s:%s: %s%s; the old table was left in place"
                         % (target_type, table, describe_mismatch(wrong, len(expected)), hint))
    built = indexed.indexed_path(target_type, name)
    fd, facts = work.open_regular(built)
    try:
        if (facts.st_uid, facts.st_gid) != (info.st_uid, info.st_gid):
            os.fchown(fd, info.st_uid, info.st_gid)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    final = indexed.indexed_path(target_type, name)
    work.rename_into(built, final)
    return indexed.indexed_path(target_type, table)


def remove_abandoned(directory):
    """Remove build directories of module runs that were killed (named after a process that no longer exists)."""
    try:
        parent = descriptors.Directory(directory)
    except (OSError, descriptors.UnsafePathError):
        return  # the build itself reports an unreadable or unsafe directory
    with parent:
        _remove_abandoned(parent)


def _remove_abandoned(parent):
    def keep(entry):
        pid = entry[len(WORK_PREFIX):].split("-")[0]
        return not pid.isdigit() or _alive(int(pid))

    try:
        descriptors.remove_private_dirs(parent, WORK_PREFIX, keep)
    except OSError:
        pass


def _alive(pid):
    """Whether the process exists and is not a zombie (an unreaped killed process is gone for our purpose)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (IOError, OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def describe_mismatch(wrong, total):
    sample = ", ".join(repr(key.decode("utf-8", "replace")) for key in wrong[:5])
    return "%d of %d keys do not look up to the source's value (e.g. %s)" % (len(wrong), total, sample)


def lookup_mismatches(postfix, config_dir, tool, target_type, table, spec, expected, fold_case=True, keys=None,
                      pass_fds=()):
    """Keys (all, or the given ones) whose lookup through the real Postfix differs from expected."""
    keys = list(expected) if keys is None else list(keys)
    query = ["-q", "-"] if fold_case else ["-f", "-q", "-"]
    separator = b":\t" if tool == "postalias" else b"\t"
    wrong = []
    for start in range(0, len(keys), QUERY_BATCH):
        batch = keys[start:start + QUERY_BATCH]
        rc, out, err = postfix.run(tool, query + [spec], config_dir, check=False, binary=True,
                                   data=b"\n".join(batch) + b"\n", what="verifying %s:%s" % (target_type, table),
                                   pass_fds=pass_fds)
        if rc not in (0, 1):
            raise BuildError("verifying %s:%s: %s -q failed: %s" % (target_type, table, tool, err.strip()))
        wrong += batch_mismatches(batch, expected, out, separator, tool == "postalias")
    return wrong


def batch_mismatches(batch, expected, out, separator, alias):
    """Keys of batch whose answer in out (``postmap -q -`` output: one "key<separator>value" line per key found, in
    query order) differs from expected. Output byte for byte what every key answering right prints means no key
    is wrong (one comparison); otherwise each line is parsed."""
    if out == b"".join(key + separator + expected[key] + b"\n" for key in batch):
        return []
    found = indexed.parse_dump(out, alias=alias)
    return [key for key in batch if found.get(key) != expected[key]]
