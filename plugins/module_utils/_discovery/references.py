# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find every hash:/btree: reference of one instance and the definition site of each.

Where a table is *used* comes from postconf's expanded values (``postconf -x``/``-Px``): that is
the truth about what Postfix opens. Where its ``hash:``/``btree:`` text is *defined* comes from
walking the raw values (``postconf -n``/``-P``/``-d``) through ``$name`` references. The two
walks yield the legacy tables of a parameter in the same order, so they are paired one to one;
when they disagree the reference is still reported, marked unresolved with the reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import values
from ansible_collections.mailops.nbdb.plugins.module_utils._masking import mask_value

# Lists of table names that proxymap may open: they repeat other parameters' tables via $name.
PROXY_ACL_PARAMETERS = ("proxy_read_maps", "proxy_write_maps")
_DOLLAR_NAME_RE = re.compile(r"\$(?:\{([A-Za-z0-9_]+)[}?:]|([A-Za-z0-9_]+))")


def parse_postconf(text):
    """``name = value`` lines of postconf output -> {name: value}."""
    result = {}
    for line in text.splitlines():
        name, sep, value = line.partition(" =")
        if sep and name and " " not in name:
            result[name] = value[1:] if value.startswith(" ") else value
    return result


def parse_postconf_services(text):
    """``postconf -P`` lines ``service/type/name = value`` -> {"service/type": {name: value}}."""
    result = {}
    for key, value in parse_postconf(text).items():
        service, dummy, name = key.rpartition("/")
        if service.count("/") >= 1:
            result.setdefault(service, {})[name] = value
    return result


def parse_unused(stderr, main_cf):
    """``postconf: warning: MAIN_CF: unused parameter: name=value`` lines -> {name: value}."""
    marker = "warning: %s: unused parameter: " % main_cf
    found = {}
    for line in stderr.splitlines():
        if marker in line:
            name, sep, value = line.split(marker, 1)[1].partition("=")
            if sep:
                found[name.strip()] = value.strip()
    return found


class Snapshot:
    """What postconf says about one instance, plus definition line numbers from the files."""

    def __init__(self, config_dir, main_raw, main_expanded, defaults, master_raw, master_expanded,
                 main_lines=None, master_lines=None):
        self.config_dir = config_dir
        self.main_raw = main_raw
        self.main_expanded = main_expanded
        self.defaults = defaults
        self.master_raw = master_raw
        self.master_expanded = master_expanded
        self.main_lines = main_lines or {}
        self.master_lines = master_lines or {}
        self.dependents = {}  # service -> names it expands differently (see service_dependents), set by add_dependents

    def add_dependents(self, service, expanded):
        """Record what the service's own expansion of its dependent parameters is ({name: value})."""
        self.dependents[service] = sorted(expanded)
        self.master_expanded.setdefault(service, {}).update(expanded)

    @property
    def main_cf(self):
        return self.config_dir.rstrip("/") + "/main.cf"

    @property
    def master_cf(self):
        return self.config_dir.rstrip("/") + "/master.cf"

    def main_site(self, name):
        if name in self.main_raw:
            return site(self.main_cf, self.main_lines.get(name), name, origin="main.cf")
        return site(None, None, name, origin="default")

    def service_site(self, service, name):
        line = self.master_lines.get(service, {}).get("options", {}).get(name)
        return site(self.master_cf, line, name, service=service, origin="master.cf")


def site(path, line, parameter, service=None, origin="main.cf"):
    return {"file": path, "line": line, "parameter": parameter, "service": service, "origin": origin}


class Scope:
    """How ``$name`` resolves for a main.cf parameter or inside one master.cf service."""

    def __init__(self, snapshot, service=None):
        self.snapshot = snapshot
        self.service = service
        self._overrides = snapshot.master_raw.get(service, {}) if service else {}
        self._overrides_x = snapshot.master_expanded.get(service, {}) if service else {}

    def raw(self, name):
        """(raw value, definition site) or None when the parameter is not defined anywhere."""
        if name in self._overrides:
            return self._overrides[name], self.snapshot.service_site(self.service, name)
        if name in self.snapshot.main_raw:
            return self.snapshot.main_raw[name], self.snapshot.main_site(name)
        if name in self.snapshot.defaults:
            return self.snapshot.defaults[name], self.snapshot.main_site(name)
        return None

    def expanded(self, name):
        if name in self._overrides_x:
            return self._overrides_x[name]
        return self.snapshot.main_expanded.get(name, "")


class Definition:
    """One hash:/btree: text at its definition site, as reached from a parameter's raw value."""

    def __init__(self, leaf, definition_site, via, map_type, kind):
        self.leaf = leaf
        self.site = definition_site
        self.via = list(via)
        self.map_type = map_type
        self.kind = kind  # "literal" (hash:/x) or "type_parameter" ($default_database_type:/x)
        self.text = leaf.text  # what the definition site's value literally holds


class Tracer:
    """Walks a raw value through $name references and collects the legacy definitions in order."""

    def __init__(self, scope):
        self.scope = scope
        self.problems = []

    def trace(self, raw, at_site, wrappers=(), via=(), seen=frozenset()):
        def on_token(token, context):
            name = values.parameter_reference(token)
            if name is not None:
                return self._follow(name, context, via, seen)
            glued = values.leading_reference(token)
            if glued is not None:
                return self._glued(glued[0], glued[1], at_site, context, via, seen)
            cond = values.conditional(token)
            if cond is not None:
                name, operator, inner, otherwise = cond
                active = bool(self.scope.expanded(name).strip()) == (operator == "?")
                chosen = inner if active else otherwise
                return self.trace(chosen, at_site, context, via, seen) if chosen else []
            found = []
            for item in values.table_leaves(token, context, on_token):
                if isinstance(item, values.Leaf):
                    item = self._definition(item, at_site, via)
                if item is not None:
                    found.append(item)
            if not found and values.legacy_text_count(token):
                self.problems.append("%r in %s: hash:/btree: inside a form this tool does not trace"
                                     % (token, describe(at_site)))
            return found

        try:
            return values.walk(raw, on_token, wrappers)
        except values.ValueSyntaxError as exc:
            self.problems.append("%s: %s" % (describe(at_site), exc))
            return []

    def _follow(self, name, wrappers, via, seen):
        if name in seen:
            self.problems.append("$%s refers to itself (via %s)" % (name, " -> ".join(via)))
            return []
        found = self.scope.raw(name)
        if found is None:
            return []  # undefined: Postfix expands it to nothing
        raw, at_site = found
        return self.trace(raw, at_site, wrappers, tuple(via) + (name,), seen | {name})

    def _glued(self, name, rest, at_site, wrappers, via, seen):
        """``${indexed}generic``: the value of indexed, glued to the rest, is traced at indexed's site; a literal
        type found there is rewritten in indexed's own text (``indexed = hash:/etc/postfix/``)."""
        if name in seen:
            self.problems.append("$%s refers to itself (via %s)" % (name, " -> ".join(via)))
            return []
        found = self.scope.raw(name)
        if found is None:
            return self.trace(rest, at_site, wrappers, via, seen)  # expands to nothing
        raw, name_site = found
        raw = raw.strip()
        if len(values.split_list(raw)) != 1 or raw.startswith("{"):
            if values.legacy_text_count(raw) or values.leading_reference(raw) or values.table_spec(raw + rest):
                self.problems.append("$%s (%s) is glued to %r in %s but its value %r is not one word; this tool"
                                     " does not trace that" % (name, describe(name_site), rest, describe(at_site), raw))
            return []
        found = self.trace(raw + rest, name_site, wrappers, tuple(via) + (name,), seen | {name})
        for item in found:
            if item.kind == "literal" and item.site is name_site and item.text == raw + rest:
                item.text = raw
        return found

    def _definition(self, leaf, at_site, via):
        if leaf.map_type in values.LEGACY_TYPES:
            return Definition(leaf, at_site, via, leaf.map_type, "literal")
        type_name = values.type_parameter(leaf.map_type)
        if type_name is None:
            return None
        resolved = self.scope.expanded(type_name).strip()
        if resolved not in values.LEGACY_TYPES:
            return None
        return Definition(leaf, self._value_site(type_name), tuple(via) + (type_name,), resolved,
                          "type_parameter")

    def _value_site(self, name, seen=()):
        """Site whose text literally holds the value of name (follows name = $other chains)."""
        found = self.scope.raw(name)
        if found is None:
            return site(None, None, name, origin="default")
        raw, at_site = found
        other = values.parameter_reference(raw.strip())
        if other and other not in seen:
            return self._value_site(other, tuple(seen) + (name,))
        return at_site


def describe(at_site):
    if at_site is None:
        return "unknown place"
    where = at_site["file"] or "built-in default"
    if at_site.get("line"):
        where = "%s line %s" % (where, at_site["line"])
    if at_site.get("service"):
        return "%s, service %s, -o %s" % (where, at_site["service"], at_site["parameter"])
    return "%s, parameter %s" % (where, at_site["parameter"])


def restriction_classes(snapshot):
    return set(values.split_list(snapshot.main_expanded.get("smtpd_restriction_classes", "")))


def service_dependents(snapshot):
    """{service: names}: known parameters and restriction classes a master.cf service does not override, whose raw
    value refers (directly or via other parameters) to a user-defined parameter that the service overrides with -o
    (``smtpd_client_restrictions = $local_checks`` in main.cf, ``-o local_checks=...`` on smtpd). The service's
    daemon expands them with its own value, which ``postconf -Px`` does not show: they must be expanded for it."""
    classes = restriction_classes(snapshot)
    candidates = sorted((set(snapshot.defaults) | (set(snapshot.main_raw) & classes)))
    result = {}
    for service, options in sorted(snapshot.master_raw.items()):
        overridden = set(name for name in options if name not in snapshot.defaults)
        if not overridden:
            continue
        scope = Scope(snapshot, service)
        memo = {}
        names = [name for name in candidates
                 if name not in options and _refers_to(scope, name, overridden, memo, frozenset())]
        if names:
            result[service] = names
    return result


def _refers_to(scope, name, targets, memo, seen):
    if name in memo:
        return memo[name]
    found = scope.raw(name)
    answer = False
    if found is not None and "$" in found[0]:
        for match in _DOLLAR_NAME_RE.finditer(found[0]):
            other = match.group(1) or match.group(2)
            if other in targets or (other not in seen and _refers_to(scope, other, targets, memo, seen | {name})):
                answer = True
                break
    memo[name] = answer
    return answer


def _referenced_names(texts):
    names = set()
    for text in texts:
        for match in _DOLLAR_NAME_RE.finditer(text):
            names.add(match.group(1) or match.group(2))
    return names


def consumers(snapshot):
    """(scope, parameter, unused) triples whose value may be used as tables.

    Known parameters (those ``postconf -d`` lists) and restriction classes, in main.cf and in each master.cf service
    (its -o overrides, and the parameters it expands differently: service_dependents); also user-defined
    parameters nothing refers to (unused=True: this Postfix ignores them, a patched one may not;
    reported rather than missed). User-defined parameters that are referred to via ``$name`` are
    only definition sites of their users.
    """
    all_raw = list(snapshot.main_raw.values())
    for options in snapshot.master_raw.values():
        all_raw.extend(options.values())
    referenced = _referenced_names(all_raw)
    classes = restriction_classes(snapshot)
    main = Scope(snapshot)
    names = set(snapshot.defaults) | set(snapshot.main_raw)
    for name in sorted(names):
        if name in snapshot.defaults or name in classes:
            yield main, name, False
        elif name not in referenced:
            yield main, name, True
    for service in sorted(snapshot.master_raw):
        scope = Scope(snapshot, service)
        for name in sorted(snapshot.master_raw[service]):
            if name in snapshot.defaults or name in classes:
                yield scope, name, False
            elif name not in referenced:
                yield scope, name, True
        for name in snapshot.dependents.get(service, ()):
            yield scope, name, False


def find_references(snapshot):
    """(references, unresolved) of one instance; each reference is a dict (see nbdb_info RETURN)."""
    references = []
    unresolved = []
    for scope, name, unused in consumers(snapshot):
        expanded = scope.expanded(name)
        if not values.legacy_text_count(expanded):
            continue
        used_by = _used_by(snapshot, scope, name)
        try:
            leaves = values.legacy_tables(expanded)
        except values.ValueSyntaxError as exc:
            unresolved.append({"used_by": used_by, "reason": mask_value("", str(exc)), "text": mask_value(name, expanded)})
            continue
        raw, at_site = scope.raw(name)
        tracer = Tracer(scope)
        definitions = tracer.trace(raw, at_site)
        paired = _pair(leaves, definitions)
        if paired is None:
            reason = "; ".join(tracer.problems) or (
                "the raw value yields %d hash:/btree: definitions but postconf expands it to %d tables"
                % (len(definitions), len(leaves)))
            unresolved.append({"used_by": used_by, "reason": mask_value("", reason), "text": mask_value(name, expanded)})
            paired = [(leaf, None) for leaf in leaves]
        if name in PROXY_ACL_PARAMETERS:
            paired = [(leaf, d) for leaf, d in paired if d is None or d.site == used_by_site(used_by)]
        for leaf, definition in paired:
            references.append(dict(_reference(snapshot, used_by, leaf, definition), unused=unused))
        extra = values.legacy_text_count(expanded) - len(leaves)
        if extra > 0 and name not in PROXY_ACL_PARAMETERS:
            unresolved.append({"used_by": used_by, "text": mask_value(name, expanded), "reason":
                               "%d hash:/btree: text(s) that are not a table in this position" % extra})
    return references, unresolved


def used_by_site(used_by):
    return {key: used_by[key] for key in ("file", "line", "parameter", "service", "origin")}


def _used_by(snapshot, scope, name):
    if scope.service:
        return snapshot.service_site(scope.service, name)
    return snapshot.main_site(name)


def _pair(leaves, definitions):
    if len(leaves) != len(definitions):
        return None
    for leaf, definition in zip(leaves, definitions):
        if leaf.map_type != definition.map_type or leaf.wrappers != definition.leaf.wrappers:
            return None
    return list(zip(leaves, definitions))


def _reference(snapshot, used_by, leaf, definition):
    return {
        "config_dir": snapshot.config_dir,
        "used_by": used_by,
        "definition_site": definition.site if definition else None,
        "definition_kind": definition.kind if definition else None,
        "via": definition.via if definition else [],
        "raw": definition.text if definition else None,
        "expanded": leaf.spec,
        "type": leaf.map_type,
        "path": leaf.name,
        "wrappers": leaf.wrappers,
    }


def find_lookalikes(snapshot):
    """Raw texts that mention hash/btree but are not hash:/btree: tables (texthash:, HASH:, ...)."""
    found = []
    places = [(snapshot.main_site(name), value) for name, value in sorted(snapshot.main_raw.items())]
    for service in sorted(snapshot.master_raw):
        for name, value in sorted(snapshot.master_raw[service].items()):
            places.append((snapshot.service_site(service, name), value))
    for at_site, value in places:
        for word in values.lookalikes(value):
            found.append({"site": at_site, "text": word})
    return found
