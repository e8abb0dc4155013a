"""The API's periodic work."""

from __future__ import annotations

from celery import shared_task

from .services import idempotency_keys_purge, token_requests_audit


@shared_task(name="api.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()


@shared_task(name="api.audit_token_requests")
def audit_token_requests() -> int:
    return token_requests_audit()
