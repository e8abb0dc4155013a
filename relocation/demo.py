"""Demo relocations: three invented host institutions (the demo `host` user speaks for the first)
and relocations at every stage, written through the services.

Found by seed_demo's autodiscovery (after the users and teams). One application is left
'requested' for the demo's worker to route; the others are routed here so their stage is known."""

from __future__ import annotations

import datetime

from django.core.management.base import OutputWrapper

from protect.accounts.models import User
from protect.cases.services.routing import case_route
from protect.core import demo

from . import services
from .models import HostInstitution, Relocation
from .services import ApplicationDetails, FamilyDetails


def _apply(pseudonym: str, country: str, language: str, family: list[FamilyDetails], *, route: bool = True,
           ) -> Relocation:
    relocation, _secrets = services.relocation_apply_public(
        defender_data={"pseudonym": pseudonym, "legal_name": f"{pseudonym} (invented person)", "country": country,
                       "profiles": ["land_environment"]},
        details=ApplicationDetails(
            applicant="third_party", urgency="high", language=language, family=family,
            risk="Threatened after documenting forced evictions; a colleague was detained last month.",
            why_relocation="Protective measures at home failed; the threats now name the family.",
            preferred_country="Belgium or Tunisia", visa_plan="Humanitarian visa supported by the host.",
            travel_security_plan="Travel by land to the capital with a trusted driver, then fly.",
            planned_activities="Continue documentation work; rest; digital security training.",
            return_strategy="Return once the trial is over, with a partner's protection plan."))
    if not route:
        return relocation
    routed = case_route(model=Relocation, case_id=relocation.pk)
    assert isinstance(routed, Relocation)
    return routed


@demo.register
def seed(out: OutputWrapper) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["caseworker", "coordinator", "host"])}
    caseworker, coordinator, host_user = users["caseworker"], users["coordinator"], users["host"]
    today = datetime.date.today()
    open_window = [(today - datetime.timedelta(days=30), today + datetime.timedelta(days=500))]
    ghent = services.host_create(
        by=coordinator, organisation="University of Ghent (demo)", city="Ghent", country="BE",
        languages=["en", "fr", "nl"], places=3, family_places=3, offers=["housing", "stipend", "language_courses"],
        accessibility="Step-free guest flats.", availability=open_window, contacts=[host_user])
    tunis = services.host_create(
        by=coordinator, organisation="Tunis shelter programme (demo)", city="Tunis", country="TN",
        languages=["ar", "fr"], places=1, family_places=2, offers=["housing", "psychosocial"],
        availability=open_window)
    services.host_create(
        by=coordinator, organisation="Casa Refugio (demo)", city="Mexico City", country="MX", languages=["es", "en"],
        places=1, family_places=0, offers=["housing", "training"], availability=open_window)
    adult, child = FamilyDetails("18-64", "Looking for work"), FamilyDetails("0-11", "School place")
    start, end = today + datetime.timedelta(days=30), today + datetime.timedelta(days=210)

    def assessed(pseudonym: str, country: str, language: str, family: list[FamilyDetails]) -> Relocation:
        return services.relocation_assess(relocation=_apply(pseudonym, country, language, family), by=caseworker,
                                          assessment="Eligible: credible, urgent, no other funder.")

    def matched(pseudonym: str, host: HostInstitution, starts_on: datetime.date, ends_on: datetime.date,
                family: list[FamilyDetails]) -> Relocation:
        relocation = assessed(pseudonym, "KE", "en", family)
        if host == ghent:
            services.relocation_ask_host(relocation=relocation, by=caseworker, host=host, starts_on=starts_on,
                                         ends_on=ends_on, practical_needs="A quiet room; a school nearby.")
        if host == ghent:
            return services.host_accept(relocation=relocation, by=host_user)
        # A host without a portal account agreed by phone: the caseworker records the match.
        return services.relocation_match(relocation=relocation, by=caseworker, host=host, starts_on=starts_on,
                                         ends_on=ends_on)

    _apply("Acacia", "KE", "en", [adult], route=False)  # requested: the worker routes it
    _apply("Tamarind", "KE", "fr", [])  # assessing

    # Host matching, ranked: the caseworker picks a host from the list.
    ranked = assessed("Cedar", "KE", "en", [adult, child])
    criteria = services.relocation_set_matching(
        relocation=ranked, by=caseworker, wanted_from=start, wanted_until=end, languages=["ar", "fr"],
        needs=["housing", "psychosocial"], visa_easy=["TN"])
    services.relocation_rank_hosts(relocation_id=ranked.pk, version=criteria.version)

    # Host matching, the demo host asked in its portal: log in as `host` to accept or decline.
    asked = assessed("Olive", "KE", "en", [child])
    services.relocation_ask_host(relocation=asked, by=caseworker, host=ghent, starts_on=start, ends_on=end,
                                 practical_needs="Ground floor; a school place for a child of 8.")

    matched("Fig", ghent, start, end, [adult])  # preparing: accepted by the host
    in_residence = matched("Palm", ghent, today - datetime.timedelta(days=20), today + datetime.timedelta(days=160),
                           [adult, child])
    services.host_confirm_arrival(relocation=in_residence, by=host_user)
    # A budget with a monthly stipend, and the month begun written now as beat would: finance has a
    # stipend to confirm in /cases/payments/ as soon as the demo starts.
    services.relocation_add_budget_line(relocation=in_residence, by=caseworker, kind="travel", amount_minor=90_000,
                                        currency="EUR", note="Flights for three.")
    services.relocation_add_budget_line(relocation=in_residence, by=caseworker, kind="stipend", amount_minor=45_000,
                                        currency="EUR")
    services.relocation_create_stipends(relocation_id=in_residence.pk, today=today)
    services.host_report_concern(relocation=in_residence, by=host_user,
                                 body="A car waited outside the residence two evenings in a row.")
    ended = matched("Willow", tunis, today - datetime.timedelta(days=25), today - datetime.timedelta(days=1), [])
    services.relocation_start_residence(relocation=ended, by=caseworker)
    services.relocation_end(relocation=ended, by=caseworker)
    services.relocation_cancel(relocation=assessed("Juniper", "KE", "en", []), by=caseworker,
                               reason="The defender found safety with family abroad.")
    out.write("Demo relocations: 3 hosts (the `host` user speaks for the Ghent one), 8 relocations at every stage, "
              "a stipend for finance to confirm.\n")
