"""The staff search box: a case of any kind by its reference, a defender by reference, pseudonym,
or exact name, phone or e-mail through the blind indexes. Reads only, every one scoped.

No plaintext is searched: a name, phone or e-mail is turned into the same keyed hashes the
defenders' index columns hold (protect.crypto.blind), so the query matches exactly or not at all,
and nothing is decrypted to answer it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from protect.accounts.permissions import has_any_role
from protect.accounts.roles import CASE_HANDLERS
from protect.crypto.blind import EMAIL, PHONE, blind_index_or_blank, name_country_index
from protect.defenders.models import Defender
from protect.defenders.regions import REGION_OF_COUNTRY

from .models import Case
from .registry import case_models
from .selectors import DEFENDER_DEFERRED, cases_visible_to, defenders_reachable_by

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 20
DEFENDER_COLUMNS = tuple(name.removeprefix("defender__") for name in DEFENDER_DEFERRED)  # encrypted: never listed


@dataclass
class SearchResults:
    query: str
    cases: list[Case] = field(default_factory=list)
    defenders: list[Defender] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cases) + len(self.defenders)


def _person_indexes(query: str) -> Q:
    """The blind-index conditions a typed name, phone or e-mail can match. A name is indexed with
    its country, which the search box does not ask for: it is tried with every country (a few
    hundred HMACs, microseconds each), still an exact match."""
    condition = Q(pk__in=[])
    if phone := blind_index_or_blank(PHONE, query) if any(ch.isdigit() for ch in query) else "":
        condition |= Q(phone_index=phone)
    if "@" in query and (email := blind_index_or_blank(EMAIL, query)):
        condition |= Q(email_index=email)
    names = [index for country in REGION_OF_COUNTRY if (index := name_country_index(query, country))]
    if names:
        condition |= Q(name_country_index__in=names)
    return condition


def staff_search(user: Any, query: str) -> SearchResults:
    """What `user` may see that matches `query`. Cases for every case role (finance finds the
    grants it pays by reference); defenders only for those who work on a case's substance."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    results = SearchResults(query=query)
    if not query:
        return results
    reference = query.upper().replace(" ", "")
    for model in case_models():
        results.cases += list(cases_visible_to(user, model).filter(reference=reference).defer(*DEFENDER_DEFERRED))
    if has_any_role(user, CASE_HANDLERS):
        matches = Q(reference=reference) | _person_indexes(query)
        if len(query) >= 2:
            matches |= Q(pseudonym__icontains=query)
        results.defenders = list(defenders_reachable_by(user).filter(matches).defer(*DEFENDER_COLUMNS)
                                 .order_by("pseudonym", "pk")[:MAX_RESULTS])
    return results
