"""From the controller: is Postfix accepting connections on port 25? A TCP connect every few milliseconds."""
import socket
import threading
import time


class Probe:
    """Context manager: connects to ip:25 every `interval` s; afterwards `outage` (longest time from the
    first refused or failed attempt to the next one that was not, s), `failures`, `slow` and `attempts`."""

    def __init__(self, address, port=25, interval=0.005, banner=False):
        self.address, self.port, self.interval, self.banner = address, port, interval, banner
        self.samples = []  # (monotonic time, ok)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _try(self):
        """True when served; "slow" when the connect timed out (a full listen queue, which a real client waits
        out); False when refused or failed."""
        try:
            with socket.create_connection((self.address, self.port), timeout=1.0) as sock:
                if self.banner:
                    return sock.recv(4).startswith(b"220")
            return True
        except socket.timeout:
            return "slow"
        except OSError:
            return False

    def _loop(self):
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self._try()))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)

    @property
    def attempts(self):
        return len(self.samples)

    @property
    def failures(self):
        return sum(1 for dummy, ok in self.samples if ok is False)

    @property
    def slow(self):
        return sum(1 for dummy, ok in self.samples if ok == "slow")

    @property
    def outage(self):
        """Longest stretch without service, s (to the end of sampling when it never came back)."""
        longest, down_since = 0.0, None
        for moment, ok in self.samples:
            if ok is False and down_since is None:
                down_since = moment
            elif ok is not False and down_since is not None:
                longest, down_since = max(longest, moment - down_since), None
        if down_since is not None:
            longest = max(longest, self.samples[-1][0] - down_since)
        return longest

    def summary(self):
        return {"outage_s": round(self.outage, 4), "failed_connects": self.failures, "slow_connects": self.slow,
                "attempts": self.attempts}
