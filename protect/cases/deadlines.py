"""Deadlines in words, for lists: "due in 5 h", "overdue by 2 d" (short enough for one line)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

HOUR = 3600
DAY = 24 * HOUR


def _span(seconds: float) -> str:
    """Minutes under an hour, hours under two days, then days: rounded down, never "0 h"."""
    if seconds < HOUR:
        return _("%(n)d min") % {"n": max(1, int(seconds // 60))}
    if seconds < 2 * DAY:
        return _("%(n)d h") % {"n": int(seconds // HOUR)}
    return _("%(n)d d") % {"n": int(seconds // DAY)}


def due_phrase(due: datetime, now: datetime) -> str:
    left = (due - now).total_seconds()
    if left >= 0:
        return _("due in %(span)s") % {"span": _span(left)}
    return _("overdue by %(span)s") % {"span": _span(-left)}
