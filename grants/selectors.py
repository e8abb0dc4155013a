"""Reads of grants, always scoped by grants.permissions: the queue, one case, the inboxes."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from protect.accounts.permissions import has_any_role
from protect.accounts.roles import Role
from protect.core.errors import NotFound

from .models import Approval, Disbursement, Grant, GrantFile, Message, Note
from .permissions import VIEW, _assigned_q, can_see_narrative, grants_scope, team_ids_of

QUEUE_PAGE_SIZE = 50
QUEUE_DEFERRED = (
    "incident", "threat", "need_details", "other_funding", "endorsers", "review_note", "decision_note",
    "report_waiver_reason", "defender__legal_name", "defender__aliases", "defender__contacts",
    "defender__secure_channels", "defender__location", "defender__risk_notes", "defender__date_of_birth",
)


def grants_visible_to(user: Any) -> QuerySet[Grant]:
    """Every grant `user` may see, with what a list shows loaded in the same query."""
    base = Grant.objects.select_related("defender", "team", "caseworker")
    return grants_scope(user, base)


def grant_get_for(user: Any, reference: str) -> Grant:
    """One case by its public reference, if `user` may see it; NotFound otherwise (never 'forbidden':
    a stranger must not learn that a reference exists)."""
    grant = grants_visible_to(user).select_related(
        "defender__data_key", "reviewer", "second_approver", "prepared_by", "report_waived_by", "report"
    ).filter(reference=reference).first()
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
        if has_any_role(user, (Role.CASEWORKER, Role.REVIEWER)):
            mine |= _assigned_q(user, VIEW)
        queryset = queryset.filter(mine)
    elif filters.scope == "team":
        queryset = queryset.filter(team_id__in=team_ids_of(user))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    elif filters.open_only:
        queryset = queryset.filter(status__in=Grant.OPEN_STATUSES)
    if filters.urgency:
        queryset = queryset.filter(urgency=filters.urgency)
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper()[:2])
    if filters.need:
        if connection.features.supports_json_field_contains:
            queryset = queryset.filter(needs__contains=[filters.need])
        else:  # SQLite (the demo) has no JSON containment; need codes are plain words, quoted in the list
            queryset = queryset.filter(needs__icontains=f'"{filters.need}"')
    position = _decode_cursor(cursor) if cursor else None
    if position is not None:
        due, pk = position
        queryset = queryset.filter(Q(sla_due_at__gt=due) | Q(sla_due_at=due, pk__gt=pk))
    # The list shows no encrypted column: leaving them out keeps rows narrow and the page cheap.
    queryset = queryset.defer(*QUEUE_DEFERRED)
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
    if not has_any_role(user, (Role.FINANCE, Role.COORDINATOR)):
        return Grant.objects.none()
    return grants_visible_to(user).filter(
        status__in=[Grant.Status.APPROVED, Grant.Status.DISBURSING]
    ).prefetch_related("disbursements").order_by("decided_at", "pk")


# --- one case page: its lists, for a grant already fetched through grant_get_for ----------------
# Each is one query whatever the number of rows; going through the grant's related managers hands
# every row the same grant instance, so decrypting a body needs no further query for its key.


def grant_messages(grant: Grant) -> QuerySet[Message]:
    return grant.messages.select_related("author").order_by("created_at", "pk")


def grant_notes(grant: Grant) -> QuerySet[Note]:
    return grant.notes.select_related("author").order_by("created_at", "pk")


def grant_files_for(user: Any, grant: Grant) -> QuerySet[GrantFile]:
    """The case's files this user may open: finance, who never reads the narrative, sees receipts only."""
    files = grant.files.select_related("file__data_key", "uploaded_by").order_by("created_at", "pk")
    if not can_see_narrative(user):
        files = files.filter(kind=GrantFile.Kind.RECEIPT)
    return files


def grant_disbursements(grant: Grant) -> QuerySet[Disbursement]:
    return grant.disbursements.select_related("recorded_by").order_by("paid_on", "pk")


def grant_approvals(grant: Grant) -> QuerySet[Approval]:
    return grant.approvals.select_related("approver").order_by("created_at", "pk")


def reviewers_for_case(*, by: Any) -> QuerySet[Any]:
    """Who a case can be sent to for review: active reviewers, never the person sending it."""
    from protect.accounts.models import User

    return User.objects.filter(is_active=True, groups__name=Role.REVIEWER).exclude(pk=by.pk).distinct().order_by(
        "username"
    )


def second_approvers_for_case(*, grant: Grant, by: Any) -> QuerySet[Any]:
    """Who may co-sign: active reviewers and coordinators other than the approver and the preparer."""
    from protect.accounts.models import User

    excluded = [pk for pk in (by.pk, grant.prepared_by_id) if pk is not None]
    return User.objects.filter(
        is_active=True, groups__name__in=[Role.REVIEWER, Role.COORDINATOR]
    ).exclude(pk__in=excluded).distinct().order_by("username")
