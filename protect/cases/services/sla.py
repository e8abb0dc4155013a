"""The SLA sweep, for every kind: a case still awaiting a decision near or past its deadline is
escalated to its team's coordinator, once per threshold. A kind with deadlines of its own (a
relocation's preparation before the start of the stay) adds them with `on_sla_sweep`, so one beat
task sweeps every deadline and no kind keeps a second sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from protect.audit.services import log_event
from protect.delivery.services import delivery_email
from protect.workflow import workflow_for

from ..models import Case, CaseEscalation
from ..registry import case_models

T = CaseEscalation.Threshold

SweepHook = Callable[[datetime], int]  # (now) -> how many warnings it sent; must be safe to run twice
_HOOKS: list[SweepHook] = []


def on_sla_sweep(hook: SweepHook) -> None:
    """Run `hook` in every SLA sweep, after the answer deadlines (a kind registers it in ready())."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)


def cases_sweep_sla(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(_sweep(model, now) for model in case_models()) + sum(hook(now) for hook in _HOOKS)


def _sweep(model: type[Case], now: datetime) -> int:
    candidates = (
        model._default_manager.filter(  # type: ignore[misc]  # every concrete kind has `escalations`
            status__in=workflow_for(model).group("awaiting_decision"), sla_near_at__lte=now)
        .exclude(escalations__threshold=T.OVERDUE)
        .exclude(Q(escalations__threshold=T.NEAR) & Q(sla_due_at__gt=now))
        .values_list("pk", "sla_due_at")
    )
    escalated = 0
    for case_id, due in candidates.iterator(chunk_size=500):
        if _escalate(model, case_id, T.OVERDUE if now >= due else T.NEAR):
            escalated += 1
    return escalated


def _escalate(model: type[Case], case_id: int, threshold: str) -> bool:
    escalations = model._meta.get_field("escalations").related_model  # type: ignore[misc]
    try:
        with transaction.atomic():
            case = model._default_manager.select_related("team__coordinator").get(pk=case_id)  # type: ignore[misc]
            _, created = escalations.objects.get_or_create(case=case, threshold=threshold)  # type: ignore[union-attr]
            if not created:
                return False
            log_event(f"{case._meta.label_lower}.escalated_{threshold}", actor=None, target=case,
                      data={"threshold": threshold})
            coordinator = case.team.coordinator if case.team is not None else None
            if coordinator is not None:
                what = "is past its deadline" if threshold == T.OVERDUE else "nears its deadline"
                delivery_email(key=f"{case._meta.app_label}.escalated:{case.pk}:{threshold}", to=coordinator.email,
                               subject=f"Case {case.reference} {what}",
                               body=f"Case {case.reference} {what}. Open it in Protect: {case.get_absolute_url()}\n")
            return True
    except IntegrityError:
        return False  # a concurrent sweep escalated it
