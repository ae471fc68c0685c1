# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One error family: every error the collection raises on purpose derives from NbdbError.

Each module catches HANDLED in one place and fails with message(exc), so a newly added error class, an OSError or a
UnicodeError becomes a message naming the file or table, never a traceback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class NbdbError(Exception):
    """Base of the collection's errors; str() is a message for the administrator."""


HANDLED = (NbdbError, OSError, UnicodeError)


def message(exc):
    """The administrator's message for a handled error (OSError's str() already names the file)."""
    if isinstance(exc, UnicodeError) and not isinstance(exc, NbdbError):
        return "undecodable text: %s" % exc
    return str(exc)
