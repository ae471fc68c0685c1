"""Render a page in headless Chromium (Debian's chromium package): the DOM after parsing, and a screenshot."""
import os
import shutil
import subprocess
import tempfile

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-default-apps", "--disable-extensions", "--disable-sync",
         "--no-first-run", "--no-default-browser-check", "--metrics-recording-only", "--mute-audio",
         "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND"]  # no network: a page needing any fails to look right


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("chromium is not installed (scripts/bootstrap.sh installs Debian's chromium package)")
    return path


def _run(args, timeout=120):
    profile = tempfile.mkdtemp(prefix="nbdb-chromium-")
    try:
        proc = subprocess.run([chromium()] + FLAGS + ["--user-data-dir=" + profile] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError("chromium failed (%d): %s" % (proc.returncode, proc.stderr.decode(errors="replace")[-2000:]))
    return proc.stdout.decode("utf-8", "replace")


def dump_dom(page):
    """The serialised DOM of a local page, as Chromium built it."""
    return _run(["--dump-dom", "file://" + os.path.abspath(page)])


def screenshot(page, png, size="1400,900"):
    """Save a PNG screenshot of a local page; returns its path."""
    _run(["--screenshot=" + os.path.abspath(png), "--window-size=" + size, "file://" + os.path.abspath(page)])
    if not os.path.isfile(png):
        raise RuntimeError("chromium wrote no screenshot to %s" % png)
    return png
