"""The switch window's own logic: files dated back for Postfix's cool-down, start-up checks before the stop."""
import os
import time

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._commands import COOL_SECONDS
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import config_write
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.service import (
    PostfixService, ServiceError, quick_start_flag)


def test_write_atomic_replaces_the_file_and_dates_it_back_far_enough_for_postfix(tmp_path):
    main_cf = tmp_path / "main.cf"
    main_cf.write_text("old\n")
    os.chmod(main_cf, 0o640)
    before = time.time()
    config_write.write_atomic(str(main_cf), "new\n")
    info = os.stat(main_cf)
    assert main_cf.read_text() == "new\n" and info.st_mode & 0o777 == 0o640
    # load_file.c re-reads while st_mtime >= time() - 1 (whole seconds): never from now on
    assert int(info.st_mtime) < int(before) - 1
    assert before - info.st_mtime < COOL_SECONDS + 1


class FakePostfix:
    def __init__(self, queue, check_rc=0):
        self.queue, self.check_rc, self.calls = queue, check_rc, []

    def run(self, name, args, config_dir=None, check=True, what=None, **kwargs):
        self.calls.append([name] + list(args))
        if name == "postfix" and args == ["check"] and self.check_rc:
            raise ServiceError("postfix check failed")
        if name == "postfix" and args == ["start"]:
            flag = os.path.join(self.queue, "quick-start")
            self.calls.append("quick" if os.path.exists(flag) else "full checks")
            if os.path.exists(flag):
                os.unlink(flag)  # what postfix-script start does
        return 0, "", ""

    def postconf(self, config_dir, *args, **kwargs):
        return self.queue + "\n"


def service_for(postfix):
    return PostfixService(postfix, run_command=None, find_binary=lambda name: None)


def test_start_after_prepare_skips_the_checks_that_already_ran(tmp_path):
    postfix = FakePostfix(str(tmp_path))
    service = service_for(postfix)
    service.prepare_start(["/etc/postfix"])
    assert ["postfix", "check"] in postfix.calls and (tmp_path / "quick-start").exists()
    service.start()
    assert "quick" in postfix.calls and not (tmp_path / "quick-start").exists()
    service.start()  # a later start (e.g. a rollback) runs the checks again
    assert postfix.calls[-2:] == ["full checks", ["postfix", "status"]]


def test_a_failed_check_leaves_no_flag(tmp_path):
    service = service_for(FakePostfix(str(tmp_path), check_rc=1))
    with pytest.raises(ServiceError):
        service.prepare_start(["/etc/postfix"])
    assert not (tmp_path / "quick-start").exists()


def test_unconsumed_flags_are_removed(tmp_path):
    service = service_for(FakePostfix(str(tmp_path)))
    service.prepare_start(["/etc/postfix"])
    service.clear_quick_start()
    assert not (tmp_path / "quick-start").exists()


def test_quick_start_flag_needs_an_absolute_queue_directory():
    assert quick_start_flag("/var/spool/postfix") == "/var/spool/postfix/quick-start"
    with pytest.raises(ServiceError):
        quick_start_flag("spool")
