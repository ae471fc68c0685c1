# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Set the migration level with the real ``postfix non-bdb``, deciding "changed" by file content.

``postfix non-bdb LEVEL`` rewrites main.cf and master.cf on every run, so it is run only when the
content must change. The content it would produce is predicted by doing what the command does
(``postconf -e/-X non_bdb_migration_level``, ``postconf -Me/-MX nbdb_reindex/unix``) on a
scratch copy of the two files.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile
import time

from ansible_collections.mailops.nbdb.plugins.module_utils._errors import NbdbError
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import host
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.security_state import REINDEX_SINCE_DIR, reindex_marker
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery.values import LEGACY_TYPES
from ansible_collections.mailops.nbdb.plugins.module_utils._execution.config_write import read

REINDEX_SERVICE_NAME = "nbdb_reindex/unix"
REINDEX_SERVICE = REINDEX_SERVICE_NAME + "=nbdb_reindex unix y n n - 1 nbdb_reindexd"


class LevelError(NbdbError):
    """The level cannot be set; str() says why and what to do instead."""


def check_transition(version, current, wanted, database_type, cache_db_type):
    if not host.has_levels(version):
        if wanted == "disable":
            return False
        raise LevelError("Postfix %s has no migration levels (they came with 3.11), so %s is not possible here;"
                         " switch the defaults and rebuild the tables instead (mailops.nbdb.db_types and"
                         " mailops.nbdb.table_reindex), which needs no level" % (version, wanted))
    if current == "invalid":
        raise LevelError("non_bdb_migration_level in main.cf is not a valid level, and Postfix commands refuse to run;"
                         " repair it with: postconf -X non_bdb_migration_level")
    if wanted != "disable":
        legacy = [name for name, value in (("default_database_type", database_type),
                                           ("default_cache_db_type", cache_db_type)) if value in LEGACY_TYPES]
        if legacy:
            raise LevelError("%s still resolve(s) to a Berkeley DB type (postconf -x: %s/%s); at %s every hash:/btree:"
                             " open would fail. Switch the defaults first (mailops.nbdb.db_types)"
                             % (" and ".join(legacy), database_type, cache_db_type, wanted))
    if wanted == "enable-reindex" and current == "disable":
        raise LevelError("going from disable straight to enable-reindex would reindex into Berkeley DB files; set"
                         " enable-redirect first (after the defaults are switched), then enable-reindex")
    return True


def predict(postfix, config_dir, wanted):
    """(main.cf, master.cf) text that ``postfix non-bdb wanted`` would leave."""
    scratch = tempfile.mkdtemp(prefix="nbdb-level-")
    try:
        for name in ("main.cf", "master.cf"):
            shutil.copy2(os.path.join(config_dir, name), os.path.join(scratch, name))
        if wanted == "disable":
            postfix.postconf(scratch, "-X", "non_bdb_migration_level", what="predicting the level change")
        else:
            postfix.postconf(scratch, "-e", "non_bdb_migration_level=" + wanted, what="predicting the level change")
        if wanted == "enable-reindex":
            postfix.postconf(scratch, "-Me", REINDEX_SERVICE, what="predicting the level change")
        else:
            postfix.postconf(scratch, "-MX", "nbdb_reindex/unix", what="predicting the level change")
        return read(os.path.join(scratch, "main.cf")), read(os.path.join(scratch, "master.cf"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def record_reindex_start(config_dir, active):
    """Remember when enable-reindex was turned on (security_check measures its age from this)."""
    marker = reindex_marker(config_dir)
    if active:
        if not os.path.isdir(REINDEX_SINCE_DIR):
            os.makedirs(REINDEX_SINCE_DIR, 0o755)
        with open(marker, "w") as handle:
            handle.write("%d\n" % time.time())
    elif os.path.exists(marker):
        os.unlink(marker)


def has_reindex_service(postfix, config_dir):
    return bool(postfix.postconf(config_dir, "-M", "nbdb_reindex/unix").strip())


def set_level(postfix, config_dir, wanted, reload=False, check_mode=False):
    config_dir = host.config_dir_or_default(postfix, config_dir)
    version = postfix.postconf(config_dir, "-dh", "mail_version").strip()
    current = host.migration_level(postfix, config_dir, version)[0]
    types = postfix.postconf(config_dir, "-xh", "default_database_type").strip(), (
        postfix.postconf(config_dir, "-xh", "default_cache_db_type").strip() if host.has_levels(version) else None)
    result = {"changed": False, "config_dir": config_dir, "version": version, "previous_level": current,
              "level": current, "reloaded": False, "diff": []}
    if not check_transition(version, current, wanted, types[0], types[1]):
        result["msg"] = "Postfix %s has no migration levels; nothing to do for disable" % version
        result["nbdb_reindex_service"] = False
        return result
    paths = [os.path.join(config_dir, "main.cf"), os.path.join(config_dir, "master.cf")]
    before = [read(path) for path in paths]
    after = list(predict(postfix, config_dir, wanted))
    if after != before and not check_mode:
        postfix.run("postfix", ["non-bdb", wanted], config_dir, what="setting migration level %s" % wanted)
        after = [read(path) for path in paths]
    result["changed"] = after != before
    result["level"] = wanted
    result["diff"] = [{"before_header": path, "after_header": path, "before": old, "after": new}
                      for path, old, new in zip(paths, before, after) if old != new]
    result["nbdb_reindex_service"] = has_reindex_service(postfix, config_dir) if not check_mode else (
        "\nnbdb_reindex " in "\n" + after[1])
    if result["changed"] and not check_mode:
        record_reindex_start(config_dir, wanted == "enable-reindex")
    if result["changed"] and reload and not check_mode:
        if postfix.run("postfix", ["status"], config_dir, check=False)[0] == 0:
            postfix.run("postfix", ["reload"], config_dir, what="reloading Postfix for the new level")
            result["reloaded"] = True
    return result
