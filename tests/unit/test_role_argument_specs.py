"""The role's variables, validated in process as ansible-core (2.19) does before the role's first task: the
implicit ``validate_argument_spec`` task gets the entry point's options, takes every option present in the task
vars (role defaults, extra vars), and fails with "Validation of arguments failed:" and the validator's messages.
These rows were the role's "wrong variable types" and "unsupported map type" runs of tests/integration/test_bad_input.py
(the real role run printed the same messages)."""
import pathlib

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

ROLE = pathlib.Path(__file__).resolve().parents[2] / "roles" / "migrate"
OPTIONS = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())

# (extra vars, words the failure names); None: valid
CASES = {
    "wrong variable types": ({"migrate_backup_keep": "five", "migrate_lock_wait": "soon", "migrate_exclude": {"hash": 1}},
                             ["migrate_backup_keep", "five", "migrate_lock_wait", "soon", "migrate_exclude", "list"]),
    "unsupported map type": ({"migrate_database_type": "hash"}, ["migrate_database_type", "hash", "lmdb, cdb"]),
    "btree cache type": ({"migrate_cache_db_type": "btree"}, ["migrate_cache_db_type", "btree"]),
    "cdb cache type": ({"migrate_cache_db_type": "cdb"}, ["migrate_cache_db_type", "cdb"]),
    "unknown level": ({"migrate_level": "reindex"}, ["migrate_level", "reindex"]),
    "unknown switch mode": ({"migrate_switch_mode": "graceful"}, ["migrate_switch_mode", "graceful"]),
    "unknown severity": ({"migrate_security_fail_on": "severe"}, ["migrate_security_fail_on", "severe"]),
    "backup not a bool": ({"migrate_backup": "maybe"}, ["migrate_backup", "maybe", "bool"]),
    "verify sample not an int": ({"migrate_verify_sample": "all"}, ["migrate_verify_sample", "all"]),
    "defaults": ({}, None),
    "numbers given as text": ({"migrate_backup_keep": "3", "migrate_lock_wait": "60"}, None),
    "cdb tables, lmdb caches": ({"migrate_database_type": "cdb", "migrate_level": "keep"}, None),
}


def validate(extra_vars):
    """The message of the role's validation task ('' when it passes), as ansible-core builds it."""
    provided = {name: value for name, value in dict(DEFAULTS, **extra_vars).items() if name in OPTIONS}
    errors = ArgumentSpecValidator(OPTIONS).validate(provided, validate_role_argument_spec=True).error_messages
    return "Validation of arguments failed:\n%s" % "\n".join(errors) if errors else ""


def test_every_default_is_a_documented_option():
    assert set(DEFAULTS) <= set(OPTIONS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_role_variables(name):
    extra_vars, words = CASES[name]
    msg = validate(extra_vars)
    if words is None:
        assert msg == ""
    else:
        assert msg.startswith("Validation of arguments failed:")
        for word in words:
            assert word in msg, (word, msg)
