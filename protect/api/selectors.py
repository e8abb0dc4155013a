"""The partner API's reads: a partner sees its own referrals and nothing else; a reference of
another partner is simply not found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from protect.cases.access import case_scope
from protect.cases.models import Case
from protect.cases.registry import case_model
from protect.core.sql import column_converters, converted_row, prepared_rows
from protect.delivery.models import Delivery

from .models import Referral, ReferralStatus, WebhookSubscription


def referrals_for(*, partner: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(partner=partner)


STATUS_COLUMNS = ("id", "case_type", "kind", "reference", "status", "urgency", "submitted_at", "status_changed_at")

# A partner's referrals with their cases' status (the view api_referralstatus, migrations 0003 and 0004). A
# referral whose case the partner may no longer see is left out: the kernel lets a partner see the
# cases it referred (protect/cases/access.py case_scope, the case's `referred_by`), the one rule the
# view's rows can be held to.
_STATUS_SQL = (f"SELECT {', '.join(STATUS_COLUMNS)} FROM api_referralstatus "  # noqa: S608 (constant text)
               "WHERE partner_id = %s AND referred_by_id = %s")
# A page along the index (partner, -id): newest first after a position, or oldest first before one
# (a previous page). Every condition is always there, with an open bound when the request names no
# filter, so that one statement per direction serves every request and its position stays an index
# condition.
_PAGE_SQL = {
    newer: f"{_STATUS_SQL} AND (kind = %s OR %s = '') AND created_at >= %s AND created_at < %s "
           f"AND id {'>' if newer else '<'} %s ORDER BY id {'ASC' if newer else 'DESC'} LIMIT %s OFFSET %s"
    for newer in (False, True)
}
_EARLIEST, _LATEST = datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)


def referral_page(*, partner: Any, position: int | None, newer: bool, limit: int, offset: int = 0,
                  kind: str = "", created_after: datetime | None = None,
                  created_before: datetime | None = None) -> list[dict[str, Any]]:
    """Up to `limit` of this partner's referrals as status rows, in one prepared statement: the list
    every partner system polls, whose ORM query cost more to build than to run. From `position` (a
    referral id, exclusive) towards older referrals, newest first, or with `newer` towards newer
    ones, oldest first; filtered by kind and creation time."""
    if position is None:
        position = 0 if newer else 2**63 - 1
    adapt = connection.ops.adapt_datetimefield_value
    rows = prepared_rows(f"protect_api_referral_page_{'newer' if newer else 'older'}", _PAGE_SQL[newer], [
        partner.pk, partner.pk, kind, kind, adapt(created_after or _EARLIEST), adapt(created_before or _LATEST),
        position, limit, offset])
    return _status_rows(rows)


def referral_status(*, partner: Any, reference: str) -> dict[str, Any] | None:
    """One referral's status row, or None when it is not this partner's."""
    rows = prepared_rows("protect_api_referral_status", f"{_STATUS_SQL} AND reference = %s",
                         [partner.pk, partner.pk, (reference or "").strip().upper()])
    return _status_rows(rows)[0] if rows else None  # references are unique


def _status_rows(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Each row with its status told in the partner's words, translated once per kind and status,
    not once per row."""
    sentences: dict[tuple[str, str], str] = {}
    statuses = []
    converters = column_converters(ReferralStatus, _STATUS_FIELDS)  # none on PostgreSQL
    for values in rows:
        row = dict(zip(STATUS_COLUMNS, converted_row(converters, values) if converters else values, strict=True))
        said = (row["case_type"], row["status"])
        if said not in sentences:
            sentences[said] = str(case_model(said[0]).REQUESTER_SENTENCES.get(said[1], ""))
        row["status_text"] = sentences[said]
        statuses.append(row)
    return statuses


_STATUS_FIELDS = tuple(ReferralStatus._meta.get_field(name) for name in STATUS_COLUMNS)


def referral_case(*, partner: Any, reference: str) -> Case | None:
    """The case behind one of this partner's referrals (to read or write its messages), or None."""
    row = referrals_for(partner=partner).filter(reference=(reference or "").strip().upper()).values(
        "case_type", "case_id").first()
    if row is None:
        return None
    model = case_model(row["case_type"])
    return case_scope(partner, model._default_manager.filter(pk=row["case_id"])).first()  # type: ignore[misc]


def referral_messages(*, case: Case) -> QuerySet[Any]:
    """The conversation between the caseworker and the partner (internal notes are never here)."""
    return case.messages.order_by("created_at", "id")  # type: ignore[attr-defined,no-any-return]


def webhooks_for(*, partner: Any) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(partner=partner, deleted_at=None).select_related("endpoint")


def webhook_get(*, partner: Any, pk: int) -> WebhookSubscription | None:
    return webhooks_for(partner=partner).filter(pk=pk).first()


def webhook_deliveries(*, subscription: WebhookSubscription) -> QuerySet[Delivery]:
    return Delivery.objects.filter(endpoint_id=subscription.endpoint_id).only(
        "id", "key", "subject", "message_id", "attempts", "last_error", "created_at", "sent_at", "failed_at",
        "cancelled_at")
