"""Drafting an alert and taking it through its steps (review, approval, publication, updates, closing)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from protect.accounts.permissions import has_any_role
from protect.accounts.roles import INTAKE
from protect.audit.services import log_event
from protect.cases.access import case_grant_access
from protect.cases.models import Channel
from protect.cases.services.intake import case_register
from protect.core.errors import PermissionDenied, clean_or_refuse
from protect.outbox.services import outbox_enqueue

from ..errors import AlertError
from ..models import Alert, AlertUpdate
from ..workflow import ALERT_WORKFLOW

TEXTS = ("title", "summary", "facts", "requested_actions")


def _texts(values: dict[str, str]) -> dict[str, str]:
    cleaned = {name: str(values.get(name) or "").strip() for name in TEXTS}
    missing = [name.replace("_", " ") for name, value in cleaned.items() if not value]
    if missing:
        raise AlertError("Write the " + ", ".join(missing) + ".", code="text_required", field=missing[0])
    return cleaned


def alert_draft(
    *, by: Any, defender: Any, language: str, title: str, summary: str, facts: str, requested_actions: str,
    urgency: str = "high", grant: Any = None, relocation: Any = None,
) -> Alert:
    """A caseworker starts an alert for a defender, in its source language. The drafter keeps access
    to it; routing (the kernel's) gives it to the team of the defender's region."""
    if not has_any_role(by, INTAKE):
        raise PermissionDenied("Only caseworkers and coordinators draft alerts.")
    texts = _texts({"title": title, "summary": summary, "facts": facts, "requested_actions": requested_actions})
    if grant is not None and grant.defender_id != defender.pk:
        raise AlertError("The linked grant is about another defender.", code="grant_defender", field="grant")
    if relocation is not None and relocation.defender_id != defender.pk:
        raise AlertError("The linked relocation is about another defender.", code="relocation_defender",
                         field="relocation")
    alert = Alert(defender=defender, channel=Channel.HOTLINE, language=language, urgency=urgency,
                  recorded_by=by, grant=grant, relocation=relocation, **texts)
    with transaction.atomic():
        case_register(case=alert, actor=by, with_requester_secrets=False)
        case_grant_access(case=alert, user=by)
    return alert


def alert_edit(*, alert: Alert, by: Any, **texts: str) -> Alert:
    """Rewrite the source texts of a draft."""
    cleaned = _texts(texts)
    with ALERT_WORKFLOW.acting(alert, "edit", by=by) as locked:
        for name, value in cleaned.items():
            setattr(locked, name, value)
        clean_or_refuse(locked)
        locked.save(update_fields=list(TEXTS))
        log_event("alerts.alert.edited", actor=by, target=locked, data={})
    return locked


def alert_submit_for_review(*, alert: Alert, by: Any, reviewer: Any) -> Alert:
    return ALERT_WORKFLOW.run(alert, "submit_for_review", by=by, reviewer=reviewer, reviewer_id=reviewer.pk)


def alert_return_to_draft(*, alert: Alert, by: Any, reason: str) -> Alert:
    return ALERT_WORKFLOW.run(alert, "return_to_draft", by=by, reason=reason)


def alert_approve(*, alert: Alert, by: Any) -> Alert:
    return ALERT_WORKFLOW.run(alert, "approve", by=by)


def _distribute_after_commit(alert: Alert, step: str) -> None:
    outbox_enqueue(task_name="alerts.distribute", kwargs={"alert_id": alert.pk, "step": step})


def alert_publish(*, alert: Alert, by: Any, tiers: list[str]) -> Alert:
    """Publish to the recipients of the chosen tiers (each allowed by the consent). Publishing again
    changes nothing and sends nothing."""
    with transaction.atomic():
        before = Alert.objects.select_for_update().get(pk=alert.pk).status
        published = ALERT_WORKFLOW.run(alert, "publish", by=by, tiers=tiers)
        if before != Alert.Status.PUBLISHED:
            _distribute_after_commit(published, "publish")
    return published


def alert_update(*, alert: Alert, by: Any, idempotency_key: str, news: str) -> AlertUpdate:
    """Send news to the same recipients. The same key twice (a retried request) records and sends
    nothing the second time: the update row and every delivery are keyed by it."""
    key = idempotency_key.strip()[:100]
    news = news.strip()
    if not news:
        raise AlertError("Write what is new.", code="news_required", field="news")
    with transaction.atomic():
        locked = ALERT_WORKFLOW.run(alert, "update", by=by, idempotency_key=key)
        update, created = AlertUpdate.objects.get_or_create(alert=locked, key=key,
                                                            defaults={"news": news, "sent_by": by})
        if created:
            _distribute_after_commit(locked, f"update:{key}")
    return update


def alert_close(*, alert: Alert, by: Any, outcome: str) -> Alert:
    return ALERT_WORKFLOW.run(alert, "close", by=by, outcome=outcome)


def alert_withdraw(*, alert: Alert, by: Any, reason: str) -> Alert:
    return ALERT_WORKFLOW.run(alert, "withdraw", by=by, reason=reason)
