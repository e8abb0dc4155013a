"""The preparation checklist (visa, travel booked, insurance, arrival contact), and the warning the
SLA sweep sends the caseworker when the start of the stay nears with items still open."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse
from protect.delivery.services import delivery_email

from ..errors import RelocationError
from ..models import PreparationItem, PreparationWarning, Relocation
from ..workflow import RELOCATION_WORKFLOW

Kind = PreparationItem.Kind
Dates = tuple[datetime.date | None, datetime.date | None]  # (due on, done on)


def open_preparation_kinds(items: list[PreparationItem]) -> list[str]:
    """The checklist's kinds not done yet (an item never written is open too), in checklist order."""
    done = {item.kind for item in items if item.done_on is not None}
    return [kind for kind in Kind.values if kind not in done]


def relocation_update_checklist(*, relocation: Relocation, by: Any,
                                items: Mapping[str, Dates]) -> list[PreparationItem]:
    """Set each item's due and done dates. Sending the same dates again changes nothing."""
    unknown = set(items) - set(Kind.values)
    if unknown:
        raise RelocationError("Choose checklist items from the list.", code="checklist_kind", field="checklist")
    today = timezone.localdate()
    for kind, (_due_on, done_on) in items.items():
        if done_on is not None and done_on > today:
            raise RelocationError("A checklist item cannot be done on a date in the future.", code="done_in_future",
                                  field=f"{kind}_done_on")
    with RELOCATION_WORKFLOW.acting(relocation, "update_checklist", by=by) as locked:
        existing = {item.kind: item for item in PreparationItem.objects.select_for_update().filter(relocation=locked)}
        changed = []
        for kind, (due_on, done_on) in items.items():
            row = existing.get(kind)
            if row is None and due_on is None and done_on is None:
                continue
            if row is not None and (row.due_on, row.done_on) == (due_on, done_on):
                continue
            row = row or PreparationItem(relocation=locked, kind=kind)
            row.due_on, row.done_on = due_on, done_on
            clean_or_refuse(row, validate_unique=False)
            row.save()
            existing[kind] = row
            changed.append(kind)
        if changed:
            log_event("relocation.preparation.updated", actor=by, target=locked,
                      data={"changed": changed, "open": open_preparation_kinds(list(existing.values()))})
    return sorted(existing.values(), key=lambda item: Kind.values.index(item.kind))


# --- the SLA sweep's hook (registered in apps.py) ----------------------------------------------


def _threshold(days_left: int) -> int | None:
    """The tightest warning threshold reached: a sweep that first runs 2 days before a start sends
    the 3-day warning, not a late 14-day one as well."""
    reached = [days for days in settings.PROTECT_RELOCATION_PREPARATION_WARN_DAYS if days >= days_left]
    return min(reached) if reached else None


def relocations_warn_preparation(now: datetime.datetime) -> int:
    """Warn the caseworker of each relocation in preparation whose start is within a threshold
    (PROTECT_RELOCATION_PREPARATION_WARN_DAYS) while checklist items are open: once per relocation
    and threshold, whatever the number of sweeps."""
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=max(settings.PROTECT_RELOCATION_PREPARATION_WARN_DAYS))
    candidates = (Relocation.objects.filter(status=Relocation.Status.PREPARING, starts_on__lte=horizon)
                  .annotate(done=Count("preparation", filter=Q(preparation__done_on__isnull=False)))
                  .filter(done__lt=len(Kind.values))
                  .values_list("pk", "starts_on"))
    warned = 0
    for relocation_id, starts_on in candidates.iterator(chunk_size=500):
        assert starts_on is not None  # matched: preparing has its dates
        threshold = _threshold((starts_on - today).days)
        if threshold is not None and _warn(relocation_id, threshold, today):
            warned += 1
    return warned


def _warn(relocation_id: int, days_before: int, today: datetime.date) -> bool:
    try:
        with transaction.atomic():
            relocation = (Relocation.objects.select_for_update(of=("self",))
                          .select_related("caseworker", "team__coordinator").get(pk=relocation_id))
            still_open = open_preparation_kinds(list(relocation.preparation.all()))
            if relocation.status != Relocation.Status.PREPARING or not still_open:
                return False  # done or moved on since the candidates were read
            _, created = PreparationWarning.objects.get_or_create(relocation=relocation, days_before=days_before)
            if not created:
                return False
            log_event("relocation.relocation.preparation_warned", actor=None, target=relocation,
                      data={"days_before": days_before, "open": still_open})
            assert relocation.starts_on is not None
            recipient = relocation.caseworker or (relocation.team.coordinator if relocation.team else None)
            if recipient is not None:
                labels = ", ".join(str(Kind(kind).label) for kind in still_open)
                days_left = (relocation.starts_on - today).days
                delivery_email(
                    key=f"relocation.preparation:{relocation.pk}:{days_before}", to=recipient.email,
                    subject=f"Relocation {relocation.reference} starts in {days_left} days: preparation open",
                    body=(f"Relocation {relocation.reference} starts on {relocation.starts_on:%Y-%m-%d} and these "
                          f"preparation items are not done: {labels}.\n"
                          f"Open it in Protect: {relocation.get_absolute_url()}\n"),
                )
            return True
    except IntegrityError:
        return False  # a concurrent sweep warned first
