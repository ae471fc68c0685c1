"""One error family: every error class of module_utils derives from NbdbError, and every module turns any error of
the family (including one added tomorrow), an OSError and a UnicodeError into a failure with its message."""
import importlib
import inspect
import pathlib
from unittest import mock

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils import _commands
from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from tests.unit.plugins.modules.harness import run

ROOT = pathlib.Path(__file__).resolve().parents[4] / "plugins"
PACKAGE = "ansible_collections.mailops.nbdb.plugins"


def python_modules(folder):
    for path in sorted((ROOT / folder).rglob("*.py")):
        if path.name != "__init__.py":
            yield PACKAGE + "." + ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_every_error_class_is_in_the_family():
    classes = []
    for name in python_modules("module_utils"):
        for dummy, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                classes.append(cls)
    assert len(classes) >= 15
    assert [cls.__qualname__ for cls in classes if not issubclass(cls, NbdbError)] == []


class BrandNewError(NbdbError):
    """Stands for an error class added after this test was written."""


# Each module with the least arguments that take it to its first Postfix command (or file operation).
MODULES = {
    "db_types": {},
    "nbdb_backup": {},
    "nbdb_info": {},
    "nbdb_level": {"state": "enable-redirect"},
    "nbdb_queue": {"state": "rescued"},
    "nbdb_service": {},
    "nbdb_switch": {},
    "nbdb_verify": {},
    "security_check": {},
    "table_reindex": {"tables": ["hash:/etc/postfix/virtual"]},
}
FAILURES = [BrandNewError("brand new: /etc/postfix/virtual"), PermissionError(13, "Permission denied", "/etc/postfix"),
            UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")]


def test_every_module_is_listed():
    names = {name.rsplit(".", 1)[1] for name in python_modules("modules")}
    assert names == set(MODULES) | {"fleet_report", "nbdb_lock"}


@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_failing_postfix_command_is_a_clean_failure(name, error):
    module = importlib.import_module(PACKAGE + ".modules." + name)
    with mock.patch.object(_commands.Postfix, "run", side_effect=error):
        result = run(module, MODULES[name])
    assert result["failed"] is True
    assert str(error) in result["msg"] or "undecodable" in result["msg"], result["msg"]


@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__)
def test_fleet_report_fails_cleanly(tmp_path, error):
    from ansible_collections.mailops.nbdb.plugins.modules import fleet_report  # pylint: disable=import-outside-toplevel
    with mock.patch("ansible_collections.mailops.nbdb.plugins.module_utils._reporting.store.read_histories",
                    side_effect=error):
        result = run(fleet_report, {"dest": str(tmp_path)})
    assert result["failed"] is True and str(error)[:20] in result["msg"] or "undecodable" in result["msg"]


@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__)
def test_nbdb_lock_fails_cleanly(tmp_path, error):
    from ansible_collections.mailops.nbdb.plugins.modules import nbdb_lock  # pylint: disable=import-outside-toplevel
    with mock.patch("os.mkdir", side_effect=error):
        result = run(nbdb_lock, {"path": str(tmp_path / "lock"), "token": "t1"})
    assert result["failed"] is True
    assert str(error) in result["msg"] or "undecodable" in result["msg"], result["msg"]
