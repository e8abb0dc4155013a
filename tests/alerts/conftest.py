"""An alert at every stage, walked through the services, and recipients in every tier."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alerts.models import Alert, Recipient
from alerts.services.consent import alert_consent_record
from alerts.services.drafting import alert_approve, alert_draft, alert_publish, alert_submit_for_review
from alerts.services.translations import alert_translation_review, alert_translation_save
from protect.cases.services.routing import case_route
from protect.defenders.services import defender_create
from protect.delivery.services import webhook_endpoint_create

TEXTS = {"title": "Lawyer detained", "summary": "A lawyer was detained on 1 May.",
         "facts": "Held without charge.", "requested_actions": "Call for release."}
FRENCH = {"title": "Avocate détenue", "summary": "Une avocate a été détenue le 1er mai.",
          "facts": "Détenue sans inculpation.", "requested_actions": "Demandez sa libération."}
ALL_TIERS = ["authorities", "diplomatic", "un", "media", "partners"]


@pytest.fixture
def consent_for(caseworker):
    def record(alert: Alert, **overrides):
        values = dict(method="written", may_name=False, photo_allowed=False, facts_allowed="Detention only.",
                      tiers=ALL_TIERS, languages=["en", "fr"], public_page_allowed=True,
                      valid_until=timezone.localdate() + datetime.timedelta(days=90), naming_is_a_risk=True,
                      information_verified=True, response_plan=True, benefits_outweigh_risks=True)
        return alert_consent_record(alert=alert, by=caseworker, **(values | overrides))

    return record


@pytest.fixture
def alert_in(db, caseworker, reviewer, team_africa, consent_for, coordinator):
    """A new alert walked to `state`: draft, in_review, approved or published (to every tier)."""

    def make(state: str, *, with_consent: bool = True, french: bool = True) -> Alert:
        defender = defender_create(by=caseworker, pseudonym="Kestrel", legal_name="Named Person", country="KE")
        alert = alert_draft(by=caseworker, defender=defender, language="en", **TEXTS)
        alert = case_route(model=Alert, case_id=alert.pk)
        if french:
            translation = alert_translation_save(alert=alert, by=caseworker, language="fr", **FRENCH)
        if with_consent:
            consent_for(alert)
        if state == "draft":
            return alert
        alert = alert_submit_for_review(alert=alert, by=caseworker, reviewer=reviewer)
        if french:
            alert_translation_review(translation=translation, by=reviewer)
        if state == "in_review":
            return alert
        alert = alert_approve(alert=alert, by=reviewer)
        if state == "approved":
            return alert
        return alert_publish(alert=alert, by=caseworker, tiers=ALL_TIERS)

    return make


@pytest.fixture
def recipients(db):
    """One e-mail recipient per tier (the UN one reads French), plus a web hook partner."""

    def make(webhook_url: str = "https://hooks.example.org/protect") -> dict[str, Recipient]:
        made = {}
        for tier in ALL_TIERS:
            made[tier] = Recipient.objects.create(name=f"{tier} desk", channel="email", email=f"{tier}@example.org",
                                                  language="fr" if tier == "un" else "en", tier=tier)
        endpoint, secret = webhook_endpoint_create(url=webhook_url)
        made["hook"] = Recipient.objects.create(name="Partner hook", channel="webhook", endpoint=endpoint,
                                                language="fr", tier="partners")
        made["hook"].secret = secret  # type: ignore[attr-defined]  (for the test to verify with)
        return made

    return make

from tests.outbound import http_receiver, smtp_catcher, workers  # noqa: E402, F401  (tests/outbound.py)
