# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""record_detail: the per-host detail of the fleet report from the role's registered results (docs: record_detail.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting.detail import record_detail


class FilterModule(object):
    def filters(self):
        return {"record_detail": record_detail}
