"""Reads of relocations, always scoped by the kernel's case_scope: the board and one relocation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from protect.cases.selectors import cases_visible_to

from .models import STAGES, HostInstitution, Relocation

BOARD_DEFERRED = ("risk", "why_relocation", "preferred_country", "why_country", "visa_plan", "travel_security_plan",
                  "planned_activities", "other_funders", "return_strategy", "assessment", "cancel_reason")
BOARD_PER_STAGE = 50  # the board shows the most urgent of each stage; the queue pages the rest


def relocations_visible_to(user: Any) -> QuerySet[Relocation]:
    return cases_visible_to(user, Relocation)


def relocation_board(user: Any) -> list[tuple[str, str, list[Relocation]]]:
    """(status, label, relocations) per stage, in the order of the workflow, each stage in deadline
    order: one query per stage, each an index range scan on (status, deadline)."""
    labels = dict(Relocation.Status.choices)
    visible = relocations_visible_to(user).select_related("host").defer(*BOARD_DEFERRED)
    return [(stage, str(labels[stage]),
             list(visible.filter(status=stage).order_by("sla_due_at", "pk")[:BOARD_PER_STAGE]))
            for stage in STAGES]


def hosts_for_matching() -> QuerySet[HostInstitution]:
    """Host institutions a caseworker may choose (their public facts; no relocation is read)."""
    return HostInstitution.objects.filter(is_active=True).order_by("organisation", "pk")
