# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Room for the rebuild (issue 15 §4: decided here, not in the role): every table the plan builds needs factor
times its size free on its file system, the larger of its source and its legacy .db."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _size(files, kind):
    facts = (files or {}).get(kind)
    return facts.get("size") or 0 if isinstance(facts, dict) else 0


def room_refusals(tables, plan, factor):
    """Messages for the tables plan builds whose file system has less than factor x their size free (tables whose
    free space is unknown pass); [] when nothing is needed or factor is 0."""
    if not plan.get("needed") or factor <= 0:
        return []
    building = {name for instance in (plan.get("instances") or {}).values() for name in instance.get("build", [])}
    refusals = []
    for table in tables:
        if table["name"] not in building or table.get("free_bytes") is None:
            continue
        size = max(_size(table.get("files"), "source"), _size(table.get("files"), "db"))
        if table["free_bytes"] < factor * size:
            refusals.append("%s: %d bytes free on its file system, the rebuild may need %d (%d times the table's "
                            "%d bytes: migrate_disk_factor); free space there or lower the factor"
                            % (table["name"], table["free_bytes"], factor * size, factor, size))
    return refusals
