"""The corpus of real configurations (tests/corpus/<name>/) laid down on real Postfix.

Each configuration is checked against Postfix only, never against the collection: its rootfs
is copied into a fresh container of every distro its expected.yml lists, setup.sh runs as root,
then

- ``postfix check`` passes (its warnings must be exactly those expected.yml names),
- ``postfix start`` works,
- every legacy reference of expected.yml is on its definition line (file text read back from
  the container) and shows, expanded, in ``postconf -nx`` (main.cf) or ``postconf -Px``
  (master.cf ``-o``) of its instance,
- every legacy table with a source gives its number of entries with ``postmap -s`` /
  ``postalias -s`` (with ``-c config_dir``),
- every look-alike is in the expanded configuration, untouched.

One container per configuration and distro, two at a time; all are removed at the end.
"""
import concurrent.futures
import time

import pytest

from tests.testbed import corpus
from tests.testbed.container import PostfixContainer

pytestmark = pytest.mark.integration


def lay_down_and_check(name, distro):
    """Returns a list of problems (empty: the configuration is valid on this distro)."""
    host = PostfixContainer(distro, hostname=corpus.load(name).get("hostname", "mx.example.test"))
    started = time.monotonic()
    try:
        host.start()
        problems = corpus.lay_down(host, name) or corpus.check_and_start(host, name, distro)
    finally:
        host.stop()
    print("%s on %s: %.1f s" % (name, distro, time.monotonic() - started))
    return problems


def test_corpus_configurations_are_complete():
    for name in corpus.NAMES:
        for part in ("setup.sh", "provenance.md", "rootfs"):
            assert (corpus.CORPUS / name / part).exists(), (name, part)
        expected = corpus.load(name)
        assert "sid" in expected["distros"], name
        assert expected["references"] and expected["tables"], name


def test_corpus_has_twelve_configurations():
    assert len(corpus.NAMES) >= 12, corpus.NAMES


def test_corpus_lays_down_on_real_postfix():
    jobs = corpus.jobs()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(jobs, pool.map(lambda job: lay_down_and_check(*job), jobs)))
    failed = {"%s on %s" % job: sorted(set(problems), key=problems.index) for job, problems in results.items() if problems}
    assert not failed, "\n".join("%s:\n  %s" % (job, "\n  ".join(p)) for job, p in failed.items())
