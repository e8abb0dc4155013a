"""Ranking hosts is a pure function of plain facts: what rules a host out, and how the rest are
weighed, each with a reason in plain words (no database, no worker)."""

from __future__ import annotations

import datetime

from relocation.services.ranking import HostFacts, Need, rank_hosts

START, END = datetime.date(2031, 3, 1), datetime.date(2031, 8, 31)
ALL_YEAR = [(datetime.date(2031, 1, 1), datetime.date(2031, 12, 31))]


def host(id, **overrides):
    values = {"id": id, "organisation": f"Host {id}", "city": "Ghent", "country": "BE", "languages": ["en"],
              "places": 1, "family_places": 3, "offers": ["housing"], "windows": ALL_YEAR, "stays": []}
    return HostFacts(**(values | overrides))


def need(**overrides):
    values = {"family": 2, "starts_on": START, "ends_on": END, "languages": ["ar"], "offers": ["housing"]}
    return Need(**(values | overrides))


def test_a_common_language_ranks_a_host_first_and_says_so():
    ranked = rank_hosts([host(1, languages=["en"]), host(2, languages=["ar", "fr"])], need())
    assert [r.host_id for r in ranked] == [2, 1]
    assert "Speaks Arabic." in ranked[0].reasons
    assert any(reason.startswith("No common language") for reason in ranked[1].reasons)


def test_a_host_without_room_for_the_whole_family_is_ruled_out_with_the_reason():
    ranked = rank_hosts([host(1, family_places=1, languages=["ar"]), host(2)], need(family=2))
    assert [(r.host_id, r.fits) for r in ranked] == [(2, True), (1, False)]
    assert "No room for the family: 2 travel with the defender, the host has 1 family places." in ranked[1].reasons


def test_dates_must_fall_in_one_availability_window():
    spring_only = [(datetime.date(2031, 1, 1), datetime.date(2031, 5, 31))]
    ranked = rank_hosts([host(1, windows=spring_only, languages=["ar"]), host(2, windows=[])], need())
    assert [r.fits for r in ranked] == [False, False]
    assert all("Not available for the whole stay (2031-03-01 to 2031-08-31)." in r.reasons for r in ranked)


def test_a_host_whose_places_are_taken_by_overlapping_stays_is_ruled_out():
    busy = [(datetime.date(2031, 8, 1), datetime.date(2031, 12, 1))]
    ranked = rank_hosts([host(1, stays=busy), host(2, places=2, stays=busy)], need())
    assert [(r.host_id, r.fits) for r in ranked] == [(2, True), (1, False)]
    assert "Every place is taken by another stay on these dates." in ranked[1].reasons


def test_offers_that_match_the_needs_count_and_missing_ones_are_named():
    ranked = rank_hosts([host(1, offers=["housing"]), host(2, offers=["housing", "psychosocial"])],
                        need(offers=["housing", "psychosocial"]))
    assert [r.host_id for r in ranked] == [2, 1]
    assert "Offers housing, psychosocial care." in ranked[0].reasons
    assert "Does not offer psychosocial care." in ranked[1].reasons


def test_the_caseworkers_visa_notes_rule_out_or_favour_a_country():
    ranked = rank_hosts([host(1, country="US"), host(2, country="DE"), host(3, country="BE")],
                        need(visa_easy=["DE"], visa_impossible=["US"]))
    assert [(r.host_id, r.fits) for r in ranked] == [(2, True), (3, True), (1, False)]
    assert "A visa for DE is easy to get, as noted by the caseworker." in ranked[0].reasons
    assert "No visa is possible for US, as noted by the caseworker." in ranked[2].reasons


def test_the_order_is_the_same_every_time_and_the_list_is_capped():
    hosts = [host(i) for i in range(100, 0, -1)]
    first, second = rank_hosts(hosts, need(), keep=10), rank_hosts(list(reversed(hosts)), need(), keep=10)
    assert [r.host_id for r in first] == [r.host_id for r in second] == list(range(1, 11))
