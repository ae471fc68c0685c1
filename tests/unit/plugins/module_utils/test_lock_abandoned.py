"""Issue 15 §4: whether a lock's holder is gone is decided in Python (the lock_abandoned filter), not in the role."""
import os
import subprocess

from ansible_collections.mailops.nbdb.plugins.filter.lock_abandoned import FilterModule
from ansible_collections.mailops.nbdb.plugins.module_utils._planning.lock import abandoned_holder, process_alive

OWNER, TOKEN = "ctl1:100", "mx1-now"


def lock(holder="mx1-before", holder_owner="ctl1:4242"):
    return {"holder": holder, "holder_owner": holder_owner}


def test_a_holder_of_this_controller_whose_process_is_gone_is_abandoned():
    assert abandoned_holder(lock(), OWNER, TOKEN, alive=lambda pid: False) == "mx1-before"
    assert abandoned_holder(lock(), OWNER, TOKEN, alive=lambda pid: pid != 4242) == "mx1-before"


def gone(pid):
    return False


def test_a_live_holder_another_controller_no_holder_or_this_run_is_not():
    assert abandoned_holder(lock(), OWNER, TOKEN, alive=lambda pid: True) == ""
    assert abandoned_holder(lock(holder_owner="ctl2:4242"), OWNER, TOKEN, alive=gone) == ""
    assert abandoned_holder(lock(holder_owner="ctl1"), OWNER, TOKEN, alive=gone) == ""  # no PID recorded
    assert abandoned_holder(lock(holder_owner=None), OWNER, TOKEN, alive=gone) == ""
    assert abandoned_holder(lock(holder=None), OWNER, TOKEN, alive=gone) == ""
    assert abandoned_holder(lock(holder=TOKEN), OWNER, TOKEN, alive=gone) == ""


def test_process_alive_asks_the_real_process_table():
    assert process_alive(os.getpid())
    child = subprocess.Popen(["true"])
    child.wait()
    assert not process_alive(child.pid)  # reaped: gone (PIDs are not reused this fast)
    assert process_alive(1)  # init: exists whoever owns it


def test_the_filter_is_lock_abandoned():
    assert FilterModule().filters()["lock_abandoned"] is abandoned_holder
