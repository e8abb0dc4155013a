"""A plain step of a kind's table, taken from a page or the API: the engine runs it (reject, refer,
withdraw, close…); steps with more to them have a use case of their own in the kind's services."""

from __future__ import annotations

from typing import Any, TypeVar

from protect.workflow import workflow_for

from ..models import Case

C = TypeVar("C", bound=Case)


def case_transition(*, case: C, by: Any, action: str, **params: Any) -> C:
    return workflow_for(type(case)).run(case, action, by=by, **params)
