"""What real Postfix says when it opens a hash:/btree: table, with and without Berkeley DB: the recording
tests/unit/fixtures/bdb-messages.json, read by tests/unit/plugins/module_utils/test_bdb_state.py and proven
current in the real images by tests/integration/test_no_berkeley_db.py (``NBDB_RECORD=1`` there rewrites it).

Each entry: the image (tests/testbed/images.py short name), set-up commands, the command, what it gave (rc,
stdout, stderr) and the state bdb_state must read from it (``probe`` entries through probe_state).
"""
import json
import pathlib

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "bdb-messages.json"
PROBE = ["postmap", "-q", "nbdb-bdb-probe", "hash:/nonexistent/nbdb-bdb-probe"]
ALIASES = [["sh", "-c", "printf 'postmaster: root\\nabuse: root\\n' > /etc/nbdb-aliases"]]

# (image, set-up, argv, kind, expected state)
CASES = [
    ("sid", [], PROBE, "probe", "available"),
    ("nodb311", [], PROBE, "probe", "missing_311"),
    ("nodb38", [], PROBE, "probe", "unsupported_type"),
    ("sid", [], ["postmap", "-q", "x", "btree:/nonexistent/nbdb-bdb-probe"], "probe", "available"),
    ("nodb311", [], ["postmap", "-q", "x", "btree:/nonexistent/nbdb-bdb-probe"], "probe", "missing_311"),
    ("nodb38", [], ["postmap", "-q", "x", "btree:/nonexistent/nbdb-bdb-probe"], "probe", "unsupported_type"),
    # one table: Berkeley DB works, the source is there, its .db is not
    ("sid", ALIASES, ["postalias", "-s", "hash:/etc/nbdb-aliases"], "table", "db_missing"),
    ("sid", ALIASES + [["postalias", "hash:/etc/nbdb-aliases"]], ["postalias", "-q", "abuse", "hash:/etc/nbdb-aliases"],
     "table", "available"),
    ("sid", ALIASES + [["postalias", "hash:/etc/nbdb-aliases"]], ["postalias", "-q", "nobody", "hash:/etc/nbdb-aliases"],
     "table", "available"),
    # what the migration's own reads of a legacy table meet after the OS upgrade
    ("nodb311", ALIASES, ["postalias", "-s", "hash:/etc/nbdb-aliases"], "table", "missing_311"),
    ("nodb38", ALIASES, ["postalias", "-s", "hash:/etc/nbdb-aliases"], "table", "unsupported_type"),
    ("nodb311", [], ["postmap", "-s", "btree:/etc/nbdb-cache"], "table", "missing_311"),
    ("nodb38", [], ["postmap", "-s", "btree:/etc/nbdb-cache"], "table", "unsupported_type"),
]


def load():
    return json.loads(FIXTURE.read_text())


def record(run):
    """Entries for every case; run(image, setup, argv) -> (rc, stdout, stderr) on a fresh-enough host."""
    entries = []
    for image, setup, argv, kind, state in CASES:
        rc, out, err = run(image, setup, argv)
        entries.append({"image": image, "setup": setup, "argv": argv, "kind": kind, "state": state,
                        "rc": rc, "stdout": out, "stderr": err})
    return entries


def dump(entries):
    return json.dumps(entries, indent=1) + "\n"
