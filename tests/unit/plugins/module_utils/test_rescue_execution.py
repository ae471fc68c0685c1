"""_execution.rescue: postqueue -i per message (a message gone meanwhile is skipped), and the bounded wait that ends
when every requeued message left the queue or was deferred again."""
import json

from ansible_collections.mailops.nbdb.plugins.module_utils._execution import rescue


class FakePostfix:
    """Answers postqueue -i (rc per id) and postqueue -j (one queue listing per call, the last repeated)."""

    def __init__(self, listings, gone=()):
        self.listings, self.gone, self.calls = list(listings), set(gone), []

    def run(self, name, args, config_dir=None, check=True, what=None, **kwargs):
        self.calls.append([name] + list(args))
        if args[0] == "-i":
            return (1, "", "postqueue: fatal: invalid request: %s" % args[1]) if args[1] in self.gone else (0, "", "")
        listing = self.listings.pop(0) if len(self.listings) > 1 else self.listings[0]
        return 0, "".join(json.dumps({"queue_name": q, "queue_id": i}) + "\n" for i, q in listing), ""


class FakeLog:
    sources = {"/var/log/postfix.log": {"postfix"}}

    def __init__(self, lines):
        self.lines = lines

    def raw_lines(self, source, since):
        return self.lines


def test_requeue_skips_what_is_gone():
    postfix = FakePostfix([[]], gone={"B2"})
    assert rescue.requeue(postfix, None, ["A1", "B2"]) == ["A1"]
    assert postfix.calls == [["postqueue", "-i", "A1"], ["postqueue", "-i", "B2"]]


def test_wait_ends_when_the_queue_is_empty_or_deferred_again():
    postfix = FakePostfix([[("A1", "active"), ("B2", "deferred")], [("B2", "deferred")]])
    log = FakeLog(["1796146150 mx postfix/smtp[9]: B2: to=<b@x.test>, relay=none, status=deferred (timeout)"])
    slept = []
    after, lines = rescue.wait(postfix, None, log, ["A1", "B2"], 1796146100, 30, clock=lambda: 0,
                               sleep=slept.append)
    assert [m["queue_id"] for m in after] == ["B2"] and len(slept) == 1


def test_wait_is_bounded():
    postfix = FakePostfix([[("A1", "deferred")]])
    ticks = iter(range(100))
    after, dummy = rescue.wait(postfix, None, FakeLog([]), ["A1"], 0, 5, clock=lambda: next(ticks),
                               sleep=lambda seconds: None)
    assert [m["queue_id"] for m in after] == ["A1"]
    assert len([c for c in postfix.calls if c[1] == "-j"]) <= 6
