"""Fixtures: real Postfix containers with a given configuration, removed even when a test fails.

    def test_x(postfix_host):
        host = postfix_host("sid", files={...}, postmap=["hash:/etc/postfix/access"])
        result = host.module("mailops.nbdb.nbdb_info", {})
"""
import pathlib

import pytest

from tests.testbed.ansible import run_module
from tests.testbed.container import PostfixContainer

pytestmark = pytest.mark.integration


class Host(PostfixContainer):
    """A container plus the collection's modules run against it over the podman connection."""

    def module(self, name, args=None, check=False, diff=False, root_session=False):
        return run_module(self, name, args, check=check, diff=diff, root_session=root_session)

    def lay_down(self, files=None, postconf=None, master=None, commands=None, postmap=None,
                 postalias=None):
        """Write files {path: text | (text, mode, owner)}, set main.cf parameters
        (postconf -e), master.cf services (postconf -Me), then run commands (argv lists) and build
        legacy .db files with the real postmap/postalias (``hash:/path``, ``-c dir`` allowed)."""
        for path, spec in (files or {}).items():
            text, mode, owner = spec if isinstance(spec, tuple) else (spec, "0644", "root:root")
            self.write(path, text, mode, owner)
        if postconf:
            self.run(["postconf", "-e"] + ["%s=%s" % item for item in postconf.items()])
        for service, line in (master or {}).items():
            self.run(["postconf", "-Me", "%s=%s" % (service, line)])
        for argv in commands or []:
            self.run(argv)
        for table in postmap or []:
            self.run(["postmap"] + (table if isinstance(table, list) else [table]))
        for table in postalias or []:
            self.run(["postalias"] + (table if isinstance(table, list) else [table]))
        return self


DEMO_LEGACY = pathlib.Path(__file__).resolve().parents[2] / "demo" / "mx1-legacy"


def lay_down_demo_legacy(host, postconf=()):
    """Make host the demo's legacy-configured MX (demo/mx1-legacy, user alice), extra main.cf settings, started."""
    host.run(["useradd", "-m", "alice"])
    for path in sorted(p for p in (DEMO_LEGACY / "rootfs").rglob("*") if p.is_file()):
        host.write("/" + str(path.relative_to(DEMO_LEGACY / "rootfs")), path.read_bytes(),
                   mode="0600" if "sasl" in path.name else "0644")
    host.run(["sh", "-s"], input=(DEMO_LEGACY / "setup.sh").read_bytes())
    if postconf:
        host.run(["postconf", "-e"] + list(postconf))
    host.run(["postfix", "start"])
    return host


@pytest.fixture
def postfix_host():
    """Factory: postfix_host(distro, run_args=(), **lay_down_args) -> running Host; all removed at teardown.
    run_args: extra "podman run" options (for example a small tmpfs --mount)."""
    started = []

    def make(distro="sid", run_args=(), **layout):
        host = Host(distro, run_args=run_args)
        started.append(host)
        host.start()
        return host.lay_down(**layout)

    yield make
    for host in started:
        host.stop()


def pytest_sessionfinish(session):
    """On an xdist worker: hand the fault counts to the controller, which prints the summary."""
    from tests.integration import faultlog  # pylint: disable=import-outside-toplevel
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["faultlog"] = faultlog.state()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # pylint: disable=unused-argument
    from tests.integration import faultlog  # pylint: disable=import-outside-toplevel
    state = getattr(node, "workeroutput", {}).get("faultlog")
    if state:
        faultlog.merge(state)


def pytest_terminal_summary(terminalreporter):
    """The fault-injection and bad-input counts (tests/integration/faultlog.py), when those suites ran."""
    from tests.integration import faultlog  # pylint: disable=import-outside-toplevel
    if faultlog.used():
        terminalreporter.section("faults and bad input")
        for line in faultlog.lines():
            terminalreporter.write_line(line)
