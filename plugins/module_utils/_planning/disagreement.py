# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A table whose source and legacy .db disagree: what differs (keys and kinds, never values) and which side wins.

The .db is what the server answers today (a source edited but never rebuilt, ``postmap -i``/``-d``, a program that
writes the .db directly). Migrating from the source would silently change those answers, so such a table is refused
until the operator names the winner: ``source`` (build from the source, the server's answers change to it) or ``db``
(build from the .db's content and rewrite the source from it, the answers stay).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError

SOURCE, DB = "source", "db"
SIDES = (SOURCE, DB)
KINDS = ("only_in_source", "only_in_db", "value_differs")
MAX_KEYS = 200  # keys listed per table in results; counts are always complete
MESSAGE_KEYS = 20  # keys named in the refusal message
ROLE_VARIABLE = "migrate_disagreement"


class DisagreementError(NbdbError):
    """A table refused because its source and .db disagree and nobody said which side wins."""


def compare(source_entries, db_entries):
    """{kind: sorted keys} between what the source defines and what the .db holds (both {key: value} bytes)."""
    return {
        "only_in_source": sorted(key for key in source_entries if key not in db_entries),
        "only_in_db": sorted(key for key in db_entries if key not in source_entries),
        "value_differs": sorted(key for key in source_entries
                                if key in db_entries and db_entries[key] != source_entries[key]),
    }


def agrees(difference):
    return not any(difference[kind] for kind in KINDS)


def _text(key):
    return key.decode("utf-8", "replace") if isinstance(key, bytes) else key


def keys_by_kind(difference, limit=MAX_KEYS):
    """[{"key", "kind"}] in key order, at most limit: what the result and the dry run show (no values)."""
    listed = sorted((key, kind) for kind in KINDS for key in difference[kind])
    return [{"key": _text(key), "kind": kind} for key, kind in listed[:limit]]


def describe(difference, chosen=None, limit=MAX_KEYS):
    """The result's ``disagreement`` entry: counts per kind, the keys (capped), the side chosen or None."""
    total = sum(len(difference[kind]) for kind in KINDS)
    result = {kind: len(difference[kind]) for kind in KINDS}
    result.update(keys=keys_by_kind(difference, limit), truncated=total > limit, chosen=chosen)
    return result


def check_choices(choices):
    """Refuse a choice other than source/db (the module's argument, the role's migrate_disagreement)."""
    for path, side in (choices or {}).items():
        if side not in SIDES:
            raise DisagreementError("%s: %s[%r] is %r; say %s" % (ROLE_VARIABLE, ROLE_VARIABLE, path, side,
                                                                  " or ".join(repr(s) for s in SIDES)))


def chosen_side(choices, path, spec):
    """The side named for this table (by path or by the table as requested), or None."""
    choices = choices or {}
    return choices.get(path) or choices.get(spec)


def refusal(spec, path, difference, limit=MESSAGE_KEYS):
    """The message that refuses the table: counts, the first keys with their kind, the variable to set."""
    counts = ", ".join("%d %s" % (len(difference[kind]), kind.replace("_", " ")) for kind in KINDS if difference[kind])
    listed = keys_by_kind(difference, limit)
    total = sum(len(difference[kind]) for kind in KINDS)
    keys = "; ".join("%s (%s)" % (item["key"], item["kind"].replace("_", " ")) for item in listed)
    more = " and %d more" % (total - len(listed)) if total > len(listed) else ""
    return ("%s: the source %s and its legacy %s.db disagree (%s): %s%s. The .db is what the server answers today;"
            " refusing to change those answers silently. Say which side wins with %s: {%r: source} (build from the"
            " source) or {%r: db} (build from the .db and rewrite the source from it)"
            % (spec, path, path, counts, keys, more, ROLE_VARIABLE, path, path))


def decide(spec, path, source_entries, db_entries, choices):
    """(winner or None when they agree, difference) or DisagreementError when they disagree and nothing was chosen.

    db_entries None: the .db was not read (none, or an orphan): nothing to compare."""
    if db_entries is None:
        return None, None
    difference = compare(source_entries, db_entries)
    if agrees(difference):
        return None, difference
    side = chosen_side(choices, path, spec)
    if side is None:
        raise DisagreementError(refusal(spec, path, difference))
    return side, difference
