"""The reference forms of issue 15 parts 1 and 3 through the migrate role on real Postfix 3.11 (tests/integration/forms):
a user-defined parameter overridden in master.cf -o, a restriction class overridden there, the type glued from
``${default_database_type}``, a ``btree:`` map with a source, pipemap/unionmap inside restriction lists with proxy:,
and a tls_server_sni_maps table built with postmap -F. Two sid containers in one playbook run: one migrates to lmdb,
one to cdb (the btree: map becomes the cache type lmdb on both).

A dry run (check mode) first must pass and leave /etc/postfix as it was. Then, checked with Postfix's own tools
only: ``postconf -nx``/``-Px`` show no hash:/btree: and name every table by its new type, every key of every
table answers through the new type exactly as it answered through the legacy one,
``postfix check``/``status`` pass, the look-alike stays, and a second run changes nothing. The first run gets its
booleans and numbers as strings, the way ``-e`` gives them.
"""
import concurrent.futures
import pathlib
import re
import uuid

import pytest

from tests.testbed.ansible import run_playbook
from tests.testbed.container import PostfixContainer

pytestmark = pytest.mark.integration

FORMS = pathlib.Path(__file__).resolve().parent / "forms"
PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "migrate_by_name.yml"
LEGACY = re.compile(r"(^|[^A-Za-z0-9_])(hash|btree):", re.M)
P = "/etc/postfix/"
# table path -> (legacy type, tool); written from setup.sh
TABLES = {"/etc/aliases": ("hash", "postalias")}
TABLES.update({P + name: ("hash", "postmap") for name in (
    "generic", "canonical", "relay_clients", "partners", "partners_smtpd", "staff", "recipient_access",
    "recipient_extra", "sender_domains", "recipient_class", "virtual", "virtual_extra", "sni")})
TABLES[P + "transport"] = ("btree", "postmap")
TYPED_AS_TEXT = {"migrate_verify": "true", "migrate_backup": "yes", "migrate_dry_run": "false",
                 "migrate_disk_factor": "3", "migrate_verify_timeout": "60", "migrate_verify_sample": "-1"}


def keys_of(host, path, tool):
    keys = []
    for line in host.read(path).splitlines():
        if line.strip() and not line.startswith("#") and not line[0].isspace():
            key = line.split()[0]
            keys.append(key.rstrip(":") if tool == "postalias" else key)
    return keys


def answers(host, map_type, path, tool, keys):
    """What Postfix answers for every key (postmap -q - prints "key<TAB>value" per found key)."""
    out = host.run([tool, "-q", "-", "%s:%s" % (map_type, path)], input="\n".join(keys).encode() + b"\n").stdout
    return sorted(out.splitlines())


def new_type(host, legacy):
    return "lmdb" if legacy == "btree" or "-lmdb-" in host.name else "cdb"


def lay_down(kind):
    host = PostfixContainer("sid", name="nbdb-sid-forms-%s-%s" % (kind, uuid.uuid4().hex[:8]), hostname="mx.forms.test")
    host.start()
    host.write("/etc/postfix/main.cf", (FORMS / "main.cf").read_text())
    host.run(["sh", "-s"], input=(FORMS / "setup.sh").read_bytes())
    host.run(["postfix", "start"])
    return host


@pytest.fixture(scope="module")
def migrated():
    hosts = []
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            hosts = list(pool.map(lay_down, ["lmdb", "cdb"]))
        before = {}
        for host in hosts:
            for path, (legacy, tool) in TABLES.items():
                keys = keys_of(host, path, tool)
                before[host.name, path] = answers(host, legacy, path, tool, keys)
                assert len(before[host.name, path]) == len(keys), (path, before[host.name, path])
        files = {host.name: host.run(["sh", "-c", "cd /etc/postfix && ls -l --time-style=+%s . && cat main.cf master.cf"])
                 .stdout for host in hosts}
        dry = run_playbook(hosts, PLAYBOOK, check=True)
        unchanged = all(host.run(["sh", "-c", "cd /etc/postfix && ls -l --time-style=+%s . && cat main.cf master.cf"])
                        .stdout == files[host.name] for host in hosts)
        # typed as on a command line (-e migrate_verify=true): strings, coerced once by the role (issue 15 part 6)
        first = run_playbook(hosts, PLAYBOOK, extra_vars=TYPED_AS_TEXT)
        second = run_playbook(hosts, PLAYBOOK)
        yield hosts, before, first, second, dry, unchanged
    finally:
        for host in hosts:
            host.stop()


def test_dry_run_plans_every_form_and_changes_nothing(migrated):
    (rc, out), unchanged = migrated[4:]
    assert rc == 0, out[-6000:]
    assert unchanged


def test_first_run_migrates_every_form(migrated):
    hosts, before, (rc, out) = migrated[:3]
    assert rc == 0, out[-6000:]
    for host in hosts:
        main, master = host.postconf("-nx"), host.postconf("-Px")
        assert not LEGACY.search(main + master), (host.name, main, master)
        assert host.run(["postfix", "check"]).returncode == 0
        assert host.postfix_running()
        db = new_type(host, "hash")
        assert "smtp/inet/local_checks = check_client_access,%s:%srelay_clients" % (db, P) in master
        assert "smtp/inet/from_partners = check_sender_access,%s:%spartners_smtpd" % (db, P) in master
        # the glued type follows default_database_type: only the default was switched, not the text
        assert host.postconf("-nh", "smtp_generic_maps").strip() == "${indexed}generic"
        assert host.postconf("-xh", "smtp_generic_maps").strip() == "%s:%sgeneric" % (db, P)
        assert "transport_maps = lmdb:%stransport" % P in main
        assert "relocated_maps = texthash:%srelocated" % P in main
        for path, (legacy, tool) in TABLES.items():
            wanted = new_type(host, legacy)
            assert "%s:%s" % (wanted, path) in main + master, (host.name, path)
            after = answers(host, wanted, path, tool, keys_of(host, path, tool))
            assert after == before[host.name, path], (host.name, path, after)


def test_sni_table_holds_the_named_files(migrated):
    hosts = migrated[0]
    for host in hosts:
        spec = "%s:%ssni" % (new_type(host, "hash"), P)
        found = host.run(["postmap", "-F", "-q", "mail.other.test", spec]).stdout
        wanted = host.read(P + "tls/mail.other.test.key") + "\n" + host.read(P + "tls/mail.other.test.crt")
        assert found.rstrip("\n") == wanted.rstrip("\n"), (found, wanted)


def test_second_run_changes_nothing(migrated):
    hosts, (rc, out) = migrated[0], migrated[3]
    assert rc == 0, out[-6000:]
    for host in hosts:
        recap = re.search(r"^%s\s*:.*$" % re.escape(host.name), out, re.M)
        assert recap and " changed=0 " in recap.group(0), (recap and recap.group(0), out[-4000:])
