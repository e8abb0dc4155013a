"""Finding a host in a real browser, through the pages only: the caseworker notes what the family
needs, a real Celery worker ranks the hosts, the caseworker asks the best one; the host, in its
portal, sees the family's size and practical needs but nothing of the story, accepts, and confirms
the arrival. JavaScript off in every context."""

from __future__ import annotations

import datetime
import time
from typing import Any
from urllib.parse import urlparse

import pytest

from relocation.models import Relocation
from tests.e2e.test_grant_full_flow import Browsing, _submit, browsing, flash, log_in  # noqa: F401  fixture
from tests.helpers import PASSWORD, current_code, enrol_totp
from tests.relocation.conftest import END, START, applied, host_of, relocation_in  # noqa: F401  fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ALL_YEAR = [(datetime.date(2031, 1, 1), datetime.date(2031, 12, 31))]


def host_logs_in(page: Any, base_url: str, user: Any) -> None:
    device = enrol_totp(user)
    page.goto(base_url + "/accounts/login/?next=/host/")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    _submit(page.get_by_role("button", name="Log in"))
    page.get_by_label("Code").fill(current_code(device))
    _submit(page.get_by_role("button", name="Verify"))
    assert urlparse(page.url).path == "/host/", page.url


def form(page: Any, action: str) -> Any:
    return page.locator(f"main form[action$='/{action}/']")


def test_a_caseworker_ranks_and_asks_a_host_which_accepts_and_confirms_the_arrival(
        celery_worker_process, request, live_server, caseworker, host):
    # Fixtures of other folders, imported above, asked for by name.
    people: Browsing = request.getfixturevalue("browsing")
    walk, add_host = request.getfixturevalue("relocation_in"), request.getfixturevalue("host_of")
    relocation = walk("host_matching")  # the defender and two family members
    add_host(organisation="Ghent University", languages=["en", "fr"], availability=ALL_YEAR)
    add_host(organisation="Tunis shelter", country="TN", languages=["ar", "fr"], availability=ALL_YEAR,
            offers=["housing", "psychosocial"], contacts=[host])
    add_host(organisation="Small flat", languages=["ar"], family_places=1, availability=ALL_YEAR)
    url = f"{live_server.url}/relocations/{relocation.reference}/"

    amina = people.person("caseworker")
    log_in(amina, live_server.url, caseworker)
    amina.goto(url)
    criteria = form(amina, "matching")
    criteria.get_by_label("Stay from").fill(START.isoformat())
    criteria.get_by_label("Stay until").fill(END.isoformat())
    criteria.get_by_label("Languages the family speaks (codes, e.g. ar fr)").fill("ar")
    criteria.get_by_label("Housing").check()
    criteria.get_by_label("Psychosocial care").check()
    _submit(criteria.get_by_role("button", name="Rank the hosts"))
    assert "the hosts are being ranked" in flash(amina)
    deadline = time.monotonic() + 30
    ranking = "main section[aria-labelledby='hosting-h'] table"
    while amina.locator(ranking).count() == 0:  # the worker's ranking, read by reloading the page
        assert time.monotonic() < deadline, "the worker did not rank the hosts"
        time.sleep(0.5)
        amina.reload()
    rows = amina.locator(f"{ranking} tbody tr").all_inner_texts()
    assert [row.split("\t")[1].split(",")[0] for row in rows] == ["Tunis shelter", "Ghent University", "Small flat"]
    assert "Speaks Arabic." in rows[0] and "does not fit" in rows[2]

    ask = form(amina, "ask-host")
    assert ask.get_by_label("Host institution").locator("option:checked").inner_text().startswith("Tunis shelter")
    ask.get_by_label("Practical needs the host must know (shared with the host: no story, no names)").fill(
        "Two rooms; a school place for a child of 8.")
    _submit(ask.get_by_role("button", name="Ask this host"))
    assert "The host is asked in its portal." in flash(amina)

    tunis = people.person("host")
    host_logs_in(tunis, live_server.url, host)
    _submit(tunis.get_by_role("link", name=relocation.reference, exact=True))
    page = tunis.locator("main").inner_text()
    assert "Swift" in page and "3 people" in page and "a school place for a child of 8" in page
    assert "Followed and threatened" not in tunis.content() and "Leila Mansour" not in tunis.content()
    _submit(tunis.get_by_role("button", name="Accept: we can receive them"))
    assert "Accepted" in flash(tunis)
    relocation.refresh_from_db()
    assert (relocation.status, relocation.host.organisation, relocation.starts_on) == ("preparing", "Tunis shelter",
                                                                                        START)
    _submit(tunis.get_by_role("button", name="Confirm the arrival"))
    assert "Arrival confirmed" in flash(tunis)
    assert Relocation.objects.get(pk=relocation.pk).status == "in_residence"

    amina.reload()
    assert "Tunis shelter" in amina.locator("main").inner_text() and "In residence" in amina.content()
    people.assert_clean()
