"""Issue 19 §1: the fleet report a person can act on. Every fact of a host is in its HTML section and in the
Markdown; the host table links to the sections; the rollout chart is inline SVG; host-supplied text is inert and
secrets stay masked."""
import functools
import re
from html.parser import HTMLParser

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting import chart, fleet, render

from tests.unit import report_records as synthetic

HOSTILE = '<img src=x onerror=alert(1)>[x](http://evil.example) **b** `c` |'


@functools.lru_cache(maxsize=None)
def report(size=30):  # read only: built once
    histories, names = synthetic.fleet(size)
    return fleet.build_report(histories, names, "migrate_fleet", "2026-12-01T12:00:00Z", "Fleet")


def rows_by_host(built):
    return dict((row["host"], row) for row in built["hosts"])


class Page(HTMLParser):
    """ids, internal links, external references, scripts and the text of each host section."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.ids, self.links, self.external, self.scripts, self.sections = set(), [], [], 0, {}
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "section" and "host-detail" in (attrs.get("class") or ""):
            self.current = attrs["id"]
            self.sections[self.current] = []
        for key in ("href", "src", "xlink:href"):
            value = attrs.get(key)
            if value:
                (self.links if value.startswith("#") else self.external).append(value)
        self.scripts += tag in ("script", "iframe", "object", "embed")
        self.external += [value for key, value in attrs.items() if key.startswith("on")]

    def handle_endtag(self, tag):
        if tag == "section":
            self.current = None

    def handle_data(self, data):
        if self.current:
            self.sections[self.current].append(data)


def parsed(built):
    page = Page()
    page.feed(render.html(built))
    return page


def test_every_host_row_links_to_its_section_and_nothing_leaves_the_page():
    built = report()
    page = parsed(built)
    hosts = [link for link in page.links if link.startswith("#host-")]
    assert len(hosts) == 30 and len(set(hosts)) == 30
    assert all(link[1:] in page.ids for link in page.links), [link for link in page.links if link[1:] not in page.ids]
    assert len(page.sections) == 30
    assert page.external == [] and page.scripts == 0


def test_a_rolled_back_host_section_has_every_fact():
    built = report()
    text = " ".join(parsed(built).sections[render.anchors(built["hosts"])["mx004.example.org"]])
    for fact in (
            # failure: step, message, what was rolled back
            "Step: Verify", "lmdb:/etc/postfix/virtual is unavailable",
            "restored from the backup /var/backups/mailops-nbdb/mx004.example.org-1",
            # tables: legacy -> new, role, entries, owner/mode, file built, outcome
            "/etc/postfix/virtual", "hash -> lmdb", "btree -> lmdb", "alias", "orphan", "cache", "root:postfix 0640",
            "/etc/aliases.lmdb", "built /etc/aliases.lmdb (no lmdb file yet); rolled back",
            "source recovered from the .db into /etc/postfix/old_relays",
            # references: parameter, definition site, line before and after
            "smtpd_client_restrictions", "/etc/postfix/main.cf:3", "check_client_access hash:/etc/postfix/access,",
            "check_client_access lmdb:/etc/postfix/access,", "alias_maps = lmdb:/etc/aliases",
            # findings: severity, what, evidence, remedy, fixed
            "sensitive.readable", "mode 0644, readable by every local user", "chmod 0600 /etc/postfix/sasl_passwd",
            "high", "yes",
            # Berkeley DB, what would be lost, baseline verification
            "Berkeley DB works", "Lost without Berkeley DB: hash:/etc/postfix/virtual, hash:/etc/postfix/old_relays",
            "Pre-existing: warning: /etc/postfix/main.cf: unused parameter",
            # when and which batch
            "2026-12-01T09:00:03Z", "2026-12-01T10:30:03Z", "DIFFERS"):
        assert fact in text, fact


def test_the_runs_say_when_the_host_was_dry_run_migrated_and_re_checked():
    row = rows_by_host(report())["mx001.example.org"]
    assert row["state"] == "unchanged" and row["batch"] == 1
    assert row["timeline"]["dry_run"]["at"] == "2026-12-01T09:00:00Z"
    assert row["timeline"]["migrated"] == {"at": "2026-12-01T10:10:00Z", "batch": 1, "status": "migrated"}
    assert row["timeline"]["rechecked"]["status"] == "unchanged"
    assert len(row["detail"]["tables"]) == 6  # the re-check found nothing: the migration's tables are shown
    text = render.markdown(report())
    section = text.split("### mx001.example.org: unchanged")[1].split("\n### ")[0]
    assert "| migrated | 2026-12-01T10:10:00Z | 1 | migrated |" in section
    assert "| re-checked | 2026-12-01T11:00:00Z | 1 | unchanged |" in section


def test_a_host_the_rollout_did_not_reach_shows_so_with_what_the_dry_run_predicted():
    built = report()
    row = rows_by_host(built)["mx030.example.org"]
    assert row["state"] == "not_reached" and row["batch"] == 4
    text = render.markdown(built).split("### mx030.example.org")[1].split("\n### ")[0]
    assert "will build /etc/aliases.lmdb" in text and "the run did not reach this host" in text


def test_rescued_messages_are_shown():
    text = render.markdown(report()).split("### mx002.example.org")[1].split("\n### ")[0]
    assert "#### Rescued messages" in text
    assert "- deferred for table errors before the migration: 3" in text and "- delivered after it: 2 of 3 sent again" in text
    assert "- still deferred: 1" in text


def test_markdown_has_the_same_facts_as_the_html():
    built = report()
    markdown = render.markdown(built)
    page = parsed(built)
    for host, anchor in render.anchors(built["hosts"]).items():
        words = set(re.findall(r"[A-Za-z0-9_./:-]{6,}", " ".join(page.sections[anchor])))
        section = host + markdown.split("### %s:" % host)[1].split("\n### ")[0].replace("\\", "")
        missing = [word for word in words if word not in section]
        assert missing == [], (host, missing[:10])


def test_the_rollout_chart_counts_hosts_per_state_per_batch():
    built = report()
    assert chart.per_batch(built["hosts"]) == [
        ("batch 1", {"unchanged": 1}), ("batch 2", {"migrated": 2}),
        ("batch 3", {"migrated": 10, "rolled_back": 1, "unreachable": 1}), ("batch 4", {"not_reached": 15})]
    svg = chart.svg(built["hosts"], render.STATE_LABELS)
    assert svg.startswith("<svg") and "<script" not in svg and "href" not in svg
    assert svg.count("<rect") == 6 + 5  # a bar segment per batch and state, a legend square per state
    assert "<title>batch 3: 10 migrated</title>" in svg
    assert '<div class="chart" id="rollout"><svg' in render.html(built)
    assert "| batch 3 | 12 | migrated 10, failed, rolled back 1, unreachable 1 |" in render.markdown(built)


def test_host_supplied_text_in_the_detail_is_inert():
    before = synthetic.record("mx1", "migrate", "rolled_back", "2026-12-01T10:00:00Z", 1, error=HOSTILE,
                              failed_task=HOSTILE)
    before["detail"]["tables"][0]["name"] = "hash:/etc/" + HOSTILE
    before["detail"]["references"][0]["before"] = HOSTILE
    before["detail"]["findings"][0]["evidence"] = HOSTILE
    built = fleet.build_report({"mx1": fleet.add_record(None, before)}, ["mx1"], "migrate_fleet", "now", "t")
    page = render.html(built)
    assert "<img" not in page and page.count("&lt;img") >= 4
    markdown = render.markdown(built)
    assert "<img" not in markdown and not re.search(r"(?<!\\)\]\(", markdown) and "**b**" not in markdown
    for line in markdown.splitlines():
        if line.startswith("| ") and HOSTILE[:4].replace("<", "&lt;") in line:
            assert " | " in line and "\\|" in line  # the pipe of the hostile text cannot add a cell


def test_secrets_are_masked_in_every_output_even_in_a_hand_made_record():
    item = synthetic.record("mx1", "migrate", "migrated", "2026-12-01T10:00:00Z", 1)
    item["detail"]["references"][0]["before"] = "smtp_sasl_password_maps = static:relay:%s" % synthetic.SECRET_PASSWORD
    item["detail"]["findings"][0]["evidence"] = "reject_rbl_client %s.zen.dq.spamhaus.net" % synthetic.DNSBL_KEY
    built = fleet.build_report({"mx1": fleet.add_record(None, item)}, ["mx1"], "migrate_fleet", "now", "t")
    for text in (render.html(built), render.markdown(built), repr(built)):
        assert synthetic.SECRET_PASSWORD not in text and synthetic.DNSBL_KEY not in text
    assert "static:********" in render.html(built)


def test_a_dry_run_report_says_what_will_happen():
    histories = {"mx1": fleet.add_record(None, synthetic.record("mx1", "dry_run", "would_migrate", "2026-12-01T09:00:00Z"))}
    built = fleet.build_report(histories, ["mx1"], "dry_run", "now", "t")
    text = render.markdown(built)
    assert "will build /etc/postfix/virtual.lmdb (no lmdb file yet)" in text
    assert "cache: after the switch Postfix recreates it as lmdb:/var/lib/postfix/verify_cache" in text
    assert "| virtual_alias_maps | hash:/etc/postfix/virtual | /etc/postfix/main.cf:7 |" in text


def test_the_module_diff_is_the_summary_without_the_host_sections():
    text = render.markdown(report())
    short = render.summary(text)
    assert "| mx004.example.org | failed, rolled back |" in short and "### mx004" not in short
    assert text.startswith(short.rstrip("\n")) and render.summary("") == ""
