"""The defender's consent to one alert: a ConsentRecord (protect.defenders) and what it allows here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse
from protect.defenders.models import ConsentPurpose
from protect.defenders.services import consent_record, consent_revoke

from ..errors import AlertError
from ..models import Alert, AlertConsent, Tier
from ..workflow import ALERT_WORKFLOW

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def alert_consent_record(
    *, alert: Alert, by: Any, method: str, may_name: bool, photo_allowed: bool, facts_allowed: str,
    tiers: list[str], languages: list[str], public_page_allowed: bool, valid_until: date | None,
    naming_is_a_risk: bool, information_verified: bool, response_plan: bool, benefits_outweigh_risks: bool,
    given_at: datetime | None = None, evidence: Any = None,
) -> AlertConsent:
    """Record the defender's consent to this alert and the checklist answered with it. A later
    consent replaces an earlier one for this alert (the latest recorded is the one in force)."""
    unknown = sorted(set(tiers) - set(Tier.values))
    if unknown:
        raise AlertError("Unknown recipient tiers: " + ", ".join(unknown) + ".", code="tiers", field="tiers")
    if set(languages) - LANGUAGES:
        raise AlertError("Choose languages among the supported ones.", code="languages", field="languages")
    if not facts_allowed.strip():
        raise AlertError("Say which facts may be told.", code="facts_allowed", field="facts_allowed")
    with transaction.atomic(), ALERT_WORKFLOW.acting(alert, "record_consent", by=by) as locked:
        record = consent_record(
            defender=locked.defender, by=by, purpose=ConsentPurpose.PUBLIC_ALERT,
            scope=f"Urgent alert {locked.reference}: {facts_allowed.strip()}", method=method, given_at=given_at,
            valid_until=valid_until, evidence=evidence,
        )
        scope = AlertConsent(
            alert=locked, consent=record, may_name=may_name, photo_allowed=photo_allowed,
            facts_allowed=facts_allowed.strip(), tiers=sorted(set(tiers)), languages=sorted(set(languages)),
            public_page_allowed=public_page_allowed, naming_is_a_risk=naming_is_a_risk,
            information_verified=information_verified, response_plan=response_plan,
            benefits_outweigh_risks=benefits_outweigh_risks,
        )
        clean_or_refuse(scope)
        scope.save()
        log_event("alerts.consent.recorded", actor=by, target=locked, data={
            "consent_id": record.pk, "tiers": scope.tiers, "may_name": may_name, "public_page": public_page_allowed,
        })
    return scope


def alert_consent_revoke(*, scope: AlertConsent, by: Any) -> AlertConsent:
    """The defender takes the consent back: every delivery under it that has not left is cancelled
    (protect.delivery), and nothing more goes out under it."""
    consent_revoke(consent=scope.consent, by=by)
    scope.consent.refresh_from_db()
    return scope


def alert_consent_revoke_in_force(*, alert: Alert, by: Any) -> AlertConsent:
    """Revoke the consent in force for this alert (the desk's button): refused, changing nothing,
    when there is none (a second click finds it revoked already and is told so)."""
    with transaction.atomic(), ALERT_WORKFLOW.acting(alert, "revoke_consent", by=by) as locked:
        scope = locked.consent_in_force()
        assert scope is not None  # the step's `when` said so on the locked row
        consent_revoke(consent=scope.consent, by=by)
        log_event("alerts.consent.revoked", actor=by, target=locked, data={"consent_id": scope.consent_id})
    scope.consent.refresh_from_db()
    return scope
