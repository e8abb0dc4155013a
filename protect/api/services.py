"""The partner API's writes. Each calls the kind's own service (which holds every rule) and keeps
only the API's bookkeeping: the referral index, idempotent answers, web hook subscriptions, and the
status web hooks a transition queues."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from grants.services.intake import RequestDetails, grant_refer_from_partner
from protect.audit.services import log_event
from protect.cases.models import Case
from protect.cases.services.casefile import case_requester_reply
from protect.crypto.models import DataKey
from protect.delivery.services import delivery_webhook, webhook_endpoint_create
from relocation.services.intake import ApplicationDetails, relocation_refer_from_partner

from .errors import ApiError, IdempotencyKeyReused
from .models import IdempotentRequest, Referral, TokenRequest, WebhookSubscription

MAX_KEY_LENGTH = 255


# --- idempotency -----------------------------------------------------------------------------------


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


def idempotent(*, partner: Any, key: str, fingerprint: str,
               produce: Callable[[], tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
    """Run `produce` once per (partner, key): the same key with the same request gets the first
    answer again; with another request, a 422. The key's row is inserted first, in the same
    transaction as the work: a concurrent twin waits on it, then reads the committed answer; a
    refused request (an error) rolls back and keeps nothing, so it may be corrected and retried."""
    key = (key or "").strip()
    if not key:
        raise ApiError("Send an Idempotency-Key header with every POST (a UUID is fine).",
                       code="idempotency_key_required", field="Idempotency-Key")
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiError("The Idempotency-Key must be printable ASCII, 255 characters at most.",
                       code="idempotency_key_invalid", field="Idempotency-Key")
    oldest = timezone.now() - timedelta(hours=settings.PROTECT_API_IDEMPOTENCY_HOURS)
    with transaction.atomic():
        _forget(IdempotentRequest.objects.filter(partner=partner, key=key, created_at__lt=oldest))
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(partner=partner, key=key, fingerprint=fingerprint,
                                                          status_code=0, response="")
        except IntegrityError:
            first = IdempotentRequest.objects.get(partner=partner, key=key)
            if first.fingerprint != fingerprint:
                raise IdempotencyKeyReused() from None
            return first.status_code, json.loads(first.response)
        status_code, body = produce()
        record.status_code, record.response = status_code, json.dumps(body, cls=DjangoJSONEncoder)
        record.save(update_fields=["status_code", "response"])
    return status_code, body


def _forget(records: Any) -> int:
    """Delete kept answers with their keys (nothing of them is left to decrypt)."""
    keys = list(records.values_list("data_key_id", flat=True))
    deleted, _ = records.delete()
    DataKey.objects.filter(pk__in=keys).delete()
    return deleted


def idempotency_keys_purge() -> int:
    oldest = timezone.now() - timedelta(hours=settings.PROTECT_API_IDEMPOTENCY_HOURS)
    return _forget(IdempotentRequest.objects.filter(created_at__lt=oldest))


# --- referrals -------------------------------------------------------------------------------------


def referral_create(*, partner: Any, kind: str, defender_data: dict[str, Any],
                    details: RequestDetails | ApplicationDetails) -> tuple[Referral, Case]:
    """Refer a grant request or a relocation through the kind's own intake, and index it."""
    with transaction.atomic():
        case: Case
        if kind == "grant":
            assert isinstance(details, RequestDetails)
            case = grant_refer_from_partner(partner=partner, defender_data=defender_data, details=details)
        elif kind == "relocation":
            assert isinstance(details, ApplicationDetails)
            case = relocation_refer_from_partner(partner=partner, defender_data=defender_data, details=details)
        else:
            raise ApiError("kind must be grant or relocation.", code="kind", field="kind")
        referral = Referral.objects.create(partner=partner, case_type=case._meta.label_lower, case_id=case.pk,
                                           kind=case.kind, reference=case.reference)
    return referral, case


def referral_message(*, partner: Any, case: Case, body: str) -> Any:
    """The partner writes to the caseworker about its referral (as a requester answers)."""
    return case_requester_reply(case=case, body=body, partner=partner)


# --- status web hooks ------------------------------------------------------------------------------


def referral_status_payload(case: Case) -> dict[str, Any]:
    """What a partner may know of its referral's status: never a note, a name or a reviewer."""
    with translation.override("en"):
        text = str(case.requester_sentence())
    return {
        "reference": case.reference,
        "kind": case.kind,
        "status": case.status,
        "status_text": text,
        "status_changed_at": case.status_changed_at,
    }


def referral_status_changed(case: Any, by: Any, source: str, target: str) -> None:
    """The engine's transition hook: queue one signed web hook per subscription of the referring
    partner, in the transition's transaction (rolled back with it; one delivery per key)."""
    if getattr(case, "referred_by_id", None) is None:
        return
    referral = Referral.objects.filter(case_type=case._meta.label_lower, case_id=case.pk).first()
    if referral is None:
        return
    payload = referral_status_payload(case)
    changed = case.status_changed_at.isoformat() if case.status_changed_at else target
    for subscription in WebhookSubscription.objects.filter(partner_id=referral.partner_id, deleted_at=None):
        if WebhookSubscription.Event.REFERRAL_STATUS not in subscription.events:
            continue
        delivery_webhook(
            key=f"api.referral_status:{referral.reference}:{target}:{changed}:{subscription.pk}",
            endpoint=subscription.endpoint, event=WebhookSubscription.Event.REFERRAL_STATUS, payload=payload,
        )


# --- web hook subscriptions ------------------------------------------------------------------------


def webhook_subscribe(*, partner: Any, url: str, events: list[str], secret: str = "",
                      ) -> tuple[WebhookSubscription, str]:
    """A new receiver; returns the signing secret, shown once."""
    chosen = sorted(set(events)) or [WebhookSubscription.Event.REFERRAL_STATUS.value]
    unknown = [event for event in chosen if event not in WebhookSubscription.Event.values]
    if unknown:
        raise ApiError(f"Unknown event {unknown[0]!r}.", code="event", field="events")
    with transaction.atomic():
        endpoint, secret = webhook_endpoint_create(url=url, secret=secret)
        subscription = WebhookSubscription.objects.create(partner=partner, endpoint=endpoint, events=chosen)
        log_event("api.webhook.subscribed", actor=partner, target=subscription, data={"events": chosen})
    return subscription, secret


def webhook_unsubscribe(*, partner: Any, subscription: WebhookSubscription) -> None:
    """No more deliveries to it; deleting twice changes nothing."""
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk, partner=partner)
        if locked.deleted_at is None:
            locked.deleted_at = timezone.now()
            locked.save(update_fields=["deleted_at"])
            log_event("api.webhook.unsubscribed", actor=partner, target=locked)


# --- the audit of token requests -------------------------------------------------------------------


def token_request_record(*, token: Any, method: str, path: str, status: int) -> None:
    """Note one request a token made, as it is answered (folded into the chain by
    token_requests_audit). One plain INSERT: it runs on every partner request, and the ORM's save
    machinery cost more than the statement."""
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_SQL, [token.pk, method[:8], path[:200], status, timezone.now()])


_RECORD_SQL = "INSERT INTO api_tokenrequest (token_id, method, path, status, at) VALUES (%s, %s, %s, %s, %s)"


def token_requests_audit(*, batch: int = 2000) -> int:
    """Fold the requests tokens made into the audit chain, oldest first, each with its token's
    identity and the time it was answered. Rows are locked and skipped by a concurrent run, and
    deleted in the transaction that chains them: none is chained twice or lost."""
    done = 0
    with transaction.atomic():
        rows = list(TokenRequest.objects.select_for_update(skip_locked=True).select_related("token__user")
                    .order_by("id")[:batch])
        for row in rows:
            log_event("api.request.made", actor=row.token, data={
                "method": row.method, "path": row.path, "status": row.status, "token": row.token.prefix,
                "at": row.at.isoformat(),
            })
            done += 1
        TokenRequest.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return done
