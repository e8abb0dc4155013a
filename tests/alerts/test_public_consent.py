"""Nothing the defender did not consent to ever reaches the public page or the feed: their name
when only a description is allowed, the facts when they are not allowed in public, unreviewed
translations, alerts not yet published, alerts whose consent allows no public page."""

from __future__ import annotations

import pytest

from alerts.models import Alert
from alerts.services.drafting import (
    alert_approve,
    alert_draft,
    alert_publish,
    alert_submit_for_review,
    alert_update,
)
from alerts.services.translations import alert_translation_save
from protect.cases.services.routing import case_route
from protect.defenders.services import defender_create
from tests.alerts.conftest import ALL_TIERS, FRENCH, TEXTS

pytestmark = pytest.mark.django_db

NAME = "Wanjiru Kamau"


@pytest.fixture
def published(caseworker, reviewer, team_africa, consent_for):
    """An alert with the given texts, published under a consent with the given scope."""

    def make(texts=None, **consent):
        defender = defender_create(by=caseworker, pseudonym="Heron", legal_name=NAME, country="KE",
                                   aliases=["Mama Shamba"])
        alert = alert_draft(by=caseworker, defender=defender, language="en", **(texts or TEXTS))
        alert = case_route(model=Alert, case_id=alert.pk)
        consent_for(alert, **consent)
        alert = alert_submit_for_review(alert=alert, by=caseworker, reviewer=reviewer)
        alert = alert_approve(alert=alert, by=reviewer)
        return alert_publish(alert=alert, by=caseworker, tiers=ALL_TIERS)

    return make


def everything_public(client, alert) -> str:
    """Every public page and feed, in every language, where the alert could appear."""
    texts = []
    for prefix in ("", "/ar", "/en", "/es", "/fr", "/ru"):
        for url in (f"{prefix}/alerts/", f"{prefix}/alerts/feed/", f"{prefix}/alerts/{alert.public_slug}/"):
            texts.append(client.get(url).content.decode())
    return "\n".join(texts)


@pytest.mark.parametrize("where", ["title", "summary", "facts", "requested_actions"])
@pytest.mark.parametrize("written", [NAME, NAME.upper(), "Ms Kamau", "Mama  Shamba"])
def test_the_name_never_appears_when_only_a_description_is_consented(client, published, where, written):
    texts = TEXTS | {where: f"{TEXTS[where]} ({written})"}
    alert = published(texts, may_name=False, public_facts_allowed=True)
    public = everything_public(client, alert)
    assert "Kamau" not in public and "KAMAU" not in public and "Shamba" not in public
    assert client.get(f"/alerts/{alert.public_slug}/").status_code == 410  # withheld whole: fail closed


def test_the_name_in_an_update_takes_the_alert_off_the_public_pages(client, published, caseworker):
    alert = published(may_name=False)
    assert client.get(f"/alerts/{alert.public_slug}/").status_code == 200
    alert_update(alert=alert, by=caseworker, idempotency_key="k", news="Kamau was moved to another prison.")
    assert "Kamau" not in everything_public(client, alert)


def test_a_described_defender_is_never_named(client, published):
    alert = published(may_name=False)
    response = client.get(f"/alerts/{alert.public_slug}/")
    assert response.status_code == 200 and TEXTS["title"] in response.text
    assert "Kamau" not in everything_public(client, alert)


def test_a_defender_who_consented_to_be_named_is_named(client, published):
    alert = published(may_name=True, naming_is_a_risk=False)
    response = client.get(f"/alerts/{alert.public_slug}/")
    assert NAME in response.text and '<bdi dir="auto">' + NAME in response.text


def test_the_facts_appear_only_when_consented_for_the_public_page(client, published, consent_for):
    alert = published(public_facts_allowed=False)
    assert TEXTS["summary"] in client.get(f"/alerts/{alert.public_slug}/").text
    assert TEXTS["facts"] not in everything_public(client, alert)
    consent_for(alert, public_facts_allowed=True)
    assert TEXTS["facts"] in client.get(f"/alerts/{alert.public_slug}/").text
    assert TEXTS["facts"] in client.get("/alerts/feed/").text


def test_the_facts_cannot_be_public_without_a_public_page(alert_in, consent_for):
    alert = alert_in("draft")
    scope = consent_for(alert, public_page_allowed=False, public_facts_allowed=True)
    assert scope.public_facts_allowed is False


def test_unreviewed_translations_never_appear(client, alert_in, caseworker):
    alert = alert_in("published")
    alert_translation_save(alert=alert, by=caseworker, language="es", title="Título sin revisar", summary="S.",
                           facts="F.", requested_actions="A.")
    alert_translation_save(alert=alert, by=caseworker, language="fr", title="Titre réécrit, pas relu",
                           summary="S.", facts="F.", requested_actions="A.")  # a rewrite needs a new review
    public = everything_public(client, alert)
    assert "Título sin revisar" not in public and "Titre réécrit" not in public
    assert FRENCH["title"] not in public


@pytest.mark.parametrize("state", ["draft", "in_review", "approved"])
def test_alerts_not_yet_published_never_appear(client, alert_in, state):
    alert = alert_in(state)
    public = everything_public(client, alert)
    assert TEXTS["title"] not in public and FRENCH["title"] not in public
    assert client.get(f"/alerts/{alert.public_slug}/").status_code == 404


def test_a_consent_without_a_public_page_keeps_the_alert_off_it(client, published):
    alert = published(public_page_allowed=False)
    assert TEXTS["title"] not in everything_public(client, alert)


def test_a_narrower_consent_takes_the_page_down(client, published, consent_for):
    alert = published()
    assert client.get(f"/alerts/{alert.public_slug}/").status_code == 200
    consent_for(alert, public_page_allowed=False)  # the latest recorded is the one in force
    assert client.get(f"/alerts/{alert.public_slug}/").status_code == 410
    assert TEXTS["title"] not in everything_public(client, alert)



def test_the_desk_records_whether_the_facts_may_be_told_on_the_public_page(client, alert_in, caseworker):
    from django.utils import timezone

    from tests.helpers import login_verified

    login_verified(client, caseworker)
    consent = {"method": "written", "may_name": "described", "facts_allowed": "The detention only.",
               "tiers": ["un"], "languages": ["en"], "public_page_allowed": "on",
               "valid_until": (timezone.localdate() + timezone.timedelta(days=30)).isoformat(),
               "naming_is_a_risk": "on", "information_verified": "on", "response_plan": "on",
               "benefits_outweigh_risks": "on"}
    alert = alert_in("draft", with_consent=False)
    assert client.post(f"/alert-desk/{alert.reference}/consent/", consent).status_code == 302
    assert alert.consent_in_force().public_facts_allowed is False  # not ticked: the facts stay off the page
    assert client.post(f"/alert-desk/{alert.reference}/consent/",
                       consent | {"public_facts_allowed": "on"}).status_code == 302
    assert alert.consent_in_force().public_facts_allowed is True
    assert "the facts on it" in client.get(alert.get_absolute_url()).text
