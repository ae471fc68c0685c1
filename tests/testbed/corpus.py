"""The corpus of real configurations (tests/corpus/<name>/, layout in its README.md): laying one down in a
container and checking it against real Postfix only. Shared by test_corpus_laydown.py (validity) and
test_corpus_fleet.py (the whole corpus migrated as one fleet)."""
import io
import os
import pathlib
import re
import subprocess
import tarfile
import tempfile
import time

import yaml

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
    """(name, distro) of every configuration selected (NBDB_CORPUS) on every distro it lists."""
    return [(name, distro) for name in NAMES if not ONLY or name in ONLY for distro in load(name)["distros"]]


def instances(expected):
    return expected.get("instances") or ["/etc/postfix"]


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


def lay_down(host, name):
    """Copy the configuration into the started container and run its setup.sh; problems (empty: done)."""
    expected = load(name)
    root = CORPUS / name / "rootfs"
    archive = io.BytesIO()  # one podman exec for the whole tree (one per file costs seconds on a busy machine)
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for path in rootfs_files(name):
            info = tarfile.TarInfo(str(path.relative_to(root)))
            info.size, info.mode, info.uid, info.gid, info.uname, info.gname = path.stat().st_size, 0o644, 0, 0, "root", "root"
            with path.open("rb") as data:
                tar.addfile(info, data)
    host.run(["tar", "-x", "--no-same-permissions", "--no-overwrite-dir", "-C", "/", "-f", "-"], input=archive.getvalue())
    throwaway_certificates(host, expected.get("tls_files"))
    setup = host.run(["sh", "-s"], input=(CORPUS / name / "setup.sh").read_bytes(), check=False)
    if setup.returncode != 0:
        return ["setup.sh exit %d: %s %s" % (setup.returncode, setup.stdout, setup.stderr)]
    return []


def wait_running(host, config_dir, timeout=10):
    """postfix status of the instance, retried until the master answers (no fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        if host.run(["postfix", "-c", config_dir, "status"], check=False).returncode == 0:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def check_and_start(host, name, distro):
    """The laid-down configuration against real Postfix only: postfix check (exactly the expected warnings),
    postfix start, every reference on its definition line and in postconf -nx/-Px, every table's entry count,
    every look-alike in the expanded configuration. Returns a list of problems (empty: valid)."""
    expected = load(name)
    problems = []
    allowed = expected.get("postfix_check_warnings") or []
    if isinstance(allowed, dict):  # per distro
        allowed = allowed.get(distro) or []
    printed = []
    for config_dir in instances(expected):
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

    for config_dir in instances(expected)[:1]:  # the first instance's start starts the postmulti others
        start = host.run(["postfix", "-c", config_dir, "start"], check=False)
        if start.returncode != 0:
            problems.append("postfix -c %s start exit %d: %s" % (config_dir, start.returncode, start.stderr))
    for config_dir in instances(expected):
        if not wait_running(host, config_dir):
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
    return problems
