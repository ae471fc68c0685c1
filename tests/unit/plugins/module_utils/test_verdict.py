"""The judgement of a migration against the host's baseline (issue 15 §2): pure decisions, lines as Postfix
3.11 writes them."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._planning import verdict

MISSING_HASH = ("warning: hash:/etc/postfix/vmd is unavailable. open database /etc/postfix/vmd.db: No such file or"
                " directory")
MISSING_LMDB = ("4F2A1B3C9D: warning: lmdb:/etc/postfix/vmd is unavailable. open database /etc/postfix/vmd.lmdb:"
                " No such file or directory")
FILTER_DOWN = "connect to 127.0.0.1[127.0.0.1]:10024: Connection refused"
DEPRECATED = "warning: /etc/postfix/transport: hash/btree support is deprecated.  Please switch to cdb or lmdb."


def state(running=True, check=(), log=(), probe=None):
    return {"running": {"/etc/postfix": running}, "check": verdict.log_kinds(check), "log": verdict.log_kinds(log),
            "probe": probe}


def test_a_table_missing_before_and_after_the_switch_is_one_kind():
    assert verdict.kind(MISSING_HASH) == verdict.kind(MISSING_LMDB)
    assert verdict.names_table(verdict.kind(MISSING_LMDB)[1])


def test_queue_ids_pids_and_addresses_do_not_make_new_kinds():
    one = verdict.kind("warning: ABCDEF1234: connect to 10.0.0.1[10.0.0.1]:25: timed out")
    two = verdict.kind("warning: 99AA77BB11: connect to 192.168.1.9[192.168.1.9]:25: timed out")
    assert one == two


def test_informational_lines_are_no_kind():
    assert verdict.kind("connect from localhost[127.0.0.1]") is None
    assert verdict.kind("ABCDEF1234: to=<root@mx>, status=sent (delivered to mailbox)") is None


def test_deprecation_notices_count_only_after_a_complete_switch():
    assert verdict.kind(DEPRECATED) is None
    found = verdict.kind(DEPRECATED, legacy_expected=False)
    assert found and verdict.names_table(found[1])


@pytest.mark.parametrize("line, expected", [
    ("AB12: to=<root@mx>, relay=local, status=sent (delivered to mailbox)", ("delivered", "delivered to mailbox")),
    ("AB12: to=<root@mx>, relay=none, status=deferred (%s)" % FILTER_DOWN, ("deferred", FILTER_DOWN)),
    ("AB12: to=<x@mx>, status=bounced (unknown user: \"x\")", ("bounced", 'unknown user: "x"')),
    (None, ("not_seen", None)),
])
def test_probe_outcomes(line, expected):
    assert verdict.probe_outcome(line) == expected


def test_pre_existing_problems_are_reported_not_regressions():
    deferred = {"outcome": "deferred", "reason": FILTER_DOWN}
    before = state(log=[MISSING_HASH], probe=deferred)
    after = state(log=[MISSING_LMDB], probe=deferred)
    judged = verdict.judge(before, after)
    assert judged["regressions"] == []
    assert any("10024" in line for line in judged["pre_existing"])
    assert any("vmd" in line for line in judged["pre_existing"])


def test_a_new_table_warning_is_a_regression_and_a_new_other_warning_a_note():
    judged = verdict.judge(state(), state(log=[MISSING_LMDB, "warning: hostname x does not resolve to address 1.2.3.4"]))
    assert len(judged["regressions"]) == 1 and "vmd.lmdb" in judged["regressions"][0]
    assert any("does not resolve" in note for note in judged["notes"])


def test_a_probe_that_ends_worse_is_a_regression():
    delivered = {"outcome": "delivered", "reason": "delivered to mailbox"}
    deferred = {"outcome": "deferred", "reason": "temporary lookup failure"}
    assert verdict.judge(state(probe=delivered), state(probe=deferred))["regressions"]
    assert not verdict.judge(state(probe=deferred), state(probe=delivered))["regressions"]


def test_a_probe_deferred_before_and_after_for_a_new_table_reason_is_a_regression():
    before = state(probe={"outcome": "deferred", "reason": FILTER_DOWN})
    after = state(probe={"outcome": "deferred", "reason": "4.3.0 temporary lookup failure"})
    assert verdict.judge(before, after)["regressions"]


def test_postfix_stopped_by_the_migration_is_a_regression_but_a_standby_host_is_not():
    assert "not running" in verdict.judge(state(), state(running=False))["regressions"][0]
    judged = verdict.judge(state(running=False), state(running=False))
    assert judged["regressions"] == [] and "not running before" in judged["notes"][0]


def test_a_new_postfix_check_warning_naming_a_table_is_a_regression():
    judged = verdict.judge(state(check=["warning: /etc/postfix/x.lmdb: group or other writable"]), state(
        check=["warning: /etc/postfix/x.lmdb: group or other writable", "warning: /etc/postfix/y.lmdb: not owned by root"]))
    assert len(judged["regressions"]) == 1 and "y.lmdb" in judged["regressions"][0]


# --------------------------------------------------------------------------- where the probe goes
def facts(**changes):
    base = {"recipient": None, "myorigin": "mx.example.test", "mydestination": ["mx.example.test", "localhost"],
            "lookups": {}, "aliases": {"root": "alice", "alice": None}, "forward": None,
            "params": {"local_transport": "local:$myhostname"}, "services": {"local": "local", "amavis": "smtp"}}
    base.update(changes)
    return base


def test_root_delivered_on_the_host_gets_the_probe():
    assert verdict.probe_route(facts()) == ("root@mx.example.test",
                                            "delivered on this host (mx.example.test is in mydestination)")


@pytest.mark.parametrize("changes, why", [
    ({"myorigin": "example.org"}, "not in mydestination"),
    ({"aliases": {"root": "admin@elsewhere.example"}}, "admin@elsewhere.example"),
    ({"aliases": {"root": "alice", "alice": "bob@elsewhere.example, alice"}}, "bob@elsewhere.example"),
    ({"aliases": {"root": "ERROR: fatal: unsupported dictionary type: hash"}}, "unsupported dictionary type"),
    ({"aliases": {"root": ":include:/etc/postfix/admins"}}, "/etc/postfix/admins"),
    ({"forward": "admin@elsewhere.example\n"}, "admin@elsewhere.example"),
    ({"lookups": {("virtual_alias_maps", "root@mx.example.test"): "ops@elsewhere.example"}}, "virtual_alias_maps"),
    ({"lookups": {("transport_maps", "mx.example.test"): "smtp:[relay.example]"}}, "transport_maps"),
    ({"params": {"always_bcc": "archive@elsewhere.example"}}, "always_bcc"),
    ({"params": {"content_filter": "amavis:[filter.example]:10024"}}, "content_filter"),
    ({"params": {"local_transport": "lmtp:inet:mailstore.example:24"}}, "local_transport"),
])
def test_a_probe_that_could_leave_the_host_is_skipped(changes, why):
    recipient, note = verdict.probe_route(facts(**changes))
    assert recipient is None and "skipped" in note and why in note, note


@pytest.mark.parametrize("params", [
    {"content_filter": "amavis:[127.0.0.1]:10024"},
    {"content_filter": "scan:localhost:10025"},
    {"local_transport": "lmtp:unix:private/dovecot-lmtp"},
    {"mailbox_transport": "lmtp:[::1]:24"},
    {"fallback_transport": "local"},
])
def test_filters_and_transports_on_the_host_keep_the_probe(params):
    assert verdict.probe_route(facts(params=params))[0] == "root@mx.example.test"


def test_commands_and_files_are_on_the_host():
    routed = facts(aliases={"root": '"|/usr/bin/procmail", /var/mail/root-copy, alice', "alice": None})
    assert verdict.probe_route(routed)[0] == "root@mx.example.test"


def test_a_named_recipient_is_sent_whatever_the_route():
    assert verdict.probe_route({"recipient": "ops@elsewhere.example"})[0] == "ops@elsewhere.example"


def test_the_berkeley_db_probe_of_nbdb_info_is_not_a_table_problem():
    from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import bdb_state
    from ansible_collections.mailops.nbdb.plugins.module_utils._execution import probe

    class Log:
        @staticmethod
        def entries(start, end=None):
            return [(1.0, "postfix/postmap", "fatal: Berkeley DB support for '%s' is not available for this OS"
                     " distribution" % bdb_state.PROBE_TABLE),
                    (2.0, "postfix/local", "warning: lmdb:/etc/aliases is unavailable")]
    assert list(probe.log_kinds(Log, 0).values()) == ["warning: lmdb:/etc/aliases is unavailable"]
