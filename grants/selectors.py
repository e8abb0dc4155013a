"""Reads of grants, always scoped by grants.permissions: the queue, one case, the inboxes."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from protect.accounts.roles import Role
from protect.core.errors import NotFound

from .models import Grant
from .permissions import VIEW, _assigned_q, grants_scope

QUEUE_PAGE_SIZE = 50


def grants_visible_to(user: Any) -> QuerySet[Grant]:
    """Every grant `user` may see, with what a list shows loaded in the same query."""
    base = Grant.objects.select_related("defender", "team", "caseworker")
    return grants_scope(user, base)


def grant_get_for(user: Any, reference: str) -> Grant:
    """One case by its public reference, if `user` may see it; NotFound otherwise (never 'forbidden':
    a stranger must not learn that a reference exists)."""
    grant = grants_visible_to(user).select_related("defender__data_key", "reviewer", "second_approver").filter(
        reference=reference
    ).first()
    if grant is None:
        raise NotFound("No such case.")
    return grant


@dataclass(frozen=True)
class QueueFilters:
    scope: str = "mine"  # mine | team | all
    status: str = ""
    urgency: str = ""
    country: str = ""
    need: str = ""
    open_only: bool = True


@dataclass(frozen=True)
class QueuePage:
    rows: list[Grant]
    next_cursor: str | None
    now: datetime


def _encode_cursor(grant: Grant) -> str:
    assert grant.sla_due_at is not None
    raw = f"{grant.sla_due_at.isoformat()}|{grant.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|", 1)
        parsed = parse_datetime(when)
        return (parsed, int(pk)) if parsed is not None else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def grant_queue(user: Any, filters: QueueFilters, *, cursor: str = "", limit: int = QUEUE_PAGE_SIZE) -> QueuePage:
    """The caseworker queue: earliest deadline first (so overdue cases lead), keyset-paginated,
    one query whatever the page (the list shows no encrypted field)."""
    queryset = grants_visible_to(user)
    if filters.scope == "mine":
        mine = Q(caseworker=user) | Q(reviewer=user) | Q(second_approver=user)
        if user.groups.filter(name__in=[Role.CASEWORKER, Role.REVIEWER]).exists():
            mine |= _assigned_q(user, VIEW)
        queryset = queryset.filter(mine)
    elif filters.scope == "team":
        queryset = queryset.filter(team__members=user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    elif filters.open_only:
        queryset = queryset.filter(status__in=Grant.OPEN_STATUSES)
    if filters.urgency:
        queryset = queryset.filter(urgency=filters.urgency)
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper()[:2])
    if filters.need:
        queryset = queryset.filter(needs__contains=[filters.need])
    position = _decode_cursor(cursor) if cursor else None
    if position is not None:
        due, pk = position
        queryset = queryset.filter(Q(sla_due_at__gt=due) | Q(sla_due_at=due, pk__gt=pk))
    rows = list(queryset.order_by("sla_due_at", "pk")[: limit + 1])
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return QueuePage(rows=rows[:limit], next_cursor=next_cursor, now=timezone.now())


def grants_to_review(user: Any) -> QuerySet[Grant]:
    """The reviewer's inbox: cases sent to them, for decision or co-signature."""
    return grants_visible_to(user).filter(
        Q(reviewer=user) | Q(second_approver=user), status=Grant.Status.UNDER_REVIEW
    ).order_by("sla_due_at", "pk")


def grants_to_pay(user: Any) -> QuerySet[Grant]:
    """The finance inbox: approved grants not fully paid, oldest decision first."""
    if not user.groups.filter(name__in=[Role.FINANCE, Role.COORDINATOR]).exists():
        return Grant.objects.none()
    return grants_visible_to(user).filter(
        status__in=[Grant.Status.APPROVED, Grant.Status.DISBURSING]
    ).prefetch_related("disbursements").order_by("decided_at", "pk")
