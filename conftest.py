"""Make the collection importable as ansible_collections.mailops.nbdb for unit tests; print the time per tier."""
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


def tier_of(nodeid):
    parts = nodeid.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" and parts[1] in TIERS else "other"


def pytest_runtest_logreport(report):
    tier = tier_of(report.nodeid)
    _seconds[tier] += report.duration  # setup, call and teardown: fixtures that start containers count
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
