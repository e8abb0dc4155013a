"""Conditions every kind's table may put on its steps (`when=`): rules on the case itself, shared."""

from __future__ import annotations

from typing import Any

from protect.workflow import WorkflowError

from .models import Case


def when_readable(case: Case, by: Any) -> None:
    """Nothing is added to the file of a defender whose data was erased."""
    if case.defender.is_erased:
        raise WorkflowError("The defender's data was erased; nothing can be added to this case.", code="erased")


def when_has_status_page(case: Case, by: Any) -> None:
    """A question needs somewhere to be read: a requester's status page (a receipt), or the
    referring partner's API."""
    if not case.receipt_index and case.referred_by_id is None:
        raise WorkflowError("This requester has no status page to read a question on.", code="no_status_page")
