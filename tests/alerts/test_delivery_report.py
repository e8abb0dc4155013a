"""The alert page's delivery report (alerts.selectors.alert_delivery_report): each delivery's
recipient, channel and outcome (sent, retrying with its next attempt, failed with the reason,
waiting, cancelled), in two queries however many."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail

from alerts.selectors import alert_delivery_report
from alerts.services.distribution import alert_distribute
from alerts.services.drafting import alert_update
from protect.delivery.models import Delivery
from protect.delivery.services import DeliveryTemporaryError, delivery_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_the_report_gives_each_delivery_its_recipient_and_outcome(alert_in, recipients, http_receiver, monkeypatch,
                                                                   caseworker):
    made = recipients(webhook_url=http_receiver.url + "/hook")
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    of = {d.recipient if d.channel == "email" else "hook": d for d in Delivery.objects.filter(
        key__startswith=f"alerts.alert:{alert.pk}:")}
    assert delivery_send(delivery_id=of[made["un"].email].pk) == "sent"
    http_receiver.status = 500
    with pytest.raises(DeliveryTemporaryError):
        delivery_send(delivery_id=of["hook"].pk)

    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({made["media"].email: (550, b"unknown user")})

    monkeypatch.setattr("protect.delivery.services.send_mail", refuse)
    assert delivery_send(delivery_id=of[made["media"].email].pk) == "failed"

    rows = {row.recipient.name: row for row in alert_delivery_report(alert)}
    assert set(rows) == {"authorities desk", "diplomatic desk", "un desk", "media desk", "partners desk",
                         "Partner hook"}
    un = rows["un desk"]
    assert (un.outcome, un.delivery.attempts, un.delivery.channel, un.recipient.tier) == ("sent", 1, "email", "un")
    assert (un.tier, un.channel) == (un.recipient.get_tier_display(), un.delivery.get_channel_display())
    hook = rows["Partner hook"]
    assert (hook.outcome, hook.delivery.attempts, hook.reason, hook.delivery.channel) == (
        "retrying", 1, "HTTP 500", "webhook")
    assert hook.delivery.next_attempt_at is not None and hook.delivery.next_attempt_at > of["hook"].created_at
    assert hook.delivery.stage == "retrying"
    media = rows["media desk"]
    assert (media.outcome, media.reason) == ("failed", "address refused by the mail server (550)")
    assert media.delivery.next_attempt_at is None and media.delivery.failed_at is not None
    assert (rows["authorities desk"].outcome, rows["authorities desk"].delivery.attempts) == ("waiting", 0)
    assert {row.step for row in rows.values()} == {"publish"}
    assert len(mail.outbox) == 1


def test_the_report_lists_the_newest_step_first_and_says_what_was_cancelled(alert_in, recipients, caseworker):
    from alerts.services.consent import alert_consent_revoke

    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    alert_update(alert=alert, by=caseworker, idempotency_key="k-1", news="Released on bail.")
    alert_distribute(alert_id=alert.pk, step="update:k-1")
    alert_consent_revoke(scope=alert.consents.get(), by=caseworker)
    report = alert_delivery_report(alert)
    assert [row.step for row in report] == ["update"] * 6 + ["publish"] * 6
    assert {row.outcome for row in report} == {"cancelled"}


def test_the_report_takes_two_queries_however_many_recipients(alert_in, recipients, django_assert_num_queries):
    from alerts.models import Recipient

    recipients()
    for n in range(30):
        Recipient.objects.create(name=f"Desk {n}", channel="email", email=f"d{n}@example.org", language="en",
                                 tier="media")
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    alert.refresh_from_db()
    with django_assert_num_queries(2):  # the alert's deliveries; their recipients with their data keys
        report = alert_delivery_report(alert)
    assert len(report) == 36 and all(row.recipient.name for row in report)
