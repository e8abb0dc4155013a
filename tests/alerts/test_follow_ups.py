"""Follow-ups: a published alert with no news for PROTECT_ALERT_FOLLOW_UP_DAYS reminds its caseworker
once per quiet period (a row, an audit event, a keyed e-mail), shows on the desk and the alert page,
and runs as a beat task on the real worker."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertFollowUp
from alerts.services.drafting import alert_close, alert_update
from alerts.services.follow_ups import alerts_send_follow_ups
from protect.delivery.models import Delivery
from tests.alerts.conftest import TEXTS
from tests.helpers import login_verified

DAY = datetime.timedelta(days=1)


@pytest.fixture
def with_email(caseworker):
    caseworker.email = "amina@example.org"
    caseworker.save(update_fields=["email"])
    return caseworker


def quiet_for(alert, days: int) -> Alert:
    """As if the last news went out `days` ago (the test's clock is the database's)."""
    Alert.objects.filter(pk=alert.pk).update(last_update_at=timezone.now() - days * DAY)
    return Alert.objects.get(pk=alert.pk)


def reminders(alert):
    return Delivery.objects.filter(key__startswith=f"alerts.follow_up:{alert.pk}:")


@pytest.mark.django_db
def test_a_quiet_alert_reminds_its_caseworker_once_per_quiet_period(alert_in, with_email, audit_actions, settings):
    assert settings.PROTECT_ALERT_FOLLOW_UP_DAYS == 7
    alert = alert_in("published")
    start = alert.last_update_at
    assert alerts_send_follow_ups(now=start + 6 * DAY) == 0
    assert alerts_send_follow_ups(now=start + 7 * DAY) == 1
    assert alerts_send_follow_ups(now=start + 7 * DAY) == 0  # the beat runs again: nothing twice
    assert alerts_send_follow_ups(now=start + 30 * DAY) == 0  # still the same quiet period
    reminder = reminders(alert).get()
    assert reminder.recipient == "amina@example.org" and alert.reference in reminder.subject
    assert TEXTS["title"] not in reminder.subject + reminder.body  # a reference and a link, never the text
    assert audit_actions("alerts.alert.follow_up_due") == ["alerts.alert.follow_up_due"]

    update = alert_update(alert=alert, by=with_email, idempotency_key="k", news="Moved to another prison.")
    alert.refresh_from_db()
    assert alert.last_update_at >= update.created_at - DAY  # the news started a new quiet period
    assert alerts_send_follow_ups(now=alert.last_update_at + 6 * DAY) == 0
    assert alerts_send_follow_ups(now=alert.last_update_at + 7 * DAY) == 1
    assert reminders(alert).count() == AlertFollowUp.objects.filter(alert=alert).count() == 2


@pytest.mark.django_db
def test_closed_and_withdrawn_alerts_are_not_followed_up(alert_in, with_email):
    alert = alert_close(alert=quiet_for(alert_in("published"), 10), by=with_email, outcome="released")
    assert alerts_send_follow_ups() == 0
    assert not reminders(alert).exists()


@pytest.mark.django_db
def test_the_days_come_from_the_setting(alert_in, with_email, settings):
    settings.PROTECT_ALERT_FOLLOW_UP_DAYS = 2
    alert = quiet_for(alert_in("published"), 3)
    assert alerts_send_follow_ups() == 1
    assert reminders(alert).count() == 1


@pytest.mark.django_db
def test_the_caseworker_sees_what_waits_for_an_update_on_the_desk_and_the_alert_page(
        client, alert_in, with_email, caseworker_other_team):
    quiet = quiet_for(alert_in("published"), 8)
    fresh = alert_in("published")
    login_verified(client, with_email)
    desk = client.get("/alert-desk/").text
    section = desk[desk.index('id="follow-ups"'):]
    assert quiet.reference in section and fresh.reference not in section.split("</section>")[0]
    page = client.get(f"/alert-desk/{quiet.reference}/").text
    assert "No news since" in page and f'href="/alerts/{quiet.public_slug}/"' in page  # and where the public reads it
    assert "No news since" not in client.get(f"/alert-desk/{fresh.reference}/").text
    client.logout()
    login_verified(client, caseworker_other_team)
    assert quiet.reference not in client.get("/alert-desk/").text  # another desk's alert stays unseen


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_reminds_through_the_real_worker_once(alert_in, with_email, celery_worker_process):
    from alerts.tasks import follow_ups

    alert = quiet_for(alert_in("published"), 8)
    assert follow_ups.delay().get(timeout=30) == 1
    assert follow_ups.delay().get(timeout=30) == 0
    assert reminders(alert).count() == 1
