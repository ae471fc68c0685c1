# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan the configuration switch: which text to change where, so no hash:/btree: is left.

Every reference is changed at its definition site (the text that literally holds it), so
``$name`` indirection keeps working: ``my_access = hash:/x`` becomes ``my_access = lmdb:/x`` and
every user of ``$my_access`` follows. ``hash:`` becomes the table type, ``btree:`` the cache type.
A legacy table that only a built-in default holds (``address_verify_map`` before 3.11) gets an
explicit main.cf setting. Pure functions: no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.values import LEGACY_TYPES

DEFAULT_TYPE_PARAMETERS = ("default_database_type", "default_cache_db_type")
UPDATABLE_CACHE_TYPES = ("lmdb",)  # cdb tables are read-only: Postfix cannot keep a cache in them


class RewriteError(NbdbError):
    """The switch cannot be planned safely; str() names the reference."""


def is_excluded(ref, exclude):
    """exclude holds ``type:path``, paths or parameter names."""
    names = {ref["expanded"], ref["path"], ref["used_by"]["parameter"]}
    if ref["definition_site"]:
        names.add(ref["definition_site"]["parameter"])
    return bool(names & set(exclude))


def new_type_for(ref, database_type, cache_db_type):
    return cache_db_type if ref["type"] == "btree" else database_type


def _site_key(site):
    return (site["origin"], site["file"], site["service"], site["parameter"])


def plan(snapshot, references, database_type, cache_db_type, exclude=()):
    """{"replacements": [...], "settings": {name: value}, "excluded": [...]}."""
    if database_type in LEGACY_TYPES or cache_db_type in LEGACY_TYPES:
        raise RewriteError("the new types must not be Berkeley DB types (got %s/%s)" % (database_type, cache_db_type))
    replacements = {}
    settings = {}
    kept = [ref for ref in references if is_excluded(ref, exclude)]
    kept_texts = {_site_key(ref["definition_site"]) + (ref["raw"],) for ref in kept if ref["definition_site"]}
    untraced = sorted({"%s (used by %s)" % (ref["expanded"], ref["used_by"]["parameter"])
                       for ref in references if ref not in kept and ref["definition_site"] is None})
    if untraced:
        raise RewriteError("cannot be rewritten safely, their definitions could not be traced (see nbdb_info"
                           " summary.unresolved): %s" % ", ".join(untraced))
    for ref in references:
        if ref in kept:
            continue
        site = ref["definition_site"]
        if _site_key(site) + (ref["raw"],) in kept_texts:
            raise RewriteError("%s: its text %r in %s is also that of an excluded reference; exclude both or"
                               " neither" % (ref["expanded"], ref["raw"], site["parameter"]))
        new_type = new_type_for(ref, database_type, cache_db_type)
        if ref["definition_kind"] == "type_parameter":
            if site["parameter"] in DEFAULT_TYPE_PARAMETERS:
                continue  # switched by the default type settings below
            old, new = ref["type"], new_type
        else:
            old, new = ref["raw"], new_type + ref["raw"][len(ref["type"]):]
        if site["origin"] == "default":
            value = settings.get(site["parameter"], snapshot.defaults[site["parameter"]])
            settings[site["parameter"]] = replace_tokens(value, old, new)
            continue
        key = _site_key(site) + (old,)
        entry = replacements.setdefault(key, {
            "file": site["file"], "line": site["line"], "parameter": site["parameter"],
            "service": site["service"], "old": old, "new": new, "references": []})
        if entry["new"] != new:
            raise RewriteError("%s at %s line %s would need two different types" % (old, site["file"], site["line"]))
        entry["references"].append(ref["expanded"])
    for name, wanted in (("default_database_type", database_type), ("default_cache_db_type", cache_db_type)):
        if name in snapshot.defaults and snapshot.main_expanded.get(name, "").strip() != wanted:
            settings[name] = wanted
    return {"replacements": list(replacements.values()), "settings": settings, "excluded": kept}


_LEFT_OK = set(" \t,{:=")
_RIGHT_OK = set(" \t,}\r\n")


def replace_tokens(text, old, new):
    """Replace old where it stands as a whole table text or type word (not inside texthash: etc.)."""
    out = []
    index = 0
    while True:
        found = text.find(old, index)
        if found < 0:
            out.append(text[index:])
            return "".join(out)
        end = found + len(old)
        left_ok = found == 0 or text[found - 1] in _LEFT_OK
        right_ok = end == len(text) or text[end] in _RIGHT_OK
        out.append(text[index:found])
        out.append(new if left_ok and right_ok else old)
        index = end
