"""Reads of relocations, always scoped by the kernel's case_scope: the board and one relocation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from protect.accounts.permissions import has_any_role
from protect.accounts.roles import PAYERS
from protect.cases.money import to_eur_minor
from protect.cases.selectors import cases_visible_to

from .models import STAGES, BudgetLine, FollowUpCheckIn, HostInstitution, PreparationItem, Relocation, StipendInstalment
from .workflow import stipend_months

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


# --- preparation, budget, stipends, check-ins ----------------------------------------------------


def relocation_checklist(relocation: Relocation) -> list[tuple[str, str, PreparationItem | None]]:
    """(kind, label, item or None) for every item of the checklist, in order; one query."""
    items = {item.kind: item for item in PreparationItem.objects.filter(relocation=relocation)}
    return [(kind, str(label), items.get(kind)) for kind, label in PreparationItem.Kind.choices]


def relocation_budget_lines(relocation: Relocation) -> QuerySet[BudgetLine]:
    return relocation.budget_lines.order_by("created_at", "pk")


def relocation_stipends(relocation: Relocation) -> QuerySet[StipendInstalment]:
    return relocation.stipends.select_related("confirmed_by").order_by("month", "pk")


def relocation_checkin(relocation: Relocation) -> FollowUpCheckIn | None:
    return FollowUpCheckIn.objects.filter(relocation=relocation).select_related("recorded_by").first()


def checkins_due(user: Any, *, limit: int = 50) -> list[FollowUpCheckIn]:
    """Follow-up check-ins not recorded yet on the relocations `user` may see, the earliest due first
    (the board shows them above the stages)."""
    visible = relocations_visible_to(user).values("pk")
    return list(FollowUpCheckIn.objects.filter(done_on__isnull=True, relocation__in=visible)
                .select_related("relocation__defender")
                .only("pk", "due_on", "relocation__reference", "relocation__ends_on", "relocation__defender__pseudonym")
                .order_by("due_on", "pk")[:limit])


def stipends_to_confirm(user: Any) -> list[StipendInstalment]:
    """The payments inbox's relocation section: instalments not confirmed yet, oldest month first, on
    relocations `user` may see (finance: from the arrival on). Pseudonym and amounts only."""
    if not has_any_role(user, PAYERS):
        return []
    visible = relocations_visible_to(user).values("pk")
    return list(StipendInstalment.objects.filter(paid_on__isnull=True, relocation__in=visible)
                .select_related("relocation__defender")
                .only("pk", "month", "people", "amount_minor", "currency", "amount_eur_minor",
                      "relocation__reference", "relocation__country", "relocation__defender__pseudonym")
                .order_by("month", "pk"))


@dataclass(frozen=True)
class Totals:
    """Money of one relocation, or of a year's relocations, in EUR minor units at recorded rates."""

    relocations: int
    people: int  # the defenders and the family members who relocated with them
    planned_eur_minor: int  # one-off lines plus the stipend for everyone over the whole stay
    stipends_written_eur_minor: int  # instalments beat wrote so far
    stipends_paid_eur_minor: int  # of which finance confirmed payment


def _planned(lines: list[BudgetLine], people: int, starts_on: datetime.date | None,
             ends_on: datetime.date | None) -> int:
    total = 0
    months = len(list(stipend_months(starts_on, ends_on))) if starts_on and ends_on else 0
    for line in lines:
        if line.kind == BudgetLine.Kind.STIPEND:
            total += to_eur_minor(line.amount_minor * people * months, line.eur_rate)
        else:
            total += line.amount_eur_minor
    return total


def _totals(relocations: QuerySet[Relocation]) -> Totals:
    rows = list(relocations.annotate(family_count=Count("family", distinct=True))
                .values_list("pk", "starts_on", "ends_on", "family_count"))
    ids = [pk for pk, *_rest in rows]
    lines: dict[int, list[BudgetLine]] = {}
    for line in BudgetLine.objects.filter(relocation_id__in=ids).only(
            "relocation_id", "kind", "amount_minor", "eur_rate", "amount_eur_minor"):
        lines.setdefault(line.relocation_id, []).append(line)
    stipends = StipendInstalment.objects.filter(relocation_id__in=ids).aggregate(
        written=Sum("amount_eur_minor"), paid=Sum("amount_eur_minor", filter=Q(paid_on__isnull=False)))
    people = sum(1 + family for _pk, _s, _e, family in rows)
    planned = sum(_planned(lines.get(pk, []), 1 + family, starts, ends) for pk, starts, ends, family in rows)
    return Totals(relocations=len(rows), people=people, planned_eur_minor=planned,
                  stipends_written_eur_minor=stipends["written"] or 0, stipends_paid_eur_minor=stipends["paid"] or 0)


def relocation_totals(relocation: Relocation) -> Totals:
    """One relocation's people and money (the page has it from a scoped selector already)."""
    return _totals(Relocation.objects.filter(pk=relocation.pk))


def relocation_totals_by_year(relocations: QuerySet[Relocation] | None = None, *,
                              years: list[int] | None = None) -> dict[int, Totals]:
    """Totals per year of the start of the stay, for relocations that got a host (not cancelled):
    aggregates only, for the dashboards (which hide small cells) and the relocation page (which
    passes the relocations its user may see). Three queries per year asked, whatever the count."""
    base = (relocations if relocations is not None else Relocation.objects.all()).filter(
        starts_on__isnull=False).exclude(status=Relocation.Status.CANCELLED)
    if years is None:
        years = sorted({d.year for d in base.dates("starts_on", "year")})
    return {year: _totals(base.filter(starts_on__year=year)) for year in years}
