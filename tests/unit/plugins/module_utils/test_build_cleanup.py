"""Build directories of killed runs are removed; those of live processes and anything else are kept."""
import os
import subprocess
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._execution import build


def test_only_build_directories_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.run(["sh", "-c", "echo $$"], stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    names = [".nbdb-build-%s-abc" % dead, ".nbdb-build-%d-def" % os.getpid(), ".nbdb-build-old", "virtual", "virtual.db"]
    for name in names:
        (tmp_path / name).mkdir()
    build.remove_abandoned(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])


def test_a_killed_but_unreaped_process_counts_as_gone(tmp_path):
    child = subprocess.Popen(["sleep", "60"])
    child.kill()
    try:
        for dummy in range(200):  # a zombie until waited for, once the signal has landed
            with open("/proc/%d/stat" % child.pid) as handle:
                if handle.read().rsplit(")", 1)[-1].split()[0] == "Z":
                    break
            time.sleep(0.01)
        else:
            raise AssertionError("the killed child never became a zombie")
        (tmp_path / (".nbdb-build-%d-x" % child.pid)).mkdir()
        build.remove_abandoned(str(tmp_path))
        assert list(tmp_path.iterdir()) == []
    finally:
        child.wait()


def test_an_abandoned_owner_work_directory_is_removed_too(tmp_path):
    """A killed run that worked as the table's owner leaves <private>/work/<copy>: removed as a whole."""
    dead = subprocess.run(["sh", "-c", "echo $$"], stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    work = tmp_path / (".nbdb-build-%s-abc" % dead) / "work"
    work.mkdir(parents=True)
    (work / "postfix_lmtp").write_text("a b\n")
    (work / "postfix_lmtp.lmdb").write_text("x")
    build.remove_abandoned(str(tmp_path))
    assert list(tmp_path.iterdir()) == []
