"""Issue 16: who writes a table's files (root, the file's owner in a child, or nobody): the pure decision."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._planning import acting

LIST, BOB = 38, 1001
DATA = "/var/lib/mailman3/data"


@pytest.mark.parametrize("case, writers, own, owner, expected", [
    ("stock /etc/postfix, root's table", {}, set(), (0, 0), acting.ROOT),
    ("stock /etc/postfix, a table owned by list", {}, set(), (LIST, LIST), acting.ROOT),
    ("Mailman 3: list:list 2775 (and /var/lib/mailman3 list's)",
     {("user", LIST): "/var/lib/mailman3", ("group", LIST): DATA}, {("user", LIST), ("group", LIST)}, (LIST, LIST),
     acting.OWNER),
    ("Mailman 2: root:list 2775, list's table", {("group", LIST): "/var/lib/mailman/data"}, {("group", LIST)},
     (LIST, LIST), acting.OWNER),
    ("root-only directory under a list-owned ancestor", {("user", LIST): "/var/lib/mailman3"}, set(), (LIST, LIST),
     acting.ROOT),
    ("Mailman 2: root:list 2775, a root:list table", {("group", LIST): "/var/lib/mailman/data"}, {("group", LIST)},
     (0, LIST), acting.ROOT),
    ("Mailman 2 directory, a root:root table", {("group", LIST): "/var/lib/mailman/data"}, {("group", LIST)},
     (0, 0), None),
    ("list's directory, a root:list table", {("user", LIST): DATA, ("group", LIST): DATA},
     {("user", LIST), ("group", LIST)}, (0, LIST), None),
    ("list's directory, bob's table", {("user", LIST): DATA}, {("user", LIST)}, (BOB, BOB), None),
    ("list's table in a directory bob owns", {("user", BOB): "/srv/x"}, {("user", BOB)}, (LIST, LIST), None),
    ("list's directory under bob's", {("user", BOB): "/srv", ("user", LIST): "/srv/x"}, {("user", LIST)},
     (LIST, LIST), None),
    ("other-writable", {("anyone", None): "/srv/x"}, {("anyone", None)}, (LIST, LIST), None),
    ("group-writable by another group", {("user", LIST): DATA, ("group", 50): DATA},
     {("user", LIST), ("group", 50)}, (LIST, LIST), None),
])
def test_actor(case, writers, own, owner, expected):
    who, foreign = acting.actor(writers, own, *owner)
    assert who == expected, case
    assert bool(foreign) == (expected is None), case
    if expected is None:
        assert all(writer in writers and path == writers[writer] for writer, path in foreign), case
