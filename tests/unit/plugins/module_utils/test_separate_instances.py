"""An instance started with postfix -c outside postmulti (mailcow's /opt/postfix/conf) is stopped, started and
reloaded with postfix -c; the host's own Postfix only when it runs (or ran at the first look). Commands go to a
small Postfix stand-in that keeps which masters run, as postfix status / stop / start would."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._commands import PostfixCommandError
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.service import PostfixService

MAILCOW = "/opt/postfix/conf"


class Masters:
    """postfix [-c DIR] status|stop|start|reload against a set of running config directories (None: default)."""

    def __init__(self, running):
        self.up, self.calls = set(running), []

    def run(self, name, args, config_dir=None, check=True, what=None, **kwargs):
        action = args[0]
        self.calls.append((config_dir, action))
        ok = {"status": config_dir in self.up, "stop": config_dir in self.up, "start": config_dir not in self.up,
              "reload": config_dir in self.up}[action]
        if action == "stop" and ok:
            self.up.discard(config_dir)
        if action == "start" and ok:
            self.up.add(config_dir)
        if check and not ok:
            raise PostfixCommandError(["postfix", action], 1, "", "fatal: the Postfix mail system is %s running"
                                      % ("not" if action != "start" else "already"), what)
        return (0 if ok else 1), "", ""


def service(masters):
    return PostfixService(masters, lambda *a, **k: (1, "", ""), lambda name: None, separate=[MAILCOW])


def actions(masters):
    return [call for call in masters.calls if call[1] != "status"]


def test_mailcow_only_its_instance_is_stopped_and_started():
    masters = Masters({MAILCOW})  # the package's /etc/postfix is not running
    svc = service(masters)
    assert svc.running() is True
    svc.stop()
    assert masters.up == set() and actions(masters) == [(MAILCOW, "stop")]
    svc.start()
    assert masters.up == {MAILCOW} and actions(masters)[1:] == [(MAILCOW, "start")]


def test_a_restore_after_a_failed_start_brings_back_what_ran_at_the_first_look():
    masters = Masters({MAILCOW})
    svc = service(masters)
    svc.running()
    svc.stop()
    assert svc.running() is False  # later looks do not change what is brought back
    svc.start()
    assert masters.up == {MAILCOW}


def test_nothing_running_and_asked_to_start_starts_every_instance():
    masters = Masters(set())
    svc = service(masters)
    assert svc.running() is False
    svc.start()
    assert masters.up == {None, MAILCOW}


def test_reload_touches_only_what_runs():
    masters = Masters({None, MAILCOW})
    svc = service(masters)
    svc.reload()
    assert actions(masters) == [(None, "reload"), (MAILCOW, "reload")]
    masters = Masters({None})
    service(masters).reload()
    assert actions(masters) == [(None, "reload")]


def test_without_separate_instances_the_host_is_acted_on_as_before():
    masters = Masters({None})
    svc = PostfixService(masters, lambda *a, **k: (1, "", ""), lambda name: None)
    svc.stop()
    with pytest.raises(PostfixCommandError):
        svc.stop()  # unconditional, as always: callers stop only what runs
    assert actions(masters) == [(None, "stop"), (None, "stop")]
