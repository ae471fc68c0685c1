# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_summary: a host's record for the fleet report from the migrate role's registered results (docs: host_summary.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mailops.nbdb.plugins.module_utils._reporting.summary import host_summary


class FilterModule(object):
    def filters(self):
        return {"host_summary": host_summary}
