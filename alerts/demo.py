"""Demo alerts: invented alerts at every stage and demo recipients that send nothing outside this
machine (e-mail through the demo's mail backend, a web hook to a loopback address).

Found by seed_demo's autodiscovery (after the users, teams and defenders); written through the
services, so the texts are encrypted, the steps audited and the deliveries recorded as for real."""

from __future__ import annotations

import datetime

from django.core.management.base import OutputWrapper
from django.utils import timezone

from protect.accounts.models import User
from protect.cases.services.routing import case_route
from protect.core import demo
from protect.defenders.models import ConsentMethod, Defender

from .models import Alert, Tier
from .services.consent import alert_consent_record
from .services.drafting import (
    alert_approve,
    alert_close,
    alert_draft,
    alert_publish,
    alert_submit_for_review,
    alert_update,
    alert_withdraw,
)
from .services.recipients import recipient_create
from .services.translations import alert_translation_review, alert_translation_save

ALL_TIERS = list(Tier.values)
# name, channel, address, language, tier: example.org addresses, and a web hook to this machine.
DEMO_RECIPIENTS = [
    ("Ministry of Justice, human rights focal point", "email", "focal-point@example.org", "en", "authorities"),
    ("EU Delegation, human rights officer", "email", "eu-delegation@example.org", "fr", "diplomatic"),
    ("UN Special Rapporteur on HRDs (demo)", "email", "sr-hrds@example.org", "en", "un"),
    ("Regional press desk (demo)", "email", "press@example.org", "es", "media"),
    ("Partner network web hook (demo)", "webhook", "http://127.0.0.1:8025/protect-alerts", "fr", "partners"),
]


def _texts(who: str, what: str) -> dict[str, str]:
    return {"title": f"{who}: {what}",
            "summary": f"{who}, a human rights defender, {what.lower()} after their public work (invented case).",
            "facts": "Arrested at home at dawn; no lawyer allowed; no charge communicated.",
            "requested_actions": "Ask the authorities to disclose where they are held and to release them."}


FRENCH = {"title": "Défenseure détenue (démo)", "summary": "Une défenseure a été arrêtée (cas inventé).",
          "facts": "Arrêtée chez elle à l'aube ; pas d'avocat ; aucune charge communiquée.",
          "requested_actions": "Demandez aux autorités où elle est détenue et sa libération."}


@demo.register
def seed(out: OutputWrapper) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[n for n, _r, _d in demo.DEMO_USERS])}
    caseworker, reviewer, coordinator = users["caseworker"], users["reviewer"], users["coordinator"]
    defenders = {d.pseudonym: d for d in Defender.objects.all()}
    for name, channel, address, language, tier in DEMO_RECIPIENTS:
        recipient_create(by=coordinator, name=name, channel=channel, address=address, language=language, tier=tier)

    def drafted(pseudonym: str, what: str) -> Alert:
        alert = alert_draft(by=caseworker, defender=defenders[pseudonym], language="en", urgency="critical",
                            **_texts(pseudonym, what))
        case_route(model=Alert, case_id=alert.pk)  # what the worker would do: to the team of the region
        alert = Alert.objects.get(pk=alert.pk)
        alert_translation_save(alert=alert, by=caseworker, language="fr", **FRENCH)
        return alert

    def consented(alert: Alert, tiers: list[str]) -> None:
        alert_consent_record(
            alert=alert, by=coordinator, method=ConsentMethod.WRITTEN, may_name=False, photo_allowed=False,
            facts_allowed="The arrest and the detention without charge; not the place of detention.", tiers=tiers,
            languages=["en", "fr"], public_page_allowed=True,
            valid_until=timezone.localdate() + datetime.timedelta(days=90), naming_is_a_risk=True,
            information_verified=True, response_plan=True, benefits_outweigh_risks=True)

    def approved(pseudonym: str, what: str, tiers: list[str]) -> Alert:
        alert = drafted(pseudonym, what)
        consented(alert, tiers)
        alert = alert_submit_for_review(alert=alert, by=caseworker, reviewer=reviewer)
        alert_translation_review(translation=alert.translations.get(language="fr"), by=reviewer)
        return alert_approve(alert=alert, by=reviewer)

    # A draft: written, translated (not yet reviewed), no consent yet.
    drafted("Kestrel", "Detained after a land rights hearing")
    # In review with the reviewer, consent recorded.
    alert = drafted("Olive", "Summoned for questioning")
    consented(alert, ["un", "diplomatic"])
    alert_submit_for_review(alert=alert, by=caseworker, reviewer=reviewer)
    # Approved, with a consent for every tier: ready to publish.
    approved("Kestrel", "Held incommunicado", ALL_TIERS)
    # Published (the demo's worker sends it) with one update.
    alert = alert_publish(alert=approved("Olive", "Arrested at dawn", ALL_TIERS), by=caseworker, tiers=ALL_TIERS)
    alert_update(alert=alert, by=caseworker, idempotency_key="demo-update-1",
                 news="A lawyer was allowed to visit today; no charge yet.")
    # Closed: released.
    alert = alert_publish(alert=approved("Kestrel", "Detained at a checkpoint", ["un", "diplomatic"]),
                          by=caseworker, tiers=["un", "diplomatic"])
    alert_close(alert=alert, by=caseworker, outcome=Alert.Outcome.RELEASED)
    # Withdrawn before publication.
    alert_withdraw(alert=drafted("Olive", "Threatened online"), by=caseworker,
                   reason="The defender asked us not to go public.")
    out.write(f"Demo alerts: 6 at every stage, {len(DEMO_RECIPIENTS)} demo recipients (no real address).\n")
