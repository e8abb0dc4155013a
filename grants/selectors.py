"""Reads of grants, always scoped by the kernel's case_scope: the queue, one case, the inboxes."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from protect.accounts.models import User
from protect.accounts.permissions import has_any_role
from protect.accounts.roles import Role
from protect.cases.selectors import (
    QueueFilters,
    QueuePage,
    case_get_for,
    case_queue,
    cases_visible_to,
)

from .models import Approval, Disbursement, Grant

QUEUE_COLUMNS = ("needs",)  # a grant's row shows its kinds of need beside what every case's row shows
PERSONAL = ("reviewer", "second_approver")  # a grant is also "mine" when sent to me for a decision


def grants_visible_to(user: Any) -> QuerySet[Grant]:
    return cases_visible_to(user, Grant)


def grant_get_for(user: Any, reference: str) -> Grant:
    """One case, with what its page reads loaded in the same query (approvals for the page's rules)."""
    approvals = Prefetch("approvals", queryset=Approval.objects.select_related("approver").order_by("created_at", "pk"))
    return case_get_for(user, Grant, reference, related=(
        "reviewer", "second_approver", "prepared_by", "report_waived_by", "report"), prefetch=(approvals,))


def _need_q(need: str) -> Q | None:
    if not need:
        return None
    if connection.features.supports_json_field_contains:
        return Q(needs__contains=[need])
    return Q(needs__icontains=f'"{need}"')  # SQLite (the demo) has no JSON containment; codes are quoted words


def grant_queue(user: Any, filters: QueueFilters, *, need: str = "", cursor: str = "", limit: int = 50,
                count_scopes: tuple[str, ...] = ()) -> QueuePage[Grant]:
    return case_queue(user, Grant, filters, cursor=cursor, limit=limit, narrow=_need_q(need), personal=PERSONAL,
                      columns=QUEUE_COLUMNS, count_scopes=count_scopes)


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


def grant_disbursements(grant: Grant) -> QuerySet[Disbursement]:
    return grant.disbursements.select_related("recorded_by").order_by("paid_on", "pk")


def reviewers_for_case(*, by: Any) -> QuerySet[User]:
    """Who a case can be sent to for review: active reviewers, never the person sending it."""
    return User.objects.filter(is_active=True, groups__name=Role.REVIEWER).exclude(pk=by.pk).distinct().order_by(
        "username"
    )


def second_approvers_for_case(*, grant: Grant, by: Any) -> QuerySet[User]:
    """Who may co-sign: active reviewers and coordinators other than the approver and the preparer."""
    excluded = [pk for pk in (by.pk, grant.prepared_by_id) if pk is not None]
    return User.objects.filter(
        is_active=True, groups__name__in=[Role.REVIEWER, Role.COORDINATOR]
    ).exclude(pk__in=excluded).distinct().order_by("username")


