"""Counts of the fault-injection and bad-input suites, printed by conftest's pytest_terminal_summary.

The tests record what they did (a fault injected, a host recovered, messages counted, a bad input
tried and handled); the summary at the end of the run quotes these numbers (README "Reliability").
"""
import collections

COUNTS = collections.OrderedDict((name, 0) for name in (
    "faults injected", "hosts recovered", "hosts recovered by hand", "messages sent", "messages delivered", "messages deferred",
    "messages bounced", "messages lost", "table entries checked", "table entries lost",
    "bad inputs tried", "bad inputs handled"))
FAULTS = []  # (fault, outcome) lines


def add(name, number=1):
    COUNTS[name] += number


def fault(name):
    """A fault was injected; returns the name for the outcome line."""
    add("faults injected")
    FAULTS.append([name, "injected"])
    return name


def outcome(name, text):
    for entry in FAULTS:
        if entry[0] == name:
            entry[1] = text


def recovered(name, text="recovered", by_hand=False):
    """The host kept every promise after the fault (by_hand: only after the operator stepped in)."""
    add("hosts recovered by hand" if by_hand else "hosts recovered")
    outcome(name, text)


def mail(sent, delivered, deferred, bounced):
    add("messages sent", sent)
    add("messages delivered", delivered)
    add("messages deferred", deferred)
    add("messages bounced", bounced)
    add("messages lost", sent - delivered - deferred)


def entries(checked, lost):
    add("table entries checked", checked)
    add("table entries lost", lost)


def state():
    """What this process counted (an xdist worker sends it to the controller at the end)."""
    return {"counts": dict(COUNTS), "faults": [list(entry) for entry in FAULTS]}


def merge(other):
    """Add a worker's counts and fault lines to this process's."""
    for name, number in other["counts"].items():
        add(name, number)
    FAULTS.extend(other["faults"])


def used():
    return any(COUNTS.values())


def lines():
    """The summary block, one line per count, then one per fault with its outcome."""
    out = ["%-25s %d" % (name + ":", number) for name, number in COUNTS.items()]
    out += ["fault: %s -> %s" % (name, text) for name, text in FAULTS]
    return out
