"""Nothing goes out without consent, reviewed translations and a consented tier: a clear error, nothing sent."""

from __future__ import annotations

import pytest

from alerts.models import Alert
from alerts.services.consent import alert_consent_revoke
from alerts.services.distribution import alert_distribute
from alerts.services.drafting import alert_approve, alert_close, alert_publish, alert_withdraw
from alerts.services.translations import alert_translation_save
from alerts.workflow import ALERT_WORKFLOW
from protect.core.errors import ProtectError
from protect.delivery.models import Delivery
from protect.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_an_alert_gets_its_prefix_and_is_routed_to_draft(alert_in, caseworker, team_africa):
    alert = alert_in("draft")
    assert alert.reference.startswith("A-") and alert.status == "draft"
    assert (alert.team, alert.caseworker) == (team_africa, caseworker)
    assert alert.receipt_index is None  # staff-drafted: no requester status page


def test_approving_without_a_consent_in_force_is_refused(alert_in, reviewer):
    alert = alert_in("in_review", with_consent=False)
    with pytest.raises(ProtectError, match="consent"):
        alert_approve(alert=alert, by=reviewer)
    assert Alert.objects.get(pk=alert.pk).status == "in_review"


def test_the_preparer_cannot_approve_their_own_alert(alert_in, caseworker, coordinator):
    alert = alert_in("in_review")
    with pytest.raises(ProtectError):
        alert_approve(alert=alert, by=caseworker)
    assert not ALERT_WORKFLOW.can(alert, caseworker, "approve")


def test_publishing_after_the_consent_was_revoked_is_refused_and_sends_nothing(alert_in, caseworker):
    alert = alert_in("approved")
    alert_consent_revoke(scope=alert.consents.get(), by=caseworker)
    with pytest.raises(ProtectError, match="consent"):
        alert_publish(alert=alert, by=caseworker, tiers=["un"])
    assert Alert.objects.get(pk=alert.pk).status == "approved"
    assert not OutboxMessage.objects.filter(task_name="alerts.distribute").exists()
    assert Delivery.objects.count() == 0 or not Delivery.objects.filter(key__startswith="alerts.").exists()


def test_publishing_with_an_unreviewed_translation_is_refused(alert_in, caseworker):
    alert = alert_in("approved")
    alert_translation_save(alert=alert, by=caseworker, language="es", title="Abogada detenida", summary="Detenida.",
                           facts="Sin cargos.", requested_actions="Pidan su liberación.")
    with pytest.raises(ProtectError, match="review the translations first: es"):
        alert_publish(alert=alert, by=caseworker, tiers=["un"])
    assert Alert.objects.get(pk=alert.pk).status == "approved"
    assert not OutboxMessage.objects.filter(task_name="alerts.distribute").exists()


def test_publishing_to_a_tier_the_consent_excludes_is_refused(alert_in, consent_for, caseworker, recipients):
    alert = alert_in("approved")
    consent_for(alert, tiers=["un", "diplomatic"])  # the later consent, narrower, is the one in force
    recipients()
    with pytest.raises(ProtectError, match="does not allow sending to: media"):
        alert_publish(alert=alert, by=caseworker, tiers=["un", "media"])
    assert Alert.objects.get(pk=alert.pk).status == "approved"
    assert alert_distribute(alert_id=alert.pk, step="publish") == 0  # not published: nothing goes out
    assert not Delivery.objects.filter(key__startswith="alerts.").exists()


def test_a_checklist_that_does_not_pass_blocks_approval(alert_in, consent_for, reviewer):
    alert = alert_in("in_review")
    consent_for(alert, information_verified=False)
    with pytest.raises(ProtectError, match="information is verified"):
        alert_approve(alert=alert, by=reviewer)


def test_naming_a_defender_when_naming_is_a_risk_is_refused(alert_in, consent_for, reviewer):
    alert = alert_in("in_review")
    consent_for(alert, may_name=True, naming_is_a_risk=True)
    with pytest.raises(ProtectError, match="Naming the defender is a risk"):
        alert_approve(alert=alert, by=reviewer)


def test_closing_needs_an_outcome_and_records_it(alert_in, caseworker):
    alert = alert_in("published")
    with pytest.raises(ProtectError, match="outcome"):
        alert_close(alert=alert, by=caseworker, outcome="")
    closed = alert_close(alert=alert, by=caseworker, outcome="released")
    assert (closed.status, closed.outcome) == ("closed", "released") and closed.closed_at is not None


def test_a_withdrawn_alert_distributes_nothing(alert_in, caseworker, recipients):
    recipients()
    alert = alert_in("published")
    withdrawn = alert_withdraw(alert=alert, by=caseworker, reason="The defender asked us to stop.")
    assert Alert.objects.get(pk=withdrawn.pk).decision_note == "The defender asked us to stop."
    assert alert_distribute(alert_id=alert.pk, step="publish") == 0


def test_the_consent_recorded_last_is_in_force_even_if_given_earlier(alert_in, consent_for):
    import datetime

    from django.utils import timezone

    alert = alert_in("draft")
    consent_for(alert, tiers=["un"], given_at=timezone.now() - datetime.timedelta(days=3))
    assert alert.consent_in_force().tiers == ["un"]
