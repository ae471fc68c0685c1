"""Programs that write tables (issue 17 §6): found from Mailman's configuration and scripts (_discovery/writers),
judged for the migration (_planning/writers)."""
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import writers
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import exclusion, writers as judged
from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import fleet, sections
from ansible_collections.mailops.nbdb.plugins.module_utils._reporting.detail import record_detail

# Debian's /etc/mailman3/mailman.cfg, shortened: the parts Mailman's Postfix integration reads.
MAILMAN3_CFG = """\
[mailman]
site_owner: listmaster@example.org
# Which paths.* file system layout to use.
layout: debian

[paths.debian]
var_dir: /var/lib/mailman3
queue_dir: $var_dir/queue
# Directory for system-wide data.
data_dir: $var_dir/data

[mta]
#incoming: mailman.mta.exim4.LMTP
incoming: mailman.mta.postfix.LMTP
lmtp_host: 127.0.0.1
#configuration: python:mailman.config.postfix
configuration: /etc/mailman3/postfix-mailman.cfg
"""
POSTFIX_MAILMAN_CFG = """\
[postfix]
# This variable describes the program to use for regenerating the transport map
# db file, from the associated plain text files.  The file being updated will
# be appended to this string (with a separating space), so it must be
# appropriate for os.system().
#postmap_command: /usr/sbin/postmap hash:
postmap_command: /usr/sbin/postmap

# hash type maps.
transport_file_type: hash
"""
# Debian's /etc/mailman/mm_cfg.py (Mailman 2.1, Python 2), shortened.
MM_CFG = """\
# -*- python -*-
from Defaults import *
DEFAULT_URL_PATTERN = 'http://%s/cgi-bin/mailman/'
#MTA=None   # Misnomer, suppresses alias output on newlist
MTA = "Postfix"
#POSTFIX_MAP_CMD = '/usr/sbin/postmap hash:'
POSTFIX_STYLE_VIRTUAL_DOMAINS = ['lists.example.org']
POSTFIX_MAP_CMD = '/usr/local/sbin/mm-postmap'   # the panel's wrapper
if 0:
    print "Python 2 syntax must not stop the reading"
"""
WRAPPER = """\
#!/bin/sh
# postmap hash: comments are no callers
exec /usr/sbin/postmap -c /etc/postfix "hash:$1"
"""


def files(**texts):
    table = {"/etc/mailman3/mailman.cfg": MAILMAN3_CFG, "/etc/mailman3/postfix-mailman.cfg": POSTFIX_MAILMAN_CFG,
             "/etc/mailman/mm_cfg.py": MM_CFG, "/usr/local/sbin/mm-postmap": WRAPPER}
    table.update(texts)
    return table.get


def test_mailman3_bare_postmap_command_from_the_mta_configuration_file():
    found = writers.mailman3("/etc/mailman3/mailman.cfg", MAILMAN3_CFG, files())
    assert found == [{
        "program": "mailman3", "file": "/etc/mailman3/postfix-mailman.cfg", "line": 7,
        "setting": "[postfix] postmap_command", "command": "/usr/sbin/postmap", "types": [], "via": None,
        "config": "/etc/mailman3/mailman.cfg",
        "tables": ["/var/lib/mailman3/data/postfix_lmtp", "/var/lib/mailman3/data/postfix_domains",
                   "/var/lib/mailman3/data/postfix_vmap"]}]


def test_mailman3_packaged_default_custom_command_and_no_postmap_forms():
    packaged = MAILMAN3_CFG.replace("configuration: /etc", "#configuration: /etc").replace(
        "#configuration: python", "configuration: python")
    found = writers.mailman3("/etc/mailman3/mailman.cfg", packaged, files())
    assert found[0]["file"] == "/etc/mailman3/mailman.cfg" and found[0]["line"] is None
    assert found[0]["command"] == "/usr/sbin/postmap" and found[0]["types"] == []
    custom = POSTFIX_MAILMAN_CFG.replace("postmap_command: /usr/sbin/postmap\n",
                                         "postmap_command = sh -c 'exec /usr/sbin/postmap btree:\"$0\"'\n")
    found = writers.mailman3("/etc/mailman3/mailman.cfg", MAILMAN3_CFG,
                             files(**{"/etc/mailman3/postfix-mailman.cfg": custom}))
    assert found[0]["types"] == ["btree"] and found[0]["command"].startswith("sh -c")
    regex = POSTFIX_MAILMAN_CFG.replace("transport_file_type: hash", "transport_file_type: regex")
    assert writers.mailman3("/etc/mailman3/mailman.cfg", MAILMAN3_CFG,
                            files(**{"/etc/mailman3/postfix-mailman.cfg": regex})) == []
    exim = MAILMAN3_CFG.replace("incoming: mailman.mta.postfix.LMTP", "incoming: mailman.mta.exim4.LMTP")
    assert writers.mailman3("/etc/mailman3/mailman.cfg", exim, files()) == []


def test_mailman3_data_dir_that_cannot_be_resolved_leaves_the_tables_unknown():
    here = MAILMAN3_CFG.replace("layout: debian", "layout: here").replace("[paths.debian]", "[paths.here]").replace(
        "var_dir: /var/lib/mailman3", "var_dir: $cwd/var")
    found = writers.mailman3("/etc/mailman3/mailman.cfg", here, files())
    assert found[0]["tables"] == [] and found[0]["command"] == "/usr/sbin/postmap"


def test_ini_values_last_setting_wins_and_continuation_lines_join():
    values = writers.ini_values("[postfix]\npostmap_command: /a\n; postmap_command: /c\npostmap_command: /b\n  -v\n")
    assert values[("postfix", "postmap_command")] == ("/b -v", 4)


def test_mailman2_reads_quoted_assignments_and_follows_a_wrapper():
    found = writers.mailman2("/etc/mailman/mm_cfg.py", MM_CFG, files())
    assert [(w["setting"], w["line"], w["command"], w["types"], w["via"], w["tables"]) for w in found] == [
        ("POSTFIX_ALIAS_CMD", None, "/usr/sbin/postalias", [], None, ["/var/lib/mailman/data/aliases"]),
        ("POSTFIX_MAP_CMD", 8, "/usr/local/sbin/mm-postmap", ["hash"], "/usr/local/sbin/mm-postmap:3",
         ["/var/lib/mailman/data/virtual-mailman"])]


def test_mailman2_without_postfix_mta_runs_nothing_and_a_commented_type_is_ignored():
    assert writers.mailman2("/etc/mailman/mm_cfg.py", MM_CFG.replace('MTA = "Postfix"', "MTA = 'Manual'"), files()) == []
    plain = MM_CFG.replace("POSTFIX_MAP_CMD = '/usr/local/sbin/mm-postmap'", 'POSTFIX_MAP_CMD = "/usr/sbin/postmap"')
    found = writers.mailman2("/etc/mailman/mm_cfg.py", plain, files())
    assert found[1]["types"] == [] and found[1]["command"] == "/usr/sbin/postmap"
    explicit = MM_CFG.replace("'/usr/local/sbin/mm-postmap'", "'/usr/sbin/postmap ' + 'hash:'")
    found = writers.mailman2("/etc/mailman/mm_cfg.py", explicit, files())
    assert found[1]["types"] == ["hash"] and found[1]["command"] == "/usr/sbin/postmap hash:"
    data_dir = "DATA_DIR = '/srv/mailman/data'\n" + MM_CFG
    assert writers.mailman2("/x", data_dir, files())[0]["tables"] == ["/srv/mailman/data/aliases"]


def test_scripts_lines_that_run_postmap_on_legacy_tables():
    text = ("#!/bin/sh\n# postmap hash:/etc/postfix/x (a comment)\npostmap texthash:/a\n"
            "/usr/sbin/postmap hash:/etc/postfix/virtual_domains && echo ok\n"
            "postalias 'btree:/etc/panel/aliases'\nrm -f /etc/postfix/hash:old\n")
    assert writers.script("/usr/local/bin/panel-sync", text) == [
        {"program": "script", "file": "/usr/local/bin/panel-sync", "line": 4, "setting": None,
         "command": "/usr/sbin/postmap hash:/etc/postfix/virtual_domains && echo ok", "types": ["hash"],
         "tables": ["/etc/postfix/virtual_domains"], "via": None},
        {"program": "script", "file": "/usr/local/bin/panel-sync", "line": 5, "setting": None,
         "command": "postalias 'btree:/etc/panel/aliases'", "types": ["btree"], "tables": ["/etc/panel/aliases"],
         "via": None}]


def test_find_reads_each_file_once(tmp_path):
    script = tmp_path / "sync"
    script.write_text("postmap hash:/etc/postfix/x\n")
    (tmp_path / "link").symlink_to(script)
    found = writers.find([str(tmp_path), str(script)], read=writers.read_text)
    assert [(w["file"], w["line"]) for w in found] == [(str(script), 1)]  # the symlink is not followed


# --- planning ------------------------------------------------------------------------------------------------
def host(writer_list, level="disable", has_levels=True, default_type="hash", tables_kept=()):
    return {"writers": writer_list, "postfix": {"has_levels": has_levels},
            "instances": [{"config_dir": "/etc/postfix", "migration_level": level, "default_database_type": default_type,
                           "default_cache_db_type": "btree", "target_database_type": "lmdb",
                           "target_cache_db_type": "lmdb"}]}


BARE = writers.mailman3("/etc/mailman3/mailman.cfg", MAILMAN3_CFG, files())[0]
WRAPPED = writers.mailman2("/etc/mailman/mm_cfg.py", MM_CFG, files())[1]
EXPLICIT = writers.mailman2("/etc/mailman/mm_cfg.py", MM_CFG.replace(
    "'/usr/local/sbin/mm-postmap'", "\"sh -c 'exec /usr/sbin/postmap hash:$0'\""), files())[1]


def test_bare_writer_keeps_working_with_the_switched_default_type():
    verdicts, refusals = judged.judge(host([BARE]), [], "enable-redirect")
    assert refusals == [] and verdicts[0]["outcome"] == "keeps_working" and verdicts[0]["builds"] == "lmdb"
    assert "/etc/mailman3/postfix-mailman.cfg line 7" in verdicts[0]["note"]
    assert judged.judge(host([BARE], default_type="cdb"), [], "disable")[0][0]["builds"] == "cdb"


def test_bare_writer_of_an_excluded_table_is_refused():
    verdicts, refusals = judged.judge(host([BARE]), ["hash:/var/lib/mailman3/data/postfix_lmtp"], "disable")
    assert verdicts[0]["outcome"] == "stale" and len(refusals) == 1
    assert "do not exclude /var/lib/mailman3/data/postfix_lmtp" in refusals[0]


def test_explicit_writer_is_redirected_on_3_11_at_enable_redirect():
    verdicts, refusals = judged.judge(host([EXPLICIT]), [], "enable-redirect")
    assert refusals == [] and verdicts[0]["outcome"] == "redirected" and verdicts[0]["builds"] == "lmdb"
    assert verdicts[0]["change"] == {"file": "/etc/mailman/mm_cfg.py", "line": 8, "setting": "POSTFIX_MAP_CMD",
                                     "value": "POSTFIX_MAP_CMD = \"sh -c 'exec /usr/sbin/postmap lmdb:$0'\""}


def test_explicit_writer_at_disable_is_refused_naming_file_line_and_setting():
    verdicts, refusals = judged.judge(host([EXPLICIT]), [], "disable")
    assert verdicts[0]["outcome"] == "breaks" and verdicts[0]["builds"] is None and len(refusals) == 1
    assert "/etc/mailman/mm_cfg.py line 8" in refusals[0] and "POSTFIX_MAP_CMD" in refusals[0]
    assert "migrate_level: enable-redirect" in refusals[0]
    assert judged.judge(host([EXPLICIT]), [], None)[1] == []  # the level is not judged: nothing refused


def test_explicit_writer_without_levels_reports_the_setting_to_change():
    verdicts, refusals = judged.judge(host([EXPLICIT, WRAPPED], level="unsupported", has_levels=False), [], None)
    assert refusals == [] and [v["outcome"] for v in verdicts] == ["breaks", "breaks"]
    assert "POSTFIX_MAP_CMD = \"sh -c 'exec /usr/sbin/postmap lmdb:$0'\"" in verdicts[0]["note"]
    assert verdicts[1]["change"]["file"] == "/usr/local/sbin/mm-postmap" and verdicts[1]["change"]["line"] == 3
    assert "change /usr/local/sbin/mm-postmap line 3" in verdicts[1]["note"]


def test_the_plan_carries_writers_and_their_refusals():
    discovery = dict(host([EXPLICIT]), references=[], tables=[], summary={"instances_with_legacy_defaults": []})
    plan = exclusion.decide(discovery, [], "disable")
    assert [v["outcome"] for v in plan["writers"]] == ["breaks"] and len(plan["refusals"]) == 1
    plan = exclusion.decide(discovery, [], "keep")  # keep of disable: still refused
    assert len(plan["refusals"]) == 1
    assert exclusion.decide(discovery, [], "enable-reindex")["refusals"] == []


def test_writers_reach_the_record_and_the_report_section():
    discovery = dict(host([EXPLICIT, BARE]), references=[], tables=[], summary={"instances_with_legacy_defaults": []})
    record = {"detail": record_detail({"plan": exclusion.decide(discovery, [], "enable-redirect")})}
    assert [(w["program"], w["outcome"], w["builds"]) for w in record["detail"]["writers"]] == [
        ("mailman2", "redirected", "lmdb"), ("mailman3", "keeps_working", "lmdb")]
    title, headers, lines = sections.writers_section({"detail": fleet._detail(record, record)})
    assert title == "Programs that write tables" and headers is None and len(lines) == 2
    assert lines[0].startswith("redirected: mailman2 POSTFIX_MAP_CMD at /etc/mailman/mm_cfg.py line 8 runs")
    assert "change POSTFIX_MAP_CMD at /etc/mailman/mm_cfg.py line 8 to: POSTFIX_MAP_CMD = " in lines[0]
    assert sections.writers_section({"detail": fleet._detail({}, {})}) is None
