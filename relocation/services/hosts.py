"""Host institutions: coordinators add them; contact persons are accounts with the `host` role."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from protect.accounts.permissions import has_role, is_coordinator
from protect.accounts.roles import Role
from protect.audit.services import log_event
from protect.core.errors import PermissionDenied, clean_or_refuse

from ..errors import RelocationError
from ..models import HostAvailability, HostInstitution, Offer

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")  # ISO 639 codes: a host may speak any language


def _checked(*, organisation: str, city: str, country: str, languages: Iterable[str], places: int,
             family_places: int, offers: Iterable[str], accessibility: str, availability: Iterable[tuple[Any, Any]],
             contacts: Iterable[Any]) -> tuple[dict[str, Any], list[tuple[Any, Any]], list[Any]]:
    """The host's facts as stored, or a RelocationError naming the field that is wrong."""
    offers, languages, contacts = sorted(set(offers)), sorted(set(languages)), list(contacts)
    if set(offers) - set(Offer.values):
        raise RelocationError("Choose offers from the list.", code="offers", field="offers")
    if any(not _LANGUAGE_CODE.fullmatch(code) for code in languages):
        raise RelocationError("Choose languages from the list.", code="languages", field="languages")
    if places < 1:
        raise RelocationError("A host has at least one place.", code="places", field="places")
    if family_places < 0:
        raise RelocationError("Family places cannot be negative.", code="family_places", field="family_places")
    if any(not has_role(user, Role.HOST) for user in contacts):
        raise RelocationError("Contact persons are accounts with the host role.", code="contacts", field="contacts")
    windows = sorted(availability)
    if any(ends < starts for starts, ends in windows):
        raise RelocationError("An availability window cannot end before it starts.", code="end_before_start",
                              field="availability")
    facts = {"organisation": organisation.strip(), "city": city.strip(), "country": country.strip().upper(),
             "languages": languages, "places": places, "family_places": family_places, "offers": offers,
             "accessibility": accessibility.strip()}
    return facts, windows, contacts


def host_create(
    *, by: Any, organisation: str, city: str, country: str, languages: Iterable[str] = (), places: int = 1,
    family_places: int = 0, offers: Iterable[str] = (), accessibility: str = "",
    availability: Iterable[tuple[Any, Any]] = (), contacts: Iterable[Any] = (),
) -> HostInstitution:
    if not is_coordinator(by):
        raise PermissionDenied("Only a coordinator adds a host institution.")
    facts, windows, contacts = _checked(
        organisation=organisation, city=city, country=country, languages=languages, places=places,
        family_places=family_places, offers=offers, accessibility=accessibility, availability=availability,
        contacts=contacts)
    with transaction.atomic():
        host = HostInstitution(**facts)
        clean_or_refuse(host)
        host.save()
        host.contacts.set(contacts)
        HostAvailability.objects.bulk_create(HostAvailability(host=host, starts_on=s, ends_on=e) for s, e in windows)
        log_event("relocation.host.created", actor=by, target=host, data={"places": places,
                                                                          "family_places": family_places})
    return host


def host_update(
    *, host: HostInstitution, by: Any, organisation: str, city: str, country: str, languages: Iterable[str] = (),
    places: int = 1, family_places: int = 0, offers: Iterable[str] = (), accessibility: str = "",
    availability: Iterable[tuple[Any, Any]] = (), contacts: Iterable[Any] = (), is_active: bool = True,
) -> HostInstitution:
    """Change a host's facts, windows and contact persons. Stays already matched keep their host:
    fewer places or a closed window binds only the next match (the guards read the new facts)."""
    if not is_coordinator(by):
        raise PermissionDenied("Only a coordinator changes a host institution.")
    facts, windows, contacts = _checked(
        organisation=organisation, city=city, country=country, languages=languages, places=places,
        family_places=family_places, offers=offers, accessibility=accessibility, availability=availability,
        contacts=contacts)
    with transaction.atomic():
        locked = HostInstitution.objects.select_for_update().get(pk=host.pk)
        contacts_before = sorted(locked.contacts.values_list("pk", flat=True))
        windows_before = sorted(locked.availability.values_list("starts_on", "ends_on"))
        for name, value in facts.items():
            setattr(locked, name, value)
        locked.is_active = is_active
        clean_or_refuse(locked)
        locked.save()
        locked.contacts.set(contacts)
        if windows != windows_before:
            locked.availability.all().delete()
            HostAvailability.objects.bulk_create(HostAvailability(host=locked, starts_on=s, ends_on=e)
                                                 for s, e in windows)
        log_event("relocation.host.updated", actor=by, target=locked, data={
            "places": places, "family_places": family_places, "is_active": is_active,
            "contacts_changed": sorted(u.pk for u in contacts) != contacts_before})
    return locked
