"""Make the collection importable as ansible_collections.mailops.nbdb for unit tests; print the time per tier
and of the slowest files."""
import collections
import os
import sys

_collections = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), ".build", "collections")
if _collections not in sys.path:
    sys.path.insert(0, _collections)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Tier of a test by its folder under tests/ (README "what make test runs").
TIERS = ("unit", "recorded", "integration", "molecule", "quality")
_seconds = collections.Counter()
_counts = collections.Counter()
_file_seconds = collections.Counter()
SLOWEST_FILES = 12  # the files listed under "time per file": where the suite's time goes


def tier_of(nodeid):
    parts = nodeid.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" and parts[1] in TIERS else "other"


def pytest_runtest_logreport(report):
    tier = tier_of(report.nodeid)
    _seconds[tier] += report.duration  # setup, call and teardown: fixtures that start containers count
    _file_seconds[report.nodeid.split("::", 1)[0]] += report.duration
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _counts[tier] += 1


def pytest_terminal_summary(terminalreporter):
    if sum(_counts.values()) < 2:
        return
    terminalreporter.section("time per tier")
    for tier in TIERS + ("other",):
        if _counts[tier]:
            terminalreporter.write_line("%-12s %4d tests %8.1f s" % (tier, _counts[tier], _seconds[tier]))
    terminalreporter.write_line("%-12s %4d tests %8.1f s" % ("total", sum(_counts.values()), sum(_seconds.values())))
    if sum(_file_seconds.values()) < 60:  # make check: nothing worth listing
        return
    terminalreporter.section("time per file (slowest %d)" % SLOWEST_FILES)
    for path, seconds in _file_seconds.most_common(SLOWEST_FILES):
        terminalreporter.write_line("%8.1f s  %s" % (seconds, path))


# make test runs one file per xdist worker at a time (--dist loadfile), in collection order. The files that take
# minutes go first, longest first, so that the two workers finish together instead of one waiting for the other.
LONG_FILES = ("tests/molecule/test_molecule.py", "tests/integration/test_faults.py",
              "tests/integration/test_fleet_playbooks.py", "tests/integration/test_bad_input.py",
              "tests/integration/test_migrate_role.py", "tests/integration/test_db_types.py",
              "tests/integration/test_corpus_laydown.py", "tests/quality/test_ansible_test_sanity.py")


def pytest_collection_modifyitems(items):
    rank = {name: index for index, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable: the rest keep their order
