# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""lock_abandoned: the holder of a host's lock whose run on this controller is gone (docs: lock_abandoned.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._planning.lock import abandoned_holder


class FilterModule(object):
    def filters(self):
        return {"lock_abandoned": abandoned_holder}
