"""The steps of a relocation, from assessment to the end of the stay: each runs the table
(relocation/workflow.py), which locks the row, checks role, access, state and guard, and audits."""

from __future__ import annotations

import datetime
from typing import Any

from ..models import HostInstitution, Relocation
from ..workflow import RELOCATION_WORKFLOW


def relocation_assess(*, relocation: Relocation, by: Any, assessment: str) -> Relocation:
    """The caseworker's assessment is recorded; the relocation goes on to host matching."""
    return RELOCATION_WORKFLOW.run(relocation, "assess", by=by, assessment=assessment)


def relocation_match(*, relocation: Relocation, by: Any, host: HostInstitution, starts_on: datetime.date,
                     ends_on: datetime.date) -> Relocation:
    """A host and the dates of the stay: refused for a family larger than its family places, an end
    before the start, or a stay overlapping others that take all its places."""
    return RELOCATION_WORKFLOW.run(relocation, "match", by=by, host=host, host_id=host.pk, starts_on=starts_on,
                                   ends_on=ends_on)


def relocation_start_residence(*, relocation: Relocation, by: Any) -> Relocation:
    return RELOCATION_WORKFLOW.run(relocation, "start_residence", by=by)


def relocation_extend(*, relocation: Relocation, by: Any, ends_on: datetime.date) -> Relocation:
    """A new end date; past 12 months in all, a coordinator's. The same extension asked twice is
    applied once (its idempotency key is the new end date)."""
    return RELOCATION_WORKFLOW.run(relocation, "extend", by=by, idempotency_key=f"ends_on:{ends_on.isoformat()}",
                                   ends_on=ends_on)


def relocation_end(*, relocation: Relocation, by: Any) -> Relocation:
    return RELOCATION_WORKFLOW.run(relocation, "end", by=by)


def relocation_cancel(*, relocation: Relocation, by: Any, reason: str) -> Relocation:
    """Before the residence starts, with a reason (kept encrypted)."""
    return RELOCATION_WORKFLOW.run(relocation, "cancel", by=by, reason=reason)
