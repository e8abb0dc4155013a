"""The matching worker: the caseworker's criteria queue a ranking that a real Celery worker stores,
with reasons; a stale or repeated run stores nothing."""

from __future__ import annotations

import datetime
import time

import pytest

from relocation.models import HostMatching
from relocation.services import relocation_rank_hosts, relocation_set_matching
from tests.relocation.conftest import END, START

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ALL_YEAR = [(datetime.date(2031, 1, 1), datetime.date(2031, 12, 31))]


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _ranked(relocation, version):
    matching = HostMatching.objects.filter(relocation=relocation).first()
    return matching is not None and matching.ranked_version == version


def test_the_worker_ranks_the_hosts_for_the_caseworkers_criteria(celery_worker_process, relocation_in, caseworker,
                                                                 host_of):
    relocation = relocation_in("host_matching")  # the defender and two family members
    ghent = host_of(organisation="Ghent", languages=["en", "fr"], availability=ALL_YEAR)
    tunis = host_of(organisation="Tunis", country="TN", languages=["ar", "fr"], availability=ALL_YEAR,
                    offers=["housing", "psychosocial"])
    small = host_of(organisation="Small", languages=["ar"], family_places=1, availability=ALL_YEAR)

    relocation_set_matching(relocation=relocation, by=caseworker, wanted_from=START, wanted_until=END,
                            languages=["ar"], needs=["housing", "psychosocial"])
    _wait_for(lambda: _ranked(relocation, 1), 30, "the ranking")
    ranking = HostMatching.objects.get(relocation=relocation).ranking
    assert [entry["host_id"] for entry in ranking] == [tunis.pk, ghent.pk, small.pk]
    assert "Speaks Arabic." in ranking[0]["reasons"]
    assert ranking[2]["fits"] is False

    # New criteria: a new version, ranked again; the Tunisian visa is ruled out now.
    relocation_set_matching(relocation=relocation, by=caseworker, wanted_from=START, wanted_until=END,
                            languages=["ar"], needs=["housing"], visa_impossible=["TN"])
    _wait_for(lambda: _ranked(relocation, 2), 30, "the second ranking")
    ranking = HostMatching.objects.get(relocation=relocation).ranking
    assert (ranking[0]["host_id"], ranking[0]["fits"]) == (ghent.pk, True)
    assert relocation_rank_hosts(relocation_id=relocation.pk, version=1) is None  # stale: nothing stored
    assert relocation_rank_hosts(relocation_id=relocation.pk, version=2) is None  # done: nothing twice
    assert HostMatching.objects.get(relocation=relocation).ranking == ranking


def test_the_same_criteria_sent_twice_queue_one_ranking(relocation_in, caseworker, host_of, audit_actions):
    relocation = relocation_in("host_matching")
    for _ in range(2):
        matching = relocation_set_matching(relocation=relocation, by=caseworker, wanted_from=START,
                                           wanted_until=END, languages=["ar"])
    assert matching.version == 1
    assert audit_actions("relocation.relocation.matching_set") == ["relocation.relocation.matching_set"]
