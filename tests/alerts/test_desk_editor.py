"""The alert desk as each person uses it: drafting for a defender they may see (once per form), the
translations side by side with a second person's review, the consent panel, the forms the table
allows, the clear refusals that change nothing, and the delivery report."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertTranslation
from alerts.services.distribution import alert_distribute
from protect.audit.models import AuditEvent
from protect.defenders.services import defender_create
from protect.delivery.models import Delivery
from protect.outbox.models import OutboxMessage
from tests.alerts.conftest import FRENCH, TEXTS
from tests.grants.conftest import grant_in, hotline_grant  # noqa: F401  the grants' fixtures, used here
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _token(page: str) -> str:
    match = re.search(r'name="intake_token" value="([^"]+)"', page)
    assert match, "the form carries no one-time token"
    return match.group(1)


def _actions(page: str, reference: str) -> set[str]:
    return set(re.findall(rf'action="/alert-desk/{reference}/([a-z-]+)/"', page))


@pytest.fixture
def kestrel(caseworker, team_africa):
    return defender_create(by=caseworker, pseudonym="Kestrel", legal_name="Named Person", country="KE")


def test_a_caseworker_drafts_an_alert_once_however_often_the_form_is_posted(client, caseworker, kestrel):
    login_verified(client, caseworker)
    token = _token(client.get("/alert-desk/new/").content.decode())
    form = {"intake_token": token, "defender_reference": kestrel.reference, "language": "en", "urgency": "high",
            **TEXTS}
    first = client.post("/alert-desk/new/", form)
    assert first.status_code == 200
    alert = Alert.objects.get()
    assert alert.reference in first.content.decode() and alert.defender == kestrel
    again = client.post("/alert-desk/new/", form)  # a double click, or the browser's "resend"
    assert again.status_code == 302 and again["Location"] == alert.get_absolute_url()
    assert Alert.objects.count() == 1
    assert (alert.title, alert.language) == (TEXTS["title"], "en")


def test_drafting_for_a_defender_the_caseworker_may_not_see_is_refused_and_records_nothing(
        client, caseworker_other_team, kestrel):
    login_verified(client, caseworker_other_team)
    token = _token(client.get("/alert-desk/new/").content.decode())
    response = client.post("/alert-desk/new/", {"intake_token": token, "defender_reference": kestrel.reference,
                                                "language": "en", "urgency": "high", **TEXTS})
    assert response.status_code == 400
    assert "No such defender among those you may see." in response.content.decode()
    assert not Alert.objects.exists()


def test_a_draft_offers_the_writer_edit_translate_consent_and_review_but_no_decision(client, alert_in, caseworker):
    alert = alert_in("draft", with_consent=False, french=False)
    login_verified(client, caseworker)
    page = client.get(alert.get_absolute_url()).content.decode()
    assert _actions(page, alert.reference) >= {"edit", "translate", "consent", "send-for-review", "withdraw"}
    assert _actions(page, alert.reference).isdisjoint({"approve", "publish", "update", "close", "revoke-consent"})


def test_translations_stand_beside_the_source_and_need_a_second_person(client, alert_in, caseworker, coordinator):
    alert = alert_in("draft", french=False)
    login_verified(client, caseworker)
    response = client.post(f"/alert-desk/{alert.reference}/translate/", {"language": "fr", **FRENCH})
    assert response.status_code == 302
    page = client.get(alert.get_absolute_url()).content.decode()
    assert 'class="side-by-side"' in page and "Avocate détenue" in page and "not reviewed yet" in page
    assert "review-translation" not in _actions(page, alert.reference)  # not offered to its translator

    refused = client.post(f"/alert-desk/{alert.reference}/review-translation/", {"language": "fr"})
    assert refused.status_code == 400 and "someone else must review it" in refused.content.decode()
    assert not AlertTranslation.objects.get(alert=alert).is_reviewed

    login_verified(client, coordinator)
    page = client.get(alert.get_absolute_url()).content.decode()
    assert "review-translation" in _actions(page, alert.reference)
    assert client.post(f"/alert-desk/{alert.reference}/review-translation/", {"language": "fr"}).status_code == 302
    translation = AlertTranslation.objects.get(alert=alert)
    assert translation.reviewed_by == coordinator


def test_the_consent_is_recorded_with_its_scope_and_checklist_and_revoked_from_the_panel(client, alert_in, caseworker):
    alert = alert_in("draft", with_consent=False)
    login_verified(client, caseworker)
    response = client.post(f"/alert-desk/{alert.reference}/consent/", {
        "method": "written", "may_name": "described", "facts_allowed": "The detention only.",
        "tiers": ["un", "diplomatic"], "languages": ["en", "fr"], "public_page_allowed": "on",
        "valid_until": (timezone.localdate() + timezone.timedelta(days=30)).isoformat(),
        "naming_is_a_risk": "on", "information_verified": "on", "response_plan": "on",
        "benefits_outweigh_risks": "on"})
    assert response.status_code == 302
    scope = alert.consent_in_force()
    assert scope is not None
    assert (scope.may_name, scope.tiers, scope.public_page_allowed, scope.naming_is_a_risk) == (
        False, ["diplomatic", "un"], True, True)
    page = client.get(alert.get_absolute_url()).content.decode()
    assert "diplomatic, un" in page and "revoke-consent" in _actions(page, alert.reference)

    assert client.post(f"/alert-desk/{alert.reference}/revoke-consent/").status_code == 302
    assert alert.consent_in_force() is None
    again = client.post(f"/alert-desk/{alert.reference}/revoke-consent/")  # a double click: told, nothing changes
    assert again.status_code == 400 and "No consent is in force" in again.content.decode()
    assert AuditEvent.objects.filter(action="defenders.consent.revoked").count() == 1


def test_a_consent_without_its_tiers_is_refused_and_records_nothing(client, alert_in, caseworker):
    alert = alert_in("draft", with_consent=False)
    login_verified(client, caseworker)
    response = client.post(f"/alert-desk/{alert.reference}/consent/", {
        "method": "written", "may_name": "described", "facts_allowed": "The detention only.",
        "valid_until": timezone.localdate().isoformat()})
    assert response.status_code == 400
    assert alert.consents.count() == 0


def test_publishing_without_consent_says_so_and_sends_nothing(client, alert_in, caseworker):
    alert = alert_in("approved")
    scope = alert.consents.get()  # revoked since approval (written directly: the desk's own revocation is above)
    scope.consent.revoked_at = timezone.now()
    scope.consent.save(update_fields=["revoked_at"])
    login_verified(client, caseworker)
    page = client.get(alert.get_absolute_url()).content.decode()
    assert "publish" not in _actions(page, alert.reference)  # not offered…
    response = client.post(f"/alert-desk/{alert.reference}/publish/", {"tiers": ["un"]})  # …and refused if posted
    assert response.status_code == 400
    assert "Record the defender&#x27;s consent to this alert first" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == "approved"
    assert not OutboxMessage.objects.filter(task_name="alerts.distribute").exists()


def test_publishing_with_an_unreviewed_translation_says_which_and_sends_nothing(client, alert_in, caseworker):
    alert = alert_in("approved")
    login_verified(client, caseworker)
    assert client.post(f"/alert-desk/{alert.reference}/translate/", {
        "language": "es", "title": "Abogada detenida", "summary": "Detenida.", "facts": "Sin cargos.",
        "requested_actions": "Pidan su liberación."}).status_code == 302
    response = client.post(f"/alert-desk/{alert.reference}/publish/", {"tiers": ["un"]})
    assert response.status_code == 400
    assert "review the translations first: es" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == "approved"
    assert not OutboxMessage.objects.filter(task_name="alerts.distribute").exists()


def test_the_delivery_report_names_each_recipient_and_what_became_of_the_delivery(
        client, alert_in, recipients, caseworker):
    made = recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    rows = {d.key.rsplit(":", 1)[1]: d for d in Delivery.objects.all()}
    now = timezone.now()
    Delivery.objects.filter(pk=rows[str(made["un"].pk)].pk).update(sent_at=now, attempts=1)
    Delivery.objects.filter(pk=rows[str(made["media"].pk)].pk).update(attempts=2, last_error="HTTP 500")
    Delivery.objects.filter(pk=rows[str(made["hook"].pk)].pk).update(attempts=6, last_error="TimeoutError",
                                                                     failed_at=now)
    login_verified(client, caseworker)
    page = client.get(alert.get_absolute_url()).content.decode()
    report = page.split('id="deliveries-h"', 1)[1]
    assert re.search(r"<bdi>un desk</bdi>.*?<td>sent</td>", report)
    assert re.search(r"<bdi>media desk</bdi>.*?<td>retrying</td><td>2</td><td>HTTP 500</td>", report)
    assert re.search(r"<bdi>Partner hook</bdi>.*?<td>failed</td><td>6</td><td>TimeoutError</td>", report)
    assert report.count("<td>waiting</td>") == 3


def test_the_desk_counts_alerts_by_state_at_a_constant_cost(client, alert_in, caseworker):
    alert_in("draft")
    login_verified(client, caseworker)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/alert-desk/").content.decode()
    assert re.search(r'id="state-draft">Draft <span class="small">\(1\)', page)
    for _ in range(3):
        alert_in("in_review")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/alert-desk/").content.decode()
    assert re.search(r'id="state-in_review">In review <span class="small">\(3\)', page)
    assert len(many) == len(few)


def test_a_draft_keeps_the_link_to_the_defenders_grant_and_refuses_one_the_user_may_not_see(
        client, grant_in, caseworker, caseworker_other_team):  # noqa: F811
    grant = grant_in("triage")
    login_verified(client, caseworker)
    form = {"defender_reference": grant.defender.reference, "language": "en", "urgency": "high", **TEXTS}
    token = _token(client.get("/alert-desk/new/").content.decode())
    assert client.post("/alert-desk/new/", form | {"intake_token": token, "grant_reference": grant.reference}
                       ).status_code == 200
    assert Alert.objects.get().grant == grant

    token = _token(client.get("/alert-desk/new/").content.decode())
    refused = client.post("/alert-desk/new/", form | {"intake_token": token, "grant_reference": "G-NOSUCH"})
    assert refused.status_code == 400 and "No such case among those you may see." in refused.content.decode()
    assert Alert.objects.count() == 1


def test_the_recipients_page_costs_the_same_for_few_and_many(client, coordinator, recipients):
    recipients()
    login_verified(client, coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/alert-desk/recipients/").status_code == 200
    for _ in range(3):
        recipients()
    with CaptureQueriesContext(connection) as many:
        page = client.get("/alert-desk/recipients/").content.decode()
    assert page.count("Partner hook") == 4
    assert len(many) == len(few)


def test_the_alert_page_costs_the_same_for_few_and_many_deliveries(client, alert_in, recipients, caseworker):
    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    login_verified(client, caseworker)
    with CaptureQueriesContext(connection) as few:
        assert client.get(alert.get_absolute_url()).status_code == 200
    for _ in range(3):
        recipients()
    alert_distribute(alert_id=alert.pk, step="publish")  # the new recipients' rows, the old ones kept
    with CaptureQueriesContext(connection) as many:
        page = client.get(alert.get_absolute_url()).content.decode()
    assert page.split('id="deliveries-h"', 1)[1].count("<td>waiting</td>") == 24
    assert len(many) == len(few)


def test_after_erasure_the_alert_page_shows_no_text_and_offers_no_form_that_would(
        client, alert_in, recipients, caseworker, coordinator):
    from protect.defenders.services import defender_erase

    recipients()
    alert = alert_in("published")
    alert_distribute(alert_id=alert.pk, step="publish")
    defender_erase(defender=alert.defender, by=coordinator, reason="The defender asked for it.")
    login_verified(client, coordinator)
    response = client.get(alert.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "data was erased" in page and "Lawyer detained" not in page
    assert _actions(page, alert.reference) == {"close", "withdraw"}
    refused = client.post(f"/alert-desk/{alert.reference}/update/", {"news": "Moved.", "idempotency_key": "k-1"})
    assert refused.status_code == 409 and alert.updates.count() == 0  # no text left to send under that key
    assert page.split('id="deliveries-h"', 1)[1].count("<tr class=") == 6  # the report stays, without the texts
