"""The partner API's reads: a partner sees its own referrals and nothing else; a reference of
another partner is simply not found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet

from protect.cases.access import case_scope
from protect.cases.models import Case
from protect.cases.registry import case_model
from protect.delivery.models import Delivery

from .models import Referral, WebhookSubscription


def referrals_for(*, partner: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(partner=partner)


REFERRAL_PAGE_COLUMNS = ("id", "case_type", "case_id", "kind", "reference")
CASE_STATUS_COLUMNS = ("id", "reference", "status", "urgency", "submitted_at", "status_changed_at")


def referral_page_rows(*, partner: Any) -> QuerySet[Referral, dict[str, Any]]:
    """This partner's referrals as plain rows (what a page of the list needs, nothing more): a read
    that every partner system polls should not build a model per row."""
    return referrals_for(partner=partner).values(*REFERRAL_PAGE_COLUMNS)


def referral_statuses(*, partner: Any, referrals: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The status of each referral of a page, in the page's order: one query per kind of case,
    scoped again by the kernel (a referral whose case the partner may no longer see is left out).
    Each status is told in the partner's words, translated once per status, not once per row."""
    referrals = list(referrals)
    by_type: dict[str, list[int]] = defaultdict(list)
    for referral in referrals:
        by_type[referral["case_type"]].append(referral["case_id"])
    found: dict[str, dict[str, Any]] = {}
    for label, ids in by_type.items():
        model = case_model(label)
        sentences: dict[str, str] = {}
        for case in case_scope(partner, model._default_manager.filter(pk__in=ids)).values(  # type: ignore[misc]
                *CASE_STATUS_COLUMNS):
            status = case["status"]
            if status not in sentences:
                sentences[status] = str(model.REQUESTER_SENTENCES.get(status, ""))
            found[case["reference"]] = case | {"status_text": sentences[status]}
    return [found[r["reference"]] | {"kind": r["kind"]} for r in referrals if r["reference"] in found]


def referral_status(*, partner: Any, reference: str) -> dict[str, Any] | None:
    """One referral's status row, or None when it is not this partner's."""
    row = referral_page_rows(partner=partner).filter(reference=(reference or "").strip().upper()).first()
    statuses = [] if row is None else referral_statuses(partner=partner, referrals=[row])
    return statuses[0] if statuses else None


def referral_case(*, partner: Any, reference: str) -> Case | None:
    """The case behind one of this partner's referrals (to read or write its messages), or None."""
    row = referral_page_rows(partner=partner).filter(reference=(reference or "").strip().upper()).first()
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
