"""The alert desk: alerts by state, one alert with its translations, consent and deliveries, and
actions posted to /alert-desk/<reference>/<action>/."""

from __future__ import annotations

import pytest

from alerts.models import Alert
from alerts.services.distribution import alert_distribute
from protect.delivery.models import Delivery
from protect.outbox.models import OutboxMessage
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def test_the_desk_lists_the_alerts_a_caseworker_may_see_by_state(client, alert_in, caseworker):
    alert = alert_in("draft")
    login_verified(client, caseworker)
    page = client.get("/alert-desk/").content.decode()
    assert alert.reference in page and "Draft" in page
    assert "Lawyer detained" not in page  # the list decrypts nothing


def test_the_alert_page_shows_texts_side_by_side_consent_and_deliveries(client, alert_in, recipients, caseworker):
    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    login_verified(client, caseworker)
    page = client.get(f"/alert-desk/{alert.reference}/").content.decode()
    assert "Lawyer detained" in page and "Avocate détenue" in page
    assert "authorities, diplomatic, media, partners, un" in page
    assert page.count("<td>waiting</td>") == 6  # recorded, not tried yet (no worker here)
    assert "Send the update" in page and "Publish</button>" not in page


def test_a_reviewer_approves_and_the_caseworker_publishes_through_the_pages(client, alert_in, caseworker, reviewer):
    alert = alert_in("in_review")
    login_verified(client, reviewer)
    assert client.post(f"/alert-desk/{alert.reference}/approve/").status_code == 302
    login_verified(client, caseworker)
    response = client.post(f"/alert-desk/{alert.reference}/publish/", {"tiers": ["un", "media"]})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.tiers) == ("published", ["media", "un"])
    assert OutboxMessage.objects.filter(task_name="alerts.distribute").count() == 1


def test_a_refused_publication_says_why_and_changes_nothing(client, alert_in, consent_for, caseworker):
    alert = alert_in("approved")
    consent_for(alert, tiers=["un"])
    login_verified(client, caseworker)
    response = client.post(f"/alert-desk/{alert.reference}/publish/", {"tiers": ["media"]})
    assert response.status_code == 400
    assert "does not allow sending to: media" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == "approved"
    assert not Delivery.objects.exists() and not OutboxMessage.objects.filter(task_name="alerts.distribute").exists()


def test_a_double_posted_update_is_sent_once(client, alert_in, caseworker):
    alert = alert_in("published")
    login_verified(client, caseworker)
    form = {"news": "Released on bail.", "idempotency_key": "form-token-1"}
    assert client.post(f"/alert-desk/{alert.reference}/update/", form).status_code == 302
    assert client.post(f"/alert-desk/{alert.reference}/update/", form).status_code == 302
    assert alert.updates.count() == 1
    assert OutboxMessage.objects.filter(task_name="alerts.distribute", kwargs__step="update:form-token-1").count() == 1


def test_closing_records_the_outcome(client, alert_in, caseworker):
    alert = alert_in("published")
    login_verified(client, caseworker)
    assert client.post(f"/alert-desk/{alert.reference}/close/", {"outcome": "released"}).status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == ("closed", "released")
