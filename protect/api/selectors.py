"""The partner API's reads: a partner sees its own referrals and nothing else; a reference of
another partner is simply not found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from protect.cases.access import case_scope
from protect.cases.models import Case
from protect.cases.registry import case_model
from protect.delivery.models import Delivery

from .models import Referral, WebhookSubscription


def referrals_for(*, partner: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(partner=partner)


def referral_cases(*, partner: Any, referrals: Iterable[Referral]) -> dict[str, Case]:
    """The cases behind a page of referrals, one query per kind, scoped again by the kernel."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for referral in referrals:
        by_type[referral.case_type].append(referral.case_id)
    found: dict[str, Case] = {}
    for label, ids in by_type.items():
        model = case_model(label)
        for case in case_scope(partner, model._default_manager.filter(pk__in=ids)).only(  # type: ignore[misc]
                "id", "reference", "status", "submitted_at", "status_changed_at", "urgency", "referred_by"):
            found[case.reference] = case
    return found


def referral_get(*, partner: Any, reference: str) -> tuple[Referral, Case] | None:
    referral = Referral.objects.filter(partner=partner, reference=(reference or "").strip().upper()).first()
    if referral is None:
        return None
    case = referral_cases(partner=partner, referrals=[referral]).get(referral.reference)
    return None if case is None else (referral, case)


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
