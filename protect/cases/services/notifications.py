"""Telling a caseworker what happened on their case (the requester answered, the case was assigned
to them, its deadline nears): a line in their queue until they open the case, and an e-mail.

The e-mail leaves through protect.delivery (recorded in the caller's transaction, sent once by the
`protect.delivery.send` Celery task); it carries the case's reference and a link, never anything
about the defender: mailboxes are read on phones, in offices, and by providers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from protect.delivery.services import delivery_email

from ..models import Case, Notification

K = Notification.Kind
SUBJECTS = {
    K.REPLY: "Case {reference}: the requester answered",
    K.ASSIGNED: "Case {reference} was assigned to you",
    K.SLA_NEAR: "Case {reference}: its deadline is near",
    K.SLA_OVERDUE: "Case {reference}: its deadline has passed",
}


def notify(*, user: Any, case: Case, kind: str, key: str) -> Notification | None:
    """Tell `user` once per `key`; nobody (None) or an inactive account is told nothing."""
    if user is None or not user.is_active:
        return None
    url = case.get_absolute_url()
    with transaction.atomic():
        if Notification.objects.filter(key=key).exists():
            return None
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    key=key, user=user, kind=kind, case_type=case._meta.label_lower, case_id=case.pk,
                    reference=case.reference, url=url)
        except IntegrityError:
            return None  # told already by a concurrent run
        subject = SUBJECTS[K(kind)].format(reference=case.reference)
        delivery_email(key=key, to=user.email, subject=subject,
                       body=f"{subject}.\nOpen it in Protect: {settings.PROTECT_SITE_URL}{url}\n")
    return notification


def notifications_seen(*, user: Any, case: Case) -> int:
    """The user opened the case: what they were told about it leaves their queue."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, case_type=case._meta.label_lower, case_id=case.pk,
                                       seen_at=None).update(seen_at=timezone.now())
