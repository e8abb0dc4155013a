"""The partner API's reads: a partner sees its own referrals and nothing else; a reference of
another partner is simply not found."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet

from protect.cases.access import case_scope
from protect.cases.models import Case
from protect.cases.registry import case_model
from protect.delivery.models import Delivery

from .models import Referral, ReferralStatus, WebhookSubscription


def referrals_for(*, partner: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(partner=partner)


STATUS_COLUMNS = ("id", "case_type", "kind", "reference", "status", "urgency", "submitted_at", "status_changed_at")


def referral_page_rows(*, partner: Any, **where: Any) -> QuerySet[ReferralStatus, dict[str, Any]]:
    """This partner's referrals with their cases' status, as plain rows, in one query: the list
    every partner system polls. A referral whose case the partner may no longer see is left out:
    the kernel lets a partner see the cases it referred (protect/cases/access.py case_scope, the
    case's `referred_by`), the one rule the view's rows can be held to."""
    return ReferralStatus.objects.filter(partner_id=partner.pk, referred_by_id=partner.pk, **where).values(
        *STATUS_COLUMNS)


def referral_statuses(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each row of a page with its status told in the partner's words, translated once per kind and
    status, not once per row."""
    sentences: dict[tuple[str, str], str] = {}
    statuses = []
    for row in rows:
        said = (row["case_type"], row["status"])
        if said not in sentences:
            sentences[said] = str(case_model(said[0]).REQUESTER_SENTENCES.get(said[1], ""))
        statuses.append({**row, "status_text": sentences[said]})
    return statuses


def referral_status(*, partner: Any, reference: str) -> dict[str, Any] | None:
    """One referral's status row, or None when it is not this partner's."""
    rows = referral_statuses(referral_page_rows(partner=partner, reference=(reference or "").strip().upper()))
    return rows[0] if rows else None  # references are unique


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
