# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The switch window: everything slow happens before Postfix stops; inside it only files are renamed.

Before the window, for every instance: plan the rewrite (db_types logic), apply the level change to
the new text on a scratch copy (what ``postfix non-bdb`` does, without its proactive reindex), and
make sure every legacy table's new file exists with the source's content (built now if not). The
window is then: stop (restart mode; Postfix's start-up checks already ran, see service.py) -> rename the
new main.cf/master.cf into place (dated back, see config_write.write_atomic) -> start, or, in reload mode, rename ->
``postfix reload`` with no stop at all. Afterwards postconf must show no legacy reference and Postfix
must run; otherwise the old files go back and Postfix is restarted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import PostfixCommandError
from ansible_collections.mailops.nbdb.plugins.module_utils._commands import cool_down
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import config_write
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import reindex as reindexing
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.level import REINDEX_SERVICE_NAME
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.service import ServiceError
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.switch import leftover, plan_switch
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import rewrite


class WindowError(NbdbError):
    """The switched configuration failed; the old one was put back and Postfix restarted."""


def with_level(postfix, main_text, master_text, level):
    """The two texts after ``postfix non-bdb level`` (level disable or enable-redirect)."""
    scratch = tempfile.mkdtemp(prefix="nbdb-window-")
    try:
        for name, text in (("main.cf", main_text), ("master.cf", master_text)):
            with open(os.path.join(scratch, name), "wb") as handle:
                handle.write(text.encode(*config_write.ENCODING))
            cool_down(os.path.join(scratch, name))
        # master.cf first: postconf reads main.cf, and would wait for it to cool down after the main.cf edit
        postfix.postconf(scratch, "-MX", REINDEX_SERVICE_NAME, what="preparing the level change")
        if level == "disable":
            postfix.postconf(scratch, "-X", "non_bdb_migration_level", what="preparing the level change")
        else:
            postfix.postconf(scratch, "-e", "non_bdb_migration_level=" + level, what="preparing the level change")
        return config_write.read(os.path.join(scratch, "main.cf")), config_write.read(os.path.join(scratch, "master.cf"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def plan_instance(postfix, config_dir, options):
    """(before texts, after texts, rewrites, legacy tables) of one instance; nothing is written."""
    snapshot, refs, planned, before, after = plan_switch(
        postfix, config_dir, options["database_type"], options["cache_db_type"], options["exclude"])
    main, master = after[snapshot.main_cf], after[snapshot.master_cf]
    version = postfix.postconf(config_dir, "-dh", "mail_version").strip()
    if options["level"] != "keep" and host.has_levels(version):
        main, master = with_level(postfix, main, master, options["level"])
    tables = sorted({(ref["type"], ref["path"]) for ref in refs if not rewrite.is_excluded(ref, options["exclude"])})
    return {"config_dir": config_dir, "before": before, "after": {snapshot.main_cf: main, snapshot.master_cf: master},
            "rewritten": len(planned["replacements"]) + len(planned["settings"]), "tables": tables}


def prepare_tables(postfix, plan, options, check_mode):
    """Make sure each legacy table's new file matches its source before the window (build if not)."""
    context = host.table_context(postfix, plan["config_dir"], options["database_type"], options["cache_db_type"])
    results = []
    for map_type, path in plan["tables"]:
        request = reindexing.Request("%s:%s" % (map_type, path), context,
                                     disagreement=options.get("disagreement"))
        request.prebuilt_settled = True
        results.append(reindexing.reindex(postfix, request, check_mode)[0])
    return results


def run_window(postfix, service, plans, mode, start_stopped=False):
    """Write every instance's new files with Postfix stopped (restart) or then reload; returns seconds down.

    A Postfix that was not running (a standby MX, a host in maintenance) is left stopped unless start_stopped.
    """
    changed = [(path, plan["after"][path]) for plan in plans for path in plan["after"]
               if plan["after"][path] != plan["before"][path]]
    before = {path: plan["before"][path] for plan in plans for path in plan["before"]}
    was_running = service.running()
    if mode == "restart" and was_running:
        try:
            service.prepare_start([plan["config_dir"] for plan in plans])
        except (ServiceError, PostfixCommandError, OSError) as exc:
            service.clear_quick_start()
            raise WindowError("Postfix's start-up check failed before the stop; nothing was changed: %s" % exc)
    started = time.monotonic()
    try:
        if mode == "restart" and was_running:
            service.stop()
        config_write.write_all_or_none(changed, before)
        if mode == "reload" and was_running:
            service.reload()
        elif was_running or start_stopped:
            service.start()
    except (NbdbError, OSError) as exc:
        _restore_after(service, plans, was_running, str(exc))
    if not (was_running or start_stopped):
        return 0.0
    return time.monotonic() - started if mode == "restart" or not was_running else 0.0


def restore(service, plans, start=True):
    """Put every instance's previous main.cf/master.cf back (those the plan changes) and (re)start Postfix on them
    (start: it ran before). A file that cannot be put back is reported after Postfix was started: both the old
    and the new tables exist at this point, so mail flows on either configuration."""
    service.clear_quick_start()
    failed = []
    for plan in plans:
        for path, text in plan["before"].items():
            if plan["after"].get(path, text) == text:
                continue  # never written
            try:
                config_write.write_atomic(path, text)
            except (NbdbError, OSError) as exc:
                failed.append(str(exc))  # the others still go back
    if service.running():
        service.stop()
    if start:
        service.start()
    if failed:
        raise WindowError("restoring the previous configuration failed: %s" % "; ".join(failed))


def verify_or_restore(postfix, service, plans, options, expect_running=True, was_running=True):
    problems = []
    for plan in plans:
        problems += leftover(postfix, plan["config_dir"], options["exclude"])
    if expect_running and not service.running():
        problems.append("Postfix is not running after the switch")
    if not problems:
        return
    _restore_after(service, plans, was_running, "; ".join(problems))


def _restore_after(service, plans, was_running, cause):
    """restore, then raise the WindowError that says why and what was restored."""
    try:
        restore(service, plans, start=was_running)
    except WindowError as exc:
        raise WindowError("switch failed (%s), and %s" % (cause, exc))
    raise WindowError("switch failed (%s); the previous main.cf/master.cf were restored and Postfix %s"
                      % (cause, "restarted" if was_running else "left stopped"))
