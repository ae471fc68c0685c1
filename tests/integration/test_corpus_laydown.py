"""The corpus of real configurations (tests/corpus/<name>/) laid down on real Postfix.

Each configuration is checked against Postfix only, never against the collection: its rootfs
is copied into a fresh container of every distro its expected.yml lists, setup.sh runs as root,
then

- ``postfix check`` passes (its warnings must be exactly those expected.yml names),
- ``postfix start`` works,
- every legacy reference of expected.yml is on its definition line (file text read back from
  the container) and shows, expanded, in ``postconf -nx`` (main.cf) or ``postconf -Px``
  (master.cf ``-o``) of its instance,
- every legacy table with a source gives its number of entries with ``postmap -s`` /
  ``postalias -s`` (with ``-c config_dir``),
- every look-alike is in the expanded configuration, untouched.

One container per configuration and distro, two at a time; all are removed at the end.
"""
import concurrent.futures
import os
import pathlib
import re
import subprocess
import tempfile
import time

import pytest
import yaml

from tests.testbed.container import PostfixContainer

pytestmark = pytest.mark.integration

CORPUS = pathlib.Path(__file__).resolve().parents[1] / "corpus"
NAMES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yml").is_file())
# NBDB_CORPUS=name1,name2 lays down only those (while writing a configuration)
ONLY = [n for n in os.environ.get("NBDB_CORPUS", "").split(",") if n]
# Not counted as configuration warnings: the deprecation notice Debian 3.11 prints on every open
# of a hash:/btree: table, and the notice of a compatibility_level below the release's.
DEPRECATION = re.compile(r"hash/btree support is deprecated|See /usr/share/doc/postfix/NON_BERKELEYDB"
                         r"|using backwards-compatible default settings|COMPATIBILITY_README"
                         r"|To disable backwards compatibility")


def load(name):
    return yaml.safe_load((CORPUS / name / "expected.yml").read_text())


def rootfs_files(name):
    root = CORPUS / name / "rootfs"
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def jobs():
    return [(name, distro) for name in NAMES if not ONLY or name in ONLY for distro in load(name)["distros"]]


def warnings_of(stderr):
    return [line for line in stderr.splitlines() if line.strip() and not DEPRECATION.search(line)]


def count_entries(output, tool):
    """Lines of a -s dump; for postalias without the entries it adds itself (@, YP_*)."""
    keys = [line.split(None, 1)[0].rstrip(":") for line in output.splitlines() if line.strip()]
    if tool == "postalias":
        keys = [key for key in keys if key != "@" and not key.startswith("YP_")]
    return len(keys)


def throwaway_certificates(host, specs):
    """Self-signed key/cert pairs of expected.yml ``tls_files`` ({key, cert, cn}), made with the
    controller's openssl and written in before setup.sh: the testbed images have no openssl.
    setup.sh makes the same ones itself (openssl req ...) when they are missing."""
    for spec in specs or []:
        with tempfile.TemporaryDirectory() as scratch:
            key, cert = scratch + "/key.pem", scratch + "/cert.pem"
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                            "-subj", "/CN=" + spec["cn"], "-keyout", key, "-out", cert],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            host.write(spec["key"], pathlib.Path(key).read_bytes(), mode="0600")
            host.write(spec["cert"], pathlib.Path(cert).read_bytes(), mode="0644")


def lay_down_and_check(name, distro):
    """Returns a list of problems (empty: the configuration is valid on this distro)."""
    expected = load(name)
    problems = []
    host = PostfixContainer(distro, hostname=expected.get("hostname", "mx.example.test"))
    started = time.monotonic()
    try:
        host.start()
        root = CORPUS / name / "rootfs"
        for path in rootfs_files(name):
            host.write("/" + str(path.relative_to(root)), path.read_bytes(), mode="0644")
        throwaway_certificates(host, expected.get("tls_files"))
        setup = host.run(["sh", "-s"], input=(CORPUS / name / "setup.sh").read_bytes(), check=False)
        if setup.returncode != 0:
            return ["setup.sh exit %d: %s %s" % (setup.returncode, setup.stdout, setup.stderr)]

        instances = expected.get("instances") or ["/etc/postfix"]
        allowed = expected.get("postfix_check_warnings") or []
        if isinstance(allowed, dict):  # per distro
            allowed = allowed.get(distro) or []
        printed = []
        for config_dir in instances:
            check = host.run(["postfix", "-c", config_dir, "check"], check=False)
            printed += check.stderr.splitlines()
            if check.returncode != 0:
                problems.append("postfix -c %s check exit %d: %s" % (config_dir, check.returncode, check.stderr))
            for line in warnings_of(check.stderr):
                if not any(text in line for text in allowed):
                    problems.append("postfix check warning not in expected.yml: %s" % line.split(": ", 1)[-1])
        for text in allowed:
            if not any(text in line for line in printed):
                problems.append("expected postfix check warning missing: %s" % text)

        for config_dir in instances[:1]:  # the first instance's start starts the postmulti others
            start = host.run(["postfix", "-c", config_dir, "start"], check=False)
            if start.returncode != 0:
                problems.append("postfix -c %s start exit %d: %s" % (config_dir, start.returncode, start.stderr))
        time.sleep(1)
        for config_dir in instances:
            if host.run(["postfix", "-c", config_dir, "status"], check=False).returncode != 0:
                problems.append("postfix -c %s status: not running after start" % config_dir)

        config_dirs = sorted({ref["config_dir"] for ref in expected["references"]}
                             | {table.get("config_dir", "/etc/postfix") for table in expected["tables"]})
        main_n = {d: host.run(["postconf", "-c", d, "-nx"], check=False).stdout for d in config_dirs}
        master_p = {d: host.run(["postconf", "-c", d, "-Px"], check=False).stdout for d in config_dirs}
        texts = {}

        for ref in expected["references"]:
            where = "%s %s" % (ref.get("service") or "main.cf", ref["parameter"])
            if ref["file"] not in texts:
                texts[ref["file"]] = host.run(["cat", ref["file"]], binary=True).stdout.decode("latin-1")
            lines = texts[ref["file"]].split("\n")
            if not 0 < ref["line"] <= len(lines) or ref["raw"] not in lines[ref["line"] - 1]:
                problems.append("%s: %r not on %s line %d" % (where, ref["raw"], ref["file"], ref["line"]))
            if ref.get("service"):
                prefix = "%s/%s = " % (ref["service"], ref["parameter"])
                found = [l for l in master_p[ref["config_dir"]].splitlines() if l.startswith(prefix)]
            else:
                prefix = "%s = " % ref["parameter"]
                found = [l for l in main_n[ref["config_dir"]].splitlines() if l.startswith(prefix)]
            if not found or ref["expanded"] not in found[0]:
                problems.append("%s: %r not in postconf -nx/-Px (%s)" % (where, ref["expanded"], found))

        for table in expected["tables"]:
            if table.get("entries") is None:
                continue
            tool = "postalias" if table["tool"] == "postalias" else "postmap"
            config_dir = table.get("config_dir", "/etc/postfix")
            dump = host.run([tool, "-c", config_dir, "-s", table["table"]], check=False)
            if dump.returncode != 0:
                problems.append("%s -s %s exit %d: %s" % (tool, table["table"], dump.returncode, dump.stderr))
            elif count_entries(dump.stdout, tool) != table["entries"]:
                problems.append("%s -s %s: %d entries, expected.yml says %d" % (
                    tool, table["table"], count_entries(dump.stdout, tool), table["entries"]))

        everything = "\n".join(list(main_n.values()) + list(master_p.values()))
        for lookalike in expected.get("lookalikes") or []:
            if lookalike not in everything:
                problems.append("look-alike %r not in postconf -nx/-Px" % lookalike)
    finally:
        host.stop()
    print("%s on %s: %.1f s" % (name, distro, time.monotonic() - started))
    return problems


def test_corpus_configurations_are_complete():
    for name in NAMES:
        for part in ("setup.sh", "provenance.md", "rootfs"):
            assert (CORPUS / name / part).exists(), (name, part)
        expected = load(name)
        assert "sid" in expected["distros"], name
        assert expected["references"] and expected["tables"], name


@pytest.mark.xfail(reason="issue 15 part 7 asks for at least twelve configurations; the corpus has ten so far")
def test_corpus_has_twelve_configurations():
    assert len(NAMES) >= 12, NAMES


def test_corpus_lays_down_on_real_postfix():
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(jobs(), pool.map(lambda job: lay_down_and_check(*job), jobs())))
    failed = {"%s on %s" % job: sorted(set(problems), key=problems.index) for job, problems in results.items() if problems}
    assert not failed, "\n".join("%s:\n  %s" % (job, "\n  ".join(p)) for job, p in failed.items())
