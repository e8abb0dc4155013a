"""seed_demo's alerts: one at every stage, one approved with consent for every tier, one published
with an update; demo recipients that reach nothing outside this machine."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from alerts.models import Alert, Recipient, Tier
from protect.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_demo_has_alerts_at_every_stage_and_recipients_on_this_machine():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo alerts: 6 at every stage" in out.getvalue()
    statuses = sorted(Alert.objects.values_list("status", flat=True))
    assert statuses == sorted(["draft", "in_review", "approved", "published", "closed", "withdrawn"])
    approved = Alert.objects.get(status="approved")
    assert sorted(approved.consent_in_force().tiers) == sorted(Tier.values)
    published = Alert.objects.get(status="published")
    assert published.updates.count() == 1
    assert Alert.objects.get(status="closed").outcome == "released"
    assert OutboxMessage.objects.filter(task_name="alerts.distribute").count() == 3  # 2 publications, 1 update
    for recipient in Recipient.objects.select_related("endpoint"):
        address = recipient.endpoint.url if recipient.endpoint else recipient.email
        assert address.endswith("@example.org") or address.startswith("http://127.0.0.1:")
