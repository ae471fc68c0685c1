"""The switch window's own logic: files dated back for Postfix's cool-down, start-up checks before the stop."""
import os
import time

import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._commands import COOL_SECONDS
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import config_files
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import config_write, descriptors, window
from ansible_collections.mailops.nbdb.plugins.module_utils._masking import mask_diffs
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


# --- byte for byte, both or neither (issue 15 §6) -------------------------------------------------------------
LATIN1_CRLF = (b"# Konfiguration f\xfcr den Mailserver (M\xfcller)\r\n"
               b"alias_maps = hash:/etc/aliases\r\n"
               b"# \x0c page break in a comment: not a line end for Postfix\r\n"
               b"virtual_alias_maps = hash:/etc/postfix/virtual,\r\n"
               b"    texthash:/etc/postfix/virtual\r\n")


def test_a_latin1_crlf_main_cf_changes_only_in_its_rewritten_tokens(tmp_path):
    main_cf = tmp_path / "main.cf"
    main_cf.write_bytes(LATIN1_CRLF)
    text = config_write.read(str(main_cf))
    assert config_files.main_cf_spans(text) == {"alias_maps": (2, 2), "virtual_alias_maps": (4, 5)}
    replacements = [{"parameter": "alias_maps", "old": "hash:/etc/aliases", "new": "lmdb:/etc/aliases"},
                    {"parameter": "virtual_alias_maps", "old": "hash:/etc/postfix/virtual",
                     "new": "lmdb:/etc/postfix/virtual"}]
    config_write.write_atomic(str(main_cf), config_write.apply_main(text, replacements, {}))
    assert main_cf.read_bytes() == LATIN1_CRLF.replace(b"= hash:", b"= lmdb:")


def test_a_new_setting_goes_after_a_last_line_without_newline(tmp_path):
    text = config_write.apply_main("# caf\udce9\r\nalias_maps = hash:/etc/aliases", [], {"default_database_type": "lmdb"})
    assert text == "# caf\udce9\r\nalias_maps = hash:/etc/aliases\ndefault_database_type = lmdb\n"


def test_main_cf_and_master_cf_change_both_or_neither(tmp_path):
    main_cf, master_cf = tmp_path / "main.cf", tmp_path / "master.cf"
    main_cf.write_text("alias_maps = hash:/etc/aliases\n")
    (tmp_path / "elsewhere").write_text("smtp inet n - y - - smtpd\n")
    master_cf.symlink_to(tmp_path / "elsewhere")  # refused as not a regular file: the second write fails
    before = {str(main_cf): main_cf.read_text(), str(master_cf): master_cf.read_text()}
    with pytest.raises(descriptors.UnsafePathError, match="master.cf is not a regular file"):
        config_write.write_all_or_none([(str(main_cf), "alias_maps = lmdb:/etc/aliases\n"),
                                        (str(master_cf), "smtp inet n - y - - smtpd -o x=y\n")], before)
    assert main_cf.read_text() == "alias_maps = hash:/etc/aliases\n"
    assert (tmp_path / "elsewhere").read_text() == "smtp inet n - y - - smtpd\n"


class FakeService:
    def __init__(self, running=True):
        self.up, self.calls = running, []

    def running(self):
        return self.up

    def prepare_start(self, config_dirs):
        self.calls.append("prepare")

    def clear_quick_start(self):
        self.calls.append("clear")

    def stop(self):
        self.calls.append("stop")
        self.up = False

    def start(self):
        self.calls.append("start")
        self.up = True


def test_a_failed_write_inside_the_window_restores_and_starts_postfix_again(tmp_path):
    main_cf, master_cf = tmp_path / "main.cf", tmp_path / "master.cf"
    main_cf.write_text("alias_maps = hash:/etc/aliases\n")
    master_cf.write_text("smtp inet n - y - - smtpd\n")
    plan = {"config_dir": str(tmp_path), "before": {str(main_cf): main_cf.read_text(), str(master_cf): "gone\n"},
            "after": {str(main_cf): "alias_maps = lmdb:/etc/aliases\n", str(master_cf): "new\n"}}
    master_cf.unlink()
    master_cf.symlink_to("/etc/hostname")  # a symlink appeared: the write of master.cf is refused
    service = FakeService()
    with pytest.raises(window.WindowError, match="switch failed .*master.cf is not a regular file.*, and restoring"):
        window.run_window(None, service, [plan], "restart")
    assert main_cf.read_text() == "alias_maps = hash:/etc/aliases\n"
    assert service.calls[:2] == ["prepare", "stop"] and service.calls[-1] == "start" and service.up


def test_diffs_show_bytes_that_are_not_utf8_as_replacement_characters():
    entry = mask_diffs([{"before": "# M\udcfcller\r\n", "after": "x\n"}])[0]
    assert entry["before"] == "# M\ufffdller\r\n"
