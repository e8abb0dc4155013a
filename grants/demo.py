"""Demo grants: a handful of invented cases at every stage, written through the services.

Found by seed_demo's autodiscovery (after the users, teams and defenders). Two requests are left
'submitted' so that the demo's own Celery worker routes them when it starts."""

from __future__ import annotations

import datetime

from django.core.management.base import OutputWrapper

from protect.accounts.models import User
from protect.cases.services.casefile import case_ask_requester
from protect.cases.services.routing import case_route
from protect.cases.services.transitions import case_transition
from protect.core import demo
from protect.defenders.models import Defender

from . import services
from .models import Grant
from .services import RequestDetails


def _details(**overrides: object) -> RequestDetails:
    values: dict[str, object] = {
        "risk_kinds": ["threats", "judicial_harassment"], "urgency": "high", "needs": ["legal"],
        "amount_requested_minor": 250_000, "currency": "EUR",
        "incident": "Charged with 'spreading false news' after publishing a report on evictions.",
        "threat": "Hearing in ten days; pre-trial detention requested by the prosecutor.",
        "need_details": "Lawyer's fees for the hearing and the appeal.", "language": "en",
    }
    return RequestDetails(**(values | overrides))  # type: ignore[arg-type]


@demo.register
def seed(out: OutputWrapper) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[n for n, _r, _d in demo.DEMO_USERS])}
    caseworker, reviewer, approver = users["caseworker"], users["reviewer"], users["approver"]
    finance, coordinator = users["finance"], users["coordinator"]
    defenders = {d.pseudonym: d for d in Defender.objects.all()}
    today = datetime.date.today()

    def hotline(pseudonym: str, **overrides: object):
        grant, _ = services.grant_record_hotline(by=caseworker, defender=defenders[pseudonym],
                                                 details=_details(**overrides))
        return case_route(model=Grant, case_id=grant.pk)

    # In triage, with a question waiting for the requester.
    grant = hotline("Kestrel", urgency="critical", needs=["physical_security", "secure_transport"],
                    amount_requested_minor=180_000)
    case_ask_requester(case=grant, by=caseworker, question="Is the safe house still available?")

    # Under review, recommended for approval.
    grant = hotline("Baobab", language="fr")
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                 verification=["endorser_contacted"], note="Endorser at the bar association confirmed.")

    # Approved above the second-approval threshold, half paid.
    grant = hotline("Kestrel", needs=["medical", "humanitarian"], amount_requested_minor=700_000)
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                 verification=["partner_asked"], note="Partner confirmed the hospital quote.")
    services.grant_approve(grant=grant, by=reviewer, amount_minor=700_000, second_approver=approver)
    services.grant_approve(grant=grant, by=approver, amount_minor=700_000)
    services.grant_record_disbursement(grant=grant, by=finance, payment_reference="DEMO-PAY-0001",
                                       amount_minor=350_000, payee_kind="third_party",
                                       payee_details="Hospital account", paid_on=today)

    # Fully paid, report waived, closed.
    grant = hotline("Baobab", needs=["digital_security"], amount_requested_minor=90_000)
    services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                      no_other_source=True)
    services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
    services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                 verification=["documents_checked"], note="Quote checked.")
    services.grant_approve(grant=grant, by=reviewer, amount_minor=90_000)
    services.grant_record_disbursement(grant=grant, by=finance, payment_reference="DEMO-PAY-0002",
                                       amount_minor=90_000, payee_kind="defender", payee_details="", paid_on=today)
    services.grant_waive_report(grant=grant, by=coordinator, reason="Receipts would reveal the new phone's owner.")
    case_transition(case=grant, by=caseworker, action="close")

    # Two requests from the public form, left for the worker to route.
    for pseudonym_seed, country, language in (("Sparrow", "EG", "ar"), ("Heron", "KE", "en")):
        services.grant_submit_public(
            defender_data={"pseudonym": pseudonym_seed, "legal_name": f"{pseudonym_seed} (invented person)",
                           "country": country, "profiles": ["journalist"]},
            details=_details(language=language, urgency="critical"),
        )
    out.write("Demo grants: 6 cases at every stage (two waiting for the worker to route them).\n")
