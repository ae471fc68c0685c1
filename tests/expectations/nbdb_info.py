"""What nbdb_info must report for each configuration of tests/expectations/scenarios.py, written by hand.

The expected references, tables and summaries are written from the config files and from ``postconf -d`` of each
release (line numbers are looked up in the file text by a helper, never by the collection's own parsers). Both the
recorded tier (tests/recorded) and the container tier (tests/integration) assert against these; never derive an
expectation from the collection's output.
"""
import json
import re

import pytest

from tests.expectations.scenarios import SCENARIOS, config


# --------------------------------------------------------------------------- config text helpers
def main_line(text, parameter):
    """Line of the (last, as Postfix: last wins) ``parameter =`` logical line in main.cf text."""
    found = [number for number, line in enumerate(text.splitlines(), 1)
             if re.match(r"%s\s*=" % re.escape(parameter), line)]
    assert found, "%s not in main.cf text" % parameter
    return found[-1]


def text_line(text, needle, after=None):
    """Line of the first line containing needle (after the first line containing ``after``)."""
    lines = text.splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    for index in range(start, len(lines)):
        if needle in lines[index]:
            return index + 1
    raise AssertionError("%r not found (after %r)" % (needle, after))


# --------------------------------------------------------------------------- expected-value builders
class Instance:
    """Sites of one instance's config files."""

    def __init__(self, scenario, config_dir="/etc/postfix", name="default", subdir=""):
        self.config_dir = config_dir
        self.name = name
        self.main = config(scenario, subdir + "main.cf")
        self.master = config(scenario, subdir + "master.cf")

    def m(self, parameter):
        """main.cf site of parameter."""
        return {"file": self.config_dir + "/main.cf", "line": main_line(self.main, parameter),
                "parameter": parameter, "service": None, "origin": "main.cf"}

    @staticmethod
    def d(parameter):
        """Built-in default site of parameter."""
        return {"file": None, "line": None, "parameter": parameter, "service": None,
                "origin": "default"}

    def o(self, service, parameter, needle=None):
        """master.cf site of ``-o parameter=`` of service ("name/type"): the line holding it."""
        name, kind = service.split("/")
        lines = self.master.splitlines()
        start = next(n for n, line in enumerate(lines) if line.split()[:2] == [name, kind])
        needle = needle or "-o %s=" % parameter
        line = next(n for n in range(start + 1, len(lines)) if needle in lines[n]) + 1
        return {"file": self.config_dir + "/master.cf", "line": line, "parameter": parameter,
                "service": service, "origin": "master.cf"}

    def ref(self, used_by, site, expanded, raw=None, via=(), wrappers=(), kind="literal", unused=False):
        map_type, dummy, path = expanded.partition(":")
        return {
            "instance": self.name,
            "config_dir": self.config_dir,
            "used_by": used_by,
            "definition_site": site,
            "definition_kind": kind,
            "via": list(via),
            "raw": raw if raw is not None else expanded,
            "expanded": expanded,
            "type": map_type,
            "path": path,
            "wrappers": list(wrappers),
            "unused": unused,
        }

    def table(self, expanded, role, used_by, files=("source", "db"), target_type=None):
        map_type, dummy, path = expanded.partition(":")
        alias = any(user.rsplit("/", 1)[-1] in ("alias_maps", "alias_database") for user in used_by)
        tool = None if role == "cache" else ("postalias" if alias else "postmap")
        return {
            "instance": self.name,
            "config_dir": self.config_dir,
            "type": map_type,
            "path": path,
            "used_by": sorted(used_by),
            "role": role,
            "alias_format": alias,
            "tool": tool,
            "relative_path": False,
            "files": {kind: kind in files for kind in ("source", "db", "lmdb", "cdb")},
            # btree: becomes the cache type (lmdb here), hash: the table type (lmdb unless given)
            "target": "%s:%s" % ("lmdb" if map_type == "btree" else (target_type or "lmdb"), path),
        }


def canon(items):
    return sorted(json.dumps(item, sort_keys=True) for item in items)


def assert_same_items(actual, expected, what):
    actual_c, expected_c = canon(actual), canon(expected)
    missing = [item for item in expected_c if item not in actual_c]
    unexpected = [item for item in actual_c if item not in expected_c]
    assert not missing and not unexpected and len(actual_c) == len(expected_c), (
        "%s differ\nmissing (expected, not reported):\n  %s\nunexpected (reported, not expected):\n  %s"
        % (what, "\n  ".join(missing) or "-", "\n  ".join(unexpected) or "-"))


def table_view(table):
    """The parts of a reported table the tests state exactly (files: existence only)."""
    view = {key: table[key] for key in ("instance", "config_dir", "type", "path", "role",
                                        "alias_format", "tool", "relative_path", "target")}
    view["used_by"] = sorted(table["used_by"])
    view["files"] = {kind: table["files"][kind] is not None for kind in ("source", "db", "lmdb", "cdb")}
    return view


# --------------------------------------------------------------------------- expectations
# Each returns {"refs", "tables", "lookalikes", "instances", "legacy_defaults"}; written by hand
# from the config files above and `postconf -d` of the release (3.7/3.10: address_verify_map and
# postscreen_cache_map default to btree:$data_directory/..., default_database_type = hash;
# 3.11: $default_cache_db_type = lmdb, $default_database_type = cdb; all three:
# local_recipient_maps = proxy:unix:passwd.byname $alias_maps, virtual_alias_domains =
# $virtual_alias_maps, virtual_mailbox_domains = $virtual_mailbox_maps, fast_flush_domains =
# $relay_domains, address_verify_transport_maps = $transport_maps,
# address_verify_sender_dependent_{default_transport,relayhost}_maps = $sender_dependent_..._maps,
# tlsproxy_client_policy_maps = $smtp_tls_policy_maps unless tlsproxy_client_policy is set
# (3.7: ${tlsproxy_client_policy:$smtp_tls_policy_maps}; 3.10/3.11:
# ${tlsproxy_client_policy?{$tlsproxy_client_policy}:{$smtp_tls_policy_maps}}).
# proxy_read_maps/proxy_write_maps only count hash:/btree: text written literally in them.

def lookalike(site, text, instance="default"):
    return {"site": site, "text": text, "instance": instance}


def expect_bookworm_mailman2():
    i = Instance("bookworm-mailman2")
    aliases, mm_aliases = "hash:/etc/aliases", "hash:/var/lib/mailman/data/aliases"
    vmm, transport = "hash:/var/lib/mailman/data/virtual-mailman", "hash:/etc/postfix/transport"
    verify, pscreen = "btree:/var/lib/postfix/verify_cache", "btree:/var/lib/postfix/postscreen_cache"
    scache = "btree:/var/lib/postfix/smtp_scache"
    refs = [
        # alias_maps is defined twice; the Mailman line (last) wins
        i.ref(i.m("alias_maps"), i.m("alias_maps"), aliases),
        i.ref(i.m("alias_maps"), i.m("alias_maps"), mm_aliases),
        i.ref(i.m("alias_database"), i.m("alias_database"), aliases),
        i.ref(i.d("local_recipient_maps"), i.m("alias_maps"), aliases, via=["alias_maps"]),
        i.ref(i.d("local_recipient_maps"), i.m("alias_maps"), mm_aliases, via=["alias_maps"]),
        i.ref(i.m("relay_domains"), i.m("relay_domains"), vmm),
        i.ref(i.d("fast_flush_domains"), i.m("relay_domains"), vmm, via=["relay_domains"]),
        i.ref(i.m("virtual_alias_maps"), i.m("virtual_alias_maps"), vmm),
        i.ref(i.d("virtual_alias_domains"), i.m("virtual_alias_maps"), vmm, via=["virtual_alias_maps"]),
        i.ref(i.m("transport_maps"), i.m("transport_maps"), transport),
        i.ref(i.d("address_verify_transport_maps"), i.m("transport_maps"), transport,
              via=["transport_maps"]),
        i.ref(i.m("smtp_tls_session_cache_database"), i.m("smtp_tls_session_cache_database"),
              scache, raw="btree:${data_directory}/smtp_scache"),
        i.ref(i.d("address_verify_map"), i.d("address_verify_map"), verify,
              raw="btree:$data_directory/verify_cache"),
        i.ref(i.d("postscreen_cache_map"), i.d("postscreen_cache_map"), pscreen,
              raw="btree:$data_directory/postscreen_cache"),
    ]
    tables = [
        i.table(aliases, "alias", ["alias_maps", "alias_database", "local_recipient_maps"]),
        i.table(mm_aliases, "alias", ["alias_maps", "local_recipient_maps"]),
        i.table(vmm, "map", ["relay_domains", "fast_flush_domains", "virtual_alias_maps",
                             "virtual_alias_domains"]),
        i.table(transport, "map", ["transport_maps", "address_verify_transport_maps"]),
        i.table(scache, "cache", ["smtp_tls_session_cache_database"], files=()),
        i.table(verify, "cache", ["address_verify_map"], files=()),
        i.table(pscreen, "cache", ["postscreen_cache_map"], files=()),
    ]
    return dict(refs=refs, tables=tables, lookalikes=[], legacy_defaults=["default"],
                instances=[("default", "/etc/postfix", "hash", None, "unsupported")])


def expect_bookworm_submission():
    i = Instance("bookworm-submission")
    aliases = "hash:/etc/aliases"
    verify, pscreen = "btree:/var/lib/postfix/verify_cache", "btree:/var/lib/postfix/postscreen_cache"
    scache = "btree:/var/lib/postfix/smtp_scache"
    pf = "hash:/etc/postfix/"
    refs = [
        i.ref(i.m("alias_maps"), i.m("alias_maps"), aliases),
        i.ref(i.m("alias_database"), i.m("alias_database"), aliases),
        i.ref(i.d("local_recipient_maps"), i.m("alias_maps"), aliases, via=["alias_maps"]),
        i.ref(i.m("smtp_tls_session_cache_database"), i.m("smtp_tls_session_cache_database"),
              scache, raw="btree:${data_directory}/smtp_scache"),
        i.ref(i.m("address_verify_map"), i.m("address_verify_map"), verify,
              raw="btree:$data_directory/verify_cache"),
        i.ref(i.m("postscreen_cache_map"), i.m("postscreen_cache_map"), pscreen,
              raw="btree:$data_directory/postscreen_cache", wrappers=["proxy"]),
        i.ref(i.m("smtpd_sender_login_maps"), i.m("smtpd_sender_login_maps"), pf + "sender_login"),
        # Debian's submission: -o smtpd_client_restrictions=$mua_client_restrictions, and
        # mua_client_restrictions -> $mua_access_checks -> ${mua_client_access} in main.cf
        i.ref(i.o("submission/inet", "smtpd_client_restrictions"), i.m("mua_client_access"),
              pf + "mua_client_access", raw="hash:$config_directory/mua_client_access",
              via=["mua_client_restrictions", "mua_access_checks", "mua_client_access"],
              wrappers=["check_client_access"]),
        # -o { name = value } spanning two lines: the line of "-o {"
        i.ref(i.o("submissions/inet", "smtpd_client_restrictions", "-o { smtpd_client_restrictions ="),
              i.o("submissions/inet", "smtpd_client_restrictions", "-o { smtpd_client_restrictions ="),
              pf + "submissions_access", wrappers=["check_client_access"]),
        # restriction class
        i.ref(i.m("from_freemail"), i.m("from_freemail"), pf + "freemail_senders",
              wrappers=["check_sender_access"]),
        i.ref(i.m("smtpd_sender_restrictions"), i.m("smtpd_sender_restrictions"), pf + "sender_access",
              wrappers=["check_sender_access"]),
        # a comment line inside the continuation lines does not end the value
        i.ref(i.m("smtpd_recipient_restrictions"), i.m("smtpd_recipient_restrictions"),
              pf + "recipient_access", wrappers=["check_recipient_access"]),
        # ${default_database_type}:/x with the 3.7 default hash
        i.ref(i.m("smtp_sasl_password_maps"), i.d("default_database_type"), pf + "sasl/sasl_passwd",
              raw="${default_database_type}:/etc/postfix/sasl/sasl_passwd",
              via=["default_database_type"], kind="type_parameter"),
    ]
    tables = [
        i.table(aliases, "alias", ["alias_maps", "alias_database", "local_recipient_maps"]),
        i.table(pf + "sender_login", "map", ["smtpd_sender_login_maps"]),
        i.table(pf + "mua_client_access", "map", ["submission/inet/smtpd_client_restrictions"]),
        i.table(pf + "submissions_access", "map", ["submissions/inet/smtpd_client_restrictions"]),
        i.table(pf + "freemail_senders", "map", ["from_freemail"]),
        i.table(pf + "sender_access", "map", ["smtpd_sender_restrictions"]),
        i.table(pf + "recipient_access", "map", ["smtpd_recipient_restrictions"]),
        i.table(pf + "sasl/sasl_passwd", "map", ["smtp_sasl_password_maps"]),
        i.table(scache, "cache", ["smtp_tls_session_cache_database"], files=()),
        i.table(verify, "cache", ["address_verify_map"], files=()),
        i.table(pscreen, "cache", ["postscreen_cache_map"], files=()),
    ]
    lookalikes = [
        lookalike(i.m("smtpd_helo_restrictions"), "texthash:/etc/postfix/helo_access"),
        lookalike(i.m("smtp_tls_policy_maps"), "texthash:/etc/postfix/tls_policy"),
    ]
    return dict(refs=refs, tables=tables, lookalikes=lookalikes, legacy_defaults=["default"],
                instances=[("default", "/etc/postfix", "hash", None, "unsupported")])


def expect_trixie_plesk():
    i = Instance("trixie-plesk")
    aliases = "hash:/etc/aliases"
    verify, pscreen = "btree:/var/lib/postfix/verify_cache", "btree:/var/lib/postfix/postscreen_cache"
    p = "hash:/var/spool/postfix/plesk/"
    refs = [
        i.ref(i.m("alias_maps"), i.m("alias_maps"), aliases),
        i.ref(i.m("alias_database"), i.m("alias_database"), aliases),
        i.ref(i.d("local_recipient_maps"), i.m("alias_maps"), aliases, via=["alias_maps"]),
        # virtual_mailbox_domains = $virtual_mailbox_maps, hash:.../virtual_domains
        i.ref(i.m("virtual_mailbox_domains"), i.m("virtual_mailbox_maps"), p + "vmailbox",
              via=["virtual_mailbox_maps"]),
        i.ref(i.m("virtual_mailbox_domains"), i.m("virtual_mailbox_domains"), p + "virtual_domains"),
        i.ref(i.m("virtual_mailbox_maps"), i.m("virtual_mailbox_maps"), p + "vmailbox"),
        # virtual_alias_maps = $virtual_maps (empty), hash:.../virtual
        i.ref(i.m("virtual_alias_maps"), i.m("virtual_alias_maps"), p + "virtual"),
        i.ref(i.d("virtual_alias_domains"), i.m("virtual_alias_maps"), p + "virtual",
              via=["virtual_alias_maps"]),
        i.ref(i.m("transport_maps"), i.m("transport_maps"), p + "transport"),
        i.ref(i.d("address_verify_transport_maps"), i.m("transport_maps"), p + "transport",
              via=["transport_maps"]),
        i.ref(i.m("sender_dependent_default_transport_maps"),
              i.m("sender_dependent_default_transport_maps"), p + "sdd_transport_maps"),
        i.ref(i.d("address_verify_sender_dependent_default_transport_maps"),
              i.m("sender_dependent_default_transport_maps"), p + "sdd_transport_maps",
              via=["sender_dependent_default_transport_maps"]),
        i.ref(i.m("smtpd_sender_restrictions"), i.m("smtpd_sender_restrictions"), p + "blacklists",
              wrappers=["check_sender_access"]),
        # user-defined (from the VDA quota patch), nobody refers to it: a consumer of its own
        # not a parameter of stock Postfix (VDA quota patch): postconf calls it unused
        i.ref(i.m("virtual_mailbox_limit_maps"), i.m("virtual_mailbox_limit_maps"), p + "mailbox_quota",
              unused=True),
        i.ref(i.m("smtpd_tls_session_cache_database"), i.m("smtpd_tls_session_cache_database"),
              "btree:/var/lib/postfix/smtpd_scache"),
        i.ref(i.m("smtp_tls_session_cache_database"), i.m("smtp_tls_session_cache_database"),
              "btree:/var/lib/postfix/smtp_scache"),
        i.ref(i.d("address_verify_map"), i.d("address_verify_map"), verify,
              raw="btree:$data_directory/verify_cache"),
        i.ref(i.d("postscreen_cache_map"), i.d("postscreen_cache_map"), pscreen,
              raw="btree:$data_directory/postscreen_cache"),
    ]
    tables = [
        i.table(aliases, "alias", ["alias_maps", "alias_database", "local_recipient_maps"]),
        i.table(p + "vmailbox", "map", ["virtual_mailbox_maps", "virtual_mailbox_domains"]),
        i.table(p + "virtual_domains", "map", ["virtual_mailbox_domains"]),
        i.table(p + "virtual", "map", ["virtual_alias_maps", "virtual_alias_domains"]),
        i.table(p + "transport", "map", ["transport_maps", "address_verify_transport_maps"]),
        i.table(p + "sdd_transport_maps", "map", ["sender_dependent_default_transport_maps",
                                                  "address_verify_sender_dependent_default_transport_maps"]),
        i.table(p + "blacklists", "map", ["smtpd_sender_restrictions"]),
        i.table(p + "mailbox_quota", "map", ["virtual_mailbox_limit_maps"]),
        i.table("btree:/var/lib/postfix/smtpd_scache", "cache", ["smtpd_tls_session_cache_database"], files=()),
        i.table("btree:/var/lib/postfix/smtp_scache", "cache", ["smtp_tls_session_cache_database"], files=()),
        i.table(verify, "cache", ["address_verify_map"], files=()),
        i.table(pscreen, "cache", ["postscreen_cache_map"], files=()),
    ]
    return dict(refs=refs, tables=tables, lookalikes=[], legacy_defaults=["default"],
                instances=[("default", "/etc/postfix", "hash", None, "unsupported")])


def expect_trixie_panel_tables():
    i = Instance("trixie-panel-tables")
    aliases = "hash:/etc/aliases"
    verify, pscreen = "btree:/var/lib/postfix/verify_cache", "btree:/var/lib/postfix/postscreen_cache"
    t = "hash:/etc/postfix/tables/"
    refs = [
        # alias_maps = hash:/etc/aliases, proxy:hash:.../aliases_local, texthash:... (3 lines)
        i.ref(i.m("alias_maps"), i.m("alias_maps"), aliases),
        i.ref(i.m("alias_maps"), i.m("alias_maps"), t + "aliases_local", wrappers=["proxy"]),
        # alias_database differs from alias_maps (no proxy:, no texthash:)
        i.ref(i.m("alias_database"), i.m("alias_database"), aliases),
        i.ref(i.m("alias_database"), i.m("alias_database"), t + "aliases_local"),
        i.ref(i.d("local_recipient_maps"), i.m("alias_maps"), aliases, via=["alias_maps"]),
        i.ref(i.d("local_recipient_maps"), i.m("alias_maps"), t + "aliases_local", via=["alias_maps"],
              wrappers=["proxy"]),
        i.ref(i.m("virtual_mailbox_domains"), i.m("virtual_mailbox_domains"), t + "domains",
              wrappers=["proxy"]),
        i.ref(i.m("virtual_mailbox_maps"), i.m("virtual_mailbox_maps"), t + "mailboxes",
              wrappers=["proxy"]),
        # unionmap:{hash:..., lmdb:...} then proxy:hash: on a continuation line
        i.ref(i.m("virtual_alias_maps"), i.m("virtual_alias_maps"), t + "aliases_virtual",
              wrappers=["unionmap"]),
        i.ref(i.m("virtual_alias_maps"), i.m("virtual_alias_maps"), t + "catchall", wrappers=["proxy"]),
        i.ref(i.d("virtual_alias_domains"), i.m("virtual_alias_maps"), t + "aliases_virtual",
              via=["virtual_alias_maps"], wrappers=["unionmap"]),
        i.ref(i.d("virtual_alias_domains"), i.m("virtual_alias_maps"), t + "catchall",
              via=["virtual_alias_maps"], wrappers=["proxy"]),
        i.ref(i.m("sender_bcc_maps"), i.m("sender_bcc_maps"), t + "sender_bcc"),
        i.ref(i.m("recipient_bcc_maps"), i.m("recipient_bcc_maps"), t + "recipient_bcc"),
        i.ref(i.m("smtpd_sender_login_maps"), i.m("smtpd_sender_login_maps"), t + "sender_login",
              wrappers=["proxy"]),
        i.ref(i.m("smtpd_sender_login_maps"), i.m("smtpd_sender_login_maps"), t + "sender_login_alias",
              wrappers=["unionmap"]),
        # proxy_read_maps: only its literal proxy:hash:, not the $name entries
        i.ref(i.m("proxy_read_maps"), i.m("proxy_read_maps"), t + "aliases_local", wrappers=["proxy"]),
        i.ref(i.m("smtpd_sender_restrictions"), i.m("smtpd_sender_restrictions"), t + "sender_access",
              wrappers=["check_sender_access", "proxy"]),
        i.ref(i.o("submission/inet", "smtpd_sender_restrictions", "-o { smtpd_sender_restrictions ="),
              i.o("submission/inet", "smtpd_sender_restrictions", "-o { smtpd_sender_restrictions ="),
              t + "submission_senders", wrappers=["check_sender_access", "proxy"]),
        i.ref(i.m("smtpd_tls_session_cache_database"), i.m("smtpd_tls_session_cache_database"),
              "btree:/var/lib/postfix/smtpd_scache", raw="btree:${data_directory}/smtpd_scache"),
        i.ref(i.m("postscreen_cache_map"), i.m("postscreen_cache_map"), pscreen,
              raw="btree:$data_directory/postscreen_cache"),
        i.ref(i.d("address_verify_map"), i.d("address_verify_map"), verify,
              raw="btree:$data_directory/verify_cache"),
    ]
    tables = [
        i.table(aliases, "alias", ["alias_maps", "alias_database", "local_recipient_maps"]),
        i.table(t + "aliases_local", "alias", ["alias_maps", "alias_database", "local_recipient_maps",
                                               "proxy_read_maps"]),
        i.table(t + "domains", "map", ["virtual_mailbox_domains"]),
        i.table(t + "mailboxes", "map", ["virtual_mailbox_maps"]),
        i.table(t + "aliases_virtual", "map", ["virtual_alias_maps", "virtual_alias_domains"]),
        i.table(t + "catchall", "map", ["virtual_alias_maps", "virtual_alias_domains"]),
        i.table(t + "sender_bcc", "map", ["sender_bcc_maps"]),
        i.table(t + "recipient_bcc", "map", ["recipient_bcc_maps"]),
        i.table(t + "sender_login", "map", ["smtpd_sender_login_maps"]),
        i.table(t + "sender_login_alias", "map", ["smtpd_sender_login_maps"]),
        i.table(t + "sender_access", "map", ["smtpd_sender_restrictions"]),
        i.table(t + "submission_senders", "map", ["submission/inet/smtpd_sender_restrictions"]),
        i.table("btree:/var/lib/postfix/smtpd_scache", "cache", ["smtpd_tls_session_cache_database"], files=()),
        i.table(verify, "cache", ["address_verify_map"], files=()),
        i.table(pscreen, "cache", ["postscreen_cache_map"], files=()),
    ]
    lookalikes = [
        lookalike(i.m("alias_maps"), "texthash:/etc/postfix/tables/aliases_static"),
        lookalike(i.m("smtpd_sender_login_maps"), "texthash:/etc/postfix/tables/sender_login_extra"),
    ]
    return dict(refs=refs, tables=tables, lookalikes=lookalikes, legacy_defaults=["default"],
                instances=[("default", "/etc/postfix", "hash", None, "unsupported")])


def expect_sid_upgraded():
    i = Instance("sid-upgraded")
    aliases = "hash:/etc/aliases"
    pf = "hash:/etc/postfix/"
    refs = [
        i.ref(i.m("alias_maps"), i.m("alias_maps"), aliases),
        i.ref(i.m("alias_database"), i.m("alias_database"), aliases),
        i.ref(i.d("local_recipient_maps"), i.m("alias_maps"), aliases, via=["alias_maps"]),
        i.ref(i.m("smtp_tls_session_cache_database"), i.m("smtp_tls_session_cache_database"),
              "btree:/var/lib/postfix/smtp_scache", raw="btree:${data_directory}/smtp_scache"),
        i.ref(i.m("address_verify_map"), i.m("address_verify_map"), "btree:/var/lib/postfix/verify_cache",
              raw="btree:$data_directory/verify_cache"),
        i.ref(i.m("canonical_maps"), i.m("canonical_maps"), pf + "canonical"),
        i.ref(i.m("relocated_maps"), i.m("relocated_maps"), pf + "relocated"),
        i.ref(i.m("smtp_tls_policy_maps"), i.m("smtp_tls_policy_maps"), pf + "tls_policy"),
        # 3.11 default ${tlsproxy_client_policy?{$tlsproxy_client_policy}:{$smtp_tls_policy_maps}}
        i.ref(i.d("tlsproxy_client_policy_maps"), i.m("smtp_tls_policy_maps"), pf + "tls_policy",
              via=["smtp_tls_policy_maps"]),
        i.ref(i.m("smtpd_sender_login_maps"), i.m("sender_checks_table"), pf + "sender_checks",
              raw="hash:${config_directory}/sender_checks", via=["sender_checks_table"]),
        # -o smtpd_sender_restrictions=${mua_sender_restrictions} -> $local_sender_checks -> $sender_checks_table
        i.ref(i.o("submission/inet", "smtpd_sender_restrictions"), i.m("sender_checks_table"),
              pf + "sender_checks", raw="hash:${config_directory}/sender_checks",
              via=["mua_sender_restrictions", "local_sender_checks", "sender_checks_table"],
              wrappers=["check_sender_access"]),
    ]
    tables = [
        i.table(aliases, "alias", ["alias_maps", "alias_database", "local_recipient_maps"],
                files=("source", "db", "cdb"), target_type="cdb"),
        i.table(pf + "canonical", "map", ["canonical_maps"], target_type="cdb"),
        i.table(pf + "relocated", "orphan", ["relocated_maps"], files=("db",), target_type="cdb"),
        i.table(pf + "tls_policy", "map", ["smtp_tls_policy_maps", "tlsproxy_client_policy_maps"],
                target_type="cdb"),
        i.table(pf + "sender_checks", "map", ["smtpd_sender_login_maps",
                                              "submission/inet/smtpd_sender_restrictions"], target_type="cdb"),
        i.table("btree:/var/lib/postfix/smtp_scache", "cache", ["smtp_tls_session_cache_database"], files=()),
        i.table("btree:/var/lib/postfix/verify_cache", "cache", ["address_verify_map"], files=()),
    ]
    lookalikes = [lookalike(i.m("smtpd_recipient_restrictions"), "texthash:/etc/postfix/disabled_recipients")]
    return dict(refs=refs, tables=tables, lookalikes=lookalikes, legacy_defaults=[],
                instances=[("default", "/etc/postfix", "cdb", "lmdb", "disable")])


def expect_sid_postmulti():
    i = Instance("sid-postmulti")
    o = Instance("sid-postmulti", config_dir="/etc/postfix-out", name="postfix-out", subdir="postfix-out/")
    pf, po = "hash:/etc/postfix/", "hash:/etc/postfix-out/"
    refs = [
        i.ref(i.m("relay_domains"), i.m("relay_domains"), pf + "relay_domains"),
        i.ref(i.d("fast_flush_domains"), i.m("relay_domains"), pf + "relay_domains", via=["relay_domains"]),
        i.ref(i.m("transport_maps"), i.m("transport_maps"), pf + "transport"),
        i.ref(i.d("address_verify_transport_maps"), i.m("transport_maps"), pf + "transport",
              via=["transport_maps"]),
        i.ref(i.m("smtpd_recipient_restrictions"), i.m("smtpd_recipient_restrictions"),
              pf + "recipient_access", wrappers=["check_recipient_access"]),
        # postfix-out: $config_directory expands to /etc/postfix-out, $data_directory to /var/lib/postfix-out
        o.ref(o.m("smtp_sasl_password_maps"), o.m("smtp_sasl_password_maps"), po + "sasl_passwd",
              raw="hash:${config_directory}/sasl_passwd"),
        o.ref(o.m("sender_dependent_relayhost_maps"), o.m("sender_dependent_relayhost_maps"),
              po + "sender_relay", raw="hash:$config_directory/sender_relay"),
        o.ref(o.d("address_verify_sender_dependent_relayhost_maps"), o.m("sender_dependent_relayhost_maps"),
              po + "sender_relay", raw="hash:$config_directory/sender_relay",
              via=["sender_dependent_relayhost_maps"]),
        o.ref(o.m("smtp_tls_policy_maps"), o.m("smtp_tls_policy_maps"), po + "tls_policy",
              raw="hash:$config_directory/tls_policy"),
        o.ref(o.d("tlsproxy_client_policy_maps"), o.m("smtp_tls_policy_maps"), po + "tls_policy",
              raw="hash:$config_directory/tls_policy", via=["smtp_tls_policy_maps"]),
        o.ref(o.m("smtp_generic_maps"), o.m("smtp_generic_maps"), po + "generic"),
        o.ref(o.m("address_verify_map"), o.m("address_verify_map"), "btree:/var/lib/postfix-out/verify_cache",
              raw="btree:$data_directory/verify_cache"),
        o.ref(o.m("smtp_tls_session_cache_database"), o.m("smtp_tls_session_cache_database"),
              "btree:/var/lib/postfix-out/smtp_scache", raw="btree:${data_directory}/smtp_scache"),
        o.ref(o.o("127.0.0.1:10026/inet", "smtpd_sender_restrictions", "-o { smtpd_sender_restrictions ="),
              o.o("127.0.0.1:10026/inet", "smtpd_sender_restrictions", "-o { smtpd_sender_restrictions ="),
              po + "sender_access", raw="hash:${config_directory}/sender_access",
              wrappers=["check_sender_access"]),
    ]
    tables = [
        i.table(pf + "relay_domains", "map", ["relay_domains", "fast_flush_domains"], target_type="cdb"),
        i.table(pf + "transport", "map", ["transport_maps", "address_verify_transport_maps"], target_type="cdb"),
        i.table(pf + "recipient_access", "map", ["smtpd_recipient_restrictions"], target_type="cdb"),
        o.table(po + "sasl_passwd", "map", ["smtp_sasl_password_maps"], target_type="cdb"),
        o.table(po + "sender_relay", "map", ["sender_dependent_relayhost_maps",
                                             "address_verify_sender_dependent_relayhost_maps"], target_type="cdb"),
        o.table(po + "tls_policy", "map", ["smtp_tls_policy_maps", "tlsproxy_client_policy_maps"], target_type="cdb"),
        o.table(po + "generic", "map", ["smtp_generic_maps"], target_type="cdb"),
        o.table(po + "sender_access", "map", ["127.0.0.1:10026/inet/smtpd_sender_restrictions"], target_type="cdb"),
        o.table("btree:/var/lib/postfix-out/verify_cache", "cache", ["address_verify_map"], files=()),
        o.table("btree:/var/lib/postfix-out/smtp_scache", "cache", ["smtp_tls_session_cache_database"], files=()),
    ]
    return dict(refs=refs, tables=tables, lookalikes=[], legacy_defaults=[],
                instances=[("default", "/etc/postfix", "cdb", "lmdb", "disable"),
                           ("postfix-out", "/etc/postfix-out", "cdb", "lmdb", "disable")])


EXPECTED = {
    "bookworm-mailman2": expect_bookworm_mailman2,
    "bookworm-submission": expect_bookworm_submission,
    "trixie-plesk": expect_trixie_plesk,
    "trixie-panel-tables": expect_trixie_panel_tables,
    "sid-upgraded": expect_sid_upgraded,
    "sid-postmulti": expect_sid_postmulti,
}

# --------------------------------------------------------------------------- known bugs
# Bugs this file found (unused parameters, ${name?{a}:{b}} defaults, look-alikes inside unionmap)
# are fixed; a new one goes here as {(scenario, aspect): "BUG: ..."} and is marked strict xfail.
BUGS = {}


def scenarios_for(aspect, names=None):
    """pytest params of the scenarios (all, or names), a known bug of (scenario, aspect) marked strict xfail."""
    params = []
    for name in names or SCENARIOS:
        reason = BUGS.get((name, aspect))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params
