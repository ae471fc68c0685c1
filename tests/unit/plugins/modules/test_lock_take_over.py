"""Issue 16, finding 5d: two runs taking over the same stale lock at the same moment: exactly one wins.

Real file system (tmp_path), real processes (fork): each contender judged the same stale holder, then all call
nbdb_lock.take_over at once (a barrier). Afterwards exactly one says it holds the lock, and holder.json names it.
"""
import json
import multiprocessing
import os

from ansible_collections.mailops.nbdb.plugins.modules import nbdb_lock

ROUNDS = 100
CONTENDERS = 4


def _contend(path, judged, token, barrier, answers):
    barrier.wait()
    try:
        answers.put((token, nbdb_lock.take_over(path, judged, token, "ctl:%d" % os.getpid())))
    except Exception as exc:  # pylint: disable=broad-except  # a crash of the take-over is a failed round too
        answers.put((token, repr(exc)))


def _round(path, context):
    os.mkdir(path)
    with open(os.path.join(path, "holder.json"), "w") as handle:
        json.dump({"token": "gone", "since": 0, "owner": "ctl0:1"}, handle)
    judged = nbdb_lock.read_holder(path)
    barrier, answers = context.Barrier(CONTENDERS), context.Queue()
    procs = [context.Process(target=_contend, args=(path, judged, "t%d" % i, barrier, answers))
             for i in range(CONTENDERS)]
    for proc in procs:
        proc.start()
    got = [answers.get(timeout=30) for dummy in procs]
    for proc in procs:
        proc.join()
    winners = sorted(token for token, won in got if won is True)
    errors = [won for token, won in got if not isinstance(won, bool)]
    holder = nbdb_lock.read_holder(path).get("token")
    return winners, holder, errors


def test_concurrent_take_overs_of_one_stale_lock_have_one_winner(tmp_path):
    context = multiprocessing.get_context("fork")
    bad = []
    for index in range(ROUNDS):
        winners, holder, errors = _round(str(tmp_path / ("lock%d" % index)), context)
        if len(winners) != 1 or holder != winners[0] or errors:
            bad.append((winners, holder, errors))
    assert not bad, "%d of %d rounds: not exactly one winner holding the lock, e.g. %s" % (len(bad), ROUNDS, bad[:3])
