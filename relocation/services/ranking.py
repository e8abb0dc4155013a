"""Ranking host institutions for one relocation: a pure function of plain facts, so it is tested
without a database or a worker, and the same numbers come out of the task, the tests and bench/.

A host that cannot take the relocation at all (the family does not fit, no visa is possible in its
country, no window or no free place covers the dates) is kept in the list, after every host that
fits, with the reason: the caseworker sees why a host they expected is not offered. Among hosts
that fit, the score weighs a common language first (a defender who cannot talk to the host is
isolated), then the offers the family needs, the visa, and how much room is left.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import get_language_info

from ..models import HostInstitution, Offer

LANGUAGE_POINTS = 40
OFFER_POINTS = 10
MISSING_OFFER_POINTS = -8
VISA_EASY_POINTS = 20
SPARE_FAMILY_PLACE_POINTS = 1  # a little room to spare beats a host filled to the last bed
KEEP = 30  # hosts stored per ranking: enough to choose from, small enough to read


@dataclass(frozen=True)
class HostFacts:
    """What matching reads of a host: its public facts, its windows, and the stays that hold its places."""

    id: int
    organisation: str
    city: str
    country: str
    languages: Sequence[str]
    places: int
    family_places: int
    offers: Sequence[str]
    windows: Sequence[tuple[datetime.date, datetime.date]] = ()
    stays: Sequence[tuple[datetime.date, datetime.date]] = ()  # stays holding a place (preparing, in residence)


@dataclass(frozen=True)
class Need:
    """What the caseworker noted for one relocation."""

    family: int  # people travelling with the defender
    starts_on: datetime.date
    ends_on: datetime.date
    languages: Sequence[str] = ()
    offers: Sequence[str] = ()
    visa_easy: Sequence[str] = ()
    visa_impossible: Sequence[str] = ()


@dataclass
class Ranked:
    host_id: int
    score: int = 0
    fits: bool = True
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"host_id": self.host_id, "score": self.score, "fits": self.fits, "reasons": self.reasons}


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code


def _names(codes: Iterable[str]) -> str:
    return ", ".join(language_name(code) for code in codes)


def _offer_names(codes: Iterable[str]) -> str:
    labels = dict(Offer.choices)
    return ", ".join(str(labels.get(code, code)).lower() for code in codes)


def _covered(windows: Sequence[tuple[datetime.date, datetime.date]], start: datetime.date,
             end: datetime.date) -> bool:
    """One window holds the whole stay (windows are what the host promised, not to be stitched)."""
    return any(w_start <= start and end <= w_end for w_start, w_end in windows)


def _free_places(host: HostFacts, start: datetime.date, end: datetime.date) -> int:
    overlapping = sum(1 for s_start, s_end in host.stays if s_start <= end and s_end >= start)
    return host.places - overlapping


def rank_host(host: HostFacts, need: Need) -> Ranked:
    ranked = Ranked(host_id=host.id)
    reasons = ranked.reasons

    def refuse(reason: str) -> None:
        ranked.fits = False
        reasons.append(reason)

    # What rules a host out.
    if need.family > host.family_places:
        refuse(f"No room for the family: {need.family} travel with the defender, "
               f"the host has {host.family_places} family places.")
    elif need.family:
        reasons.append(f"Room for the family of {need.family} ({host.family_places} family places).")
    if host.country in need.visa_impossible:
        refuse(f"No visa is possible for {host.country}, as noted by the caseworker.")
    if not _covered(host.windows, need.starts_on, need.ends_on):
        refuse(f"Not available for the whole stay ({need.starts_on:%Y-%m-%d} to {need.ends_on:%Y-%m-%d}).")
    else:
        reasons.append("Available for the whole stay.")
    free = _free_places(host, need.starts_on, need.ends_on)
    if free < 1:
        refuse("Every place is taken by another stay on these dates.")

    # What makes a host better.
    common = [code for code in need.languages if code in host.languages]
    if common:
        ranked.score += LANGUAGE_POINTS
        reasons.append(f"Speaks {_names(common)}.")
    elif need.languages:
        reasons.append(f"No common language: the host speaks {_names(host.languages) or 'no language listed'}.")
    offered = [code for code in need.offers if code in host.offers]
    missing = [code for code in need.offers if code not in host.offers]
    if offered:
        ranked.score += OFFER_POINTS * len(offered)
        reasons.append(f"Offers {_offer_names(offered)}.")
    if missing:
        ranked.score += MISSING_OFFER_POINTS * len(missing)
        reasons.append(f"Does not offer {_offer_names(missing)}.")
    if host.country in need.visa_easy:
        ranked.score += VISA_EASY_POINTS
        reasons.append(f"A visa for {host.country} is easy to get, as noted by the caseworker.")
    if ranked.fits:
        ranked.score += SPARE_FAMILY_PLACE_POINTS * min(host.family_places - need.family, 5)
    return ranked


def rank_hosts(hosts: Iterable[HostFacts], need: Need, *, keep: int = KEEP) -> list[Ranked]:
    """Hosts that fit first, best score first; ties by host id, so the order never changes by chance."""
    ranked = [rank_host(host, need) for host in hosts]
    ranked.sort(key=lambda r: (not r.fits, -r.score, r.host_id))
    return ranked[:keep]


def host_facts(host: HostInstitution, windows: Mapping[int, list[tuple[datetime.date, datetime.date]]],
               stays: Mapping[int, list[tuple[datetime.date, datetime.date]]]) -> HostFacts:
    """A HostInstitution row (with its windows and stays, read in bulk) as ranking reads it."""
    return HostFacts(
        id=host.pk, organisation=host.organisation, city=host.city, country=host.country,
        languages=list(host.languages), places=host.places, family_places=host.family_places,
        offers=list(host.offers), windows=windows.get(host.pk, []), stays=stays.get(host.pk, []),
    )
