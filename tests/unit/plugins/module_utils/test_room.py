"""Issue 15 §4: room for the rebuild, decided in _planning (the role only asserts plan.refusals)."""
from ansible_collections.mailops.nbdb.plugins.module_utils._planning.room import room_refusals

PLAN = {"needed": True, "instances": {"/etc/postfix": {"build": ["hash:/etc/aliases", "hash:/etc/postfix/big"]}}}


def table(name, free, source=None, db=None):
    return {"name": name, "free_bytes": free,
            "files": {"source": None if source is None else {"size": source}, "db": None if db is None else {"size": db}}}


def test_the_larger_of_source_and_db_times_the_factor_must_be_free():
    tables = [table("hash:/etc/aliases", 3000, source=1000, db=400), table("hash:/etc/postfix/big", 2999, db=1000)]
    refusals = room_refusals(tables, PLAN, 3)
    assert refusals == ["hash:/etc/postfix/big: 2999 bytes free on its file system, the rebuild may need 3000 "
                        "(3 times the table's 1000 bytes: migrate_disk_factor); free space there or lower the factor"]


def test_tables_not_built_unknown_free_space_no_plan_or_factor_zero_pass():
    tables = [table("hash:/srv/excluded", 0, source=10 ** 6), table("hash:/etc/aliases", None, source=10 ** 6),
              table("hash:/etc/postfix/big", 10, source=10 ** 6)]
    assert room_refusals(tables[:2], PLAN, 3) == []
    assert room_refusals(tables, dict(PLAN, needed=False), 3) == []
    assert room_refusals(tables, PLAN, 0) == []
    assert len(room_refusals(tables, PLAN, 1)) == 1


def test_an_orphan_without_source_counts_its_db():
    assert room_refusals([table("hash:/etc/aliases", 10, db=11)], PLAN, 1)
