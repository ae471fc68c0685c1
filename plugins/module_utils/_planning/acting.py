# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who writes a table's files: root, the file's owner (a child that dropped to it), or nobody. Pure: no I/O.

Writers are who besides root can add, rename or remove entries, as ``_execution.descriptors`` records them:
``("user", uid)`` (the owner of a directory), ``("group", gid)`` (a group-writable one), ``("anyone", None)``
(other-writable, not sticky), each with the first path where that holds.

- Nobody besides root can change the table's directory itself, or only the file's group can and the file is
  root's (Mailman 2's ``root:list 2775`` data directory with ``root:list 0664`` tables): root works there, in
  a root-only private directory, by descriptors. (A user-owned ancestor can move the directory away, not
  change what is inside it; the group can already rewrite such a file.)
- The table's own non-root owner (and its group) can: root does not write there at all; the copy, the build
  and the rename run in a child that has dropped to uid:gid, the way postmap drops root for a non-root source.
  Whatever that user plants, the child can only do what the user could do anyway.
- Anyone else can (another user or group, every user, or a user who owns the directory of a root-owned
  file): neither is safe (root would be racing that user; the owner's child could be too, or cannot give the
  file its owner), so nothing is done.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ROOT = "root"
OWNER = "owner"


def actor(writers, directory_writers, uid, gid):
    """(ROOT | OWNER | None, foreign) for a file owned by uid:gid.

    writers: {writer: path} for the table's directory and its ancestors; directory_writers: the writers of
    the table's directory itself; foreign: sorted (writer, path) of the writers that are neither root nor the
    file's owner (why None)."""
    allowed = {("group", gid)} if uid == 0 else {("user", uid), ("group", gid)}
    foreign = sorted((writer, path) for writer, path in writers.items() if writer not in allowed)
    if foreign:
        return None, foreign
    return (OWNER if directory_writers and uid != 0 else ROOT), []
