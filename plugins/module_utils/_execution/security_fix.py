# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply the safe, local fixes of security findings: modes, ownership, enable-reindex -> enable-redirect."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.mailops.nbdb.plugins.module_utils._execution.level import set_level


def apply(postfix, item, allow_level_change, check_mode):
    """Fix one finding; returns True when something was (or in check mode would be) changed."""
    fix = item["fix"]
    if fix["action"] == "chmod":
        if check_mode:
            return True
        os.chmod(fix["path"], fix["mode"])
        return True
    if fix["action"] == "chown":
        if check_mode:
            return True
        os.chown(fix["path"], fix["uid"], -1)
        return True
    if fix["action"] == "level" and allow_level_change:
        return set_level(postfix, item["instance"], fix["level"], reload=True, check_mode=check_mode)["changed"]
    return False
