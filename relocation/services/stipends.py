"""Monthly stipends: beat writes each month's instalment for every relocation in residence, finance
confirms it in the payments inbox. One instalment per relocation and month, held by a unique
constraint: a task run twice, or redelivered after its worker was killed mid-run, writes nothing twice."""

from __future__ import annotations

import datetime
from itertools import takewhile
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from protect.audit.services import log_event
from protect.cases.money import to_eur_minor
from protect.core.errors import Conflict

from ..errors import RelocationError
from ..models import IN_STAY, BudgetLine, Relocation, StipendInstalment
from ..workflow import RELOCATION_WORKFLOW, stipend_months

# A stay ended before beat wrote its last month: still caught up this long after the end.
CATCH_UP_AFTER_END = datetime.timedelta(days=62)


def people_of(relocation: Relocation) -> int:
    """Everyone who relocated: the defender and the family members with them."""
    return 1 + relocation.family.count()


def relocations_create_stipends(*, today: datetime.date | None = None) -> int:
    """Beat's entry (relocation.create_stipends): every stipend month begun by `today`, for each
    relocation in residence with a stipend line. Returns how many instalments it wrote."""
    today = today or timezone.localdate()
    recently_ended = Q(status=Relocation.Status.ENDED,
                       ended_at__gte=timezone.now() - CATCH_UP_AFTER_END)
    ids = (Relocation.objects.filter(Q(status__in=IN_STAY) | recently_ended, starts_on__lte=today,
                                     budget_lines__kind=BudgetLine.Kind.STIPEND)
           .order_by("pk").values_list("pk", flat=True))
    return sum(relocation_create_stipends(relocation_id=pk, today=today) for pk in ids)


def relocation_create_stipends(*, relocation_id: int, today: datetime.date) -> int:
    """One relocation's missing instalments, in one transaction with its row locked (a family
    member added meanwhile waits). State is read again here, never trusted from the caller."""
    with transaction.atomic():
        relocation = Relocation.objects.select_for_update().get(pk=relocation_id)
        line = relocation.budget_lines.filter(kind=BudgetLine.Kind.STIPEND).first()
        if line is None or relocation.starts_on is None or relocation.ends_on is None:
            return 0
        if relocation.status in IN_STAY:
            last = today
        elif relocation.status == Relocation.Status.ENDED and relocation.ended_at is not None:
            last = min(today, relocation.ended_at.date())
        else:
            return 0
        people = people_of(relocation)
        amount_minor = line.amount_minor * people
        written = 0
        for month in takewhile(lambda begins: begins <= last, stipend_months(relocation.starts_on, relocation.ends_on)):
            instalment, created = StipendInstalment.objects.get_or_create(
                relocation=relocation, month=month,
                defaults={"people": people, "amount_minor": amount_minor, "currency": line.currency,
                          "eur_rate": line.eur_rate, "amount_eur_minor": to_eur_minor(amount_minor, line.eur_rate)})
            if created:
                written += 1
                log_event("relocation.stipend.created", actor=None, target=relocation,
                          data={"instalment_id": instalment.pk, "month": month.isoformat(), "people": people,
                                "amount_minor": amount_minor, "currency": line.currency})
        return written


def relocation_confirm_stipend(*, relocation: Relocation, by: Any, instalment_id: int,
                               paid_on: datetime.date) -> StipendInstalment:
    """Finance confirms that a month's stipend was paid. Confirming it again with the same date (a
    double click, a retry) changes nothing; with another date it is refused."""
    if paid_on > timezone.localdate():
        raise RelocationError("The payment date cannot be in the future.", code="paid_on", field="paid_on")
    with RELOCATION_WORKFLOW.acting(relocation, "confirm_stipend", by=by) as locked:
        instalment = StipendInstalment.objects.select_for_update().filter(relocation=locked, pk=instalment_id).first()
        if instalment is None:
            raise RelocationError("No such stipend on this relocation.", code="no_stipend", field="instalment")
        if instalment.paid_on is not None:
            if instalment.paid_on == paid_on:
                return instalment
            raise Conflict(f"This stipend was confirmed already, as paid on {instalment.paid_on:%Y-%m-%d}.",
                           code="stipend_confirmed")
        instalment.paid_on, instalment.confirmed_by, instalment.confirmed_at = paid_on, by, timezone.now()
        instalment.save(update_fields=["paid_on", "confirmed_by", "confirmed_at"])
        log_event("relocation.stipend.confirmed", actor=by, target=locked,
                  data={"instalment_id": instalment.pk, "month": instalment.month.isoformat(),
                        "amount_minor": instalment.amount_minor, "currency": instalment.currency})
    return instalment
