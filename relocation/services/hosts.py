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


def host_create(
    *, by: Any, organisation: str, city: str, country: str, languages: Iterable[str] = (), places: int = 1,
    family_places: int = 0, offers: Iterable[str] = (), accessibility: str = "",
    availability: Iterable[tuple[Any, Any]] = (), contacts: Iterable[Any] = (),
) -> HostInstitution:
    if not is_coordinator(by):
        raise PermissionDenied("Only a coordinator adds a host institution.")
    offers, languages, contacts = sorted(set(offers)), sorted(set(languages)), list(contacts)
    if set(offers) - set(Offer.values):
        raise RelocationError("Choose offers from the list.", code="offers", field="offers")
    if any(not _LANGUAGE_CODE.fullmatch(code) for code in languages):
        raise RelocationError("Choose languages from the list.", code="languages", field="languages")
    if places < 1:
        raise RelocationError("A host has at least one place.", code="places", field="places")
    if any(not has_role(user, Role.HOST) for user in contacts):
        raise RelocationError("Contact persons are accounts with the host role.", code="contacts", field="contacts")
    windows = list(availability)
    if any(ends < starts for starts, ends in windows):
        raise RelocationError("An availability window cannot end before it starts.", code="end_before_start",
                              field="availability")
    with transaction.atomic():
        host = HostInstitution(organisation=organisation.strip(), city=city.strip(), country=country.upper(),
                               languages=languages, places=places, family_places=family_places, offers=offers,
                               accessibility=accessibility.strip())
        clean_or_refuse(host)
        host.save()
        host.contacts.set(contacts)
        HostAvailability.objects.bulk_create(HostAvailability(host=host, starts_on=s, ends_on=e) for s, e in windows)
        log_event("relocation.host.created", actor=by, target=host, data={"places": places,
                                                                          "family_places": family_places})
    return host
