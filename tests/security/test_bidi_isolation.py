"""A name holding a right-to-left override (U+202E) is shown inside its own <bdi>, so it cannot
reorder the words around it on a staff page (a pseudonym from the public form, a display name)."""

from __future__ import annotations

import re

import pytest

from grants.services import grant_record_hotline
from protect.cases.services.routing import case_route
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified, make_user

pytestmark = pytest.mark.django_db

RLO = "\u202e"
PSEUDONYM = f"Heron{RLO}gnp.exe"
DISPLAY_NAME = f"Night desk {RLO}reganam"


def _every_occurrence_is_isolated(html: str, name: str) -> None:
    body = re.sub(r"<title>.*?</title>", "", html, flags=re.S)  # a title is text only: no markup there
    assert name in body
    assert body.count(name) == body.count(f"<bdi>{name}</bdi>"), "a name outside <bdi>"


def test_a_pseudonym_with_a_right_to_left_override_is_isolated_on_the_queue_and_the_case_page(
    client, coordinator, team_africa
):
    from grants.models import Grant

    grant, _ = grant_record_hotline(by=coordinator, defender_data=dict(DEFENDER, pseudonym=PSEUDONYM),
                                    details=details())
    case_route(model=Grant, case_id=grant.pk)
    login_verified(client, coordinator)
    _every_occurrence_is_isolated(client.get("/cases/").content.decode(), PSEUDONYM)
    _every_occurrence_is_isolated(client.get(f"/cases/{grant.reference}/").content.decode(), PSEUDONYM)


def test_a_display_name_with_a_right_to_left_override_is_isolated_on_the_account_pages(client, coordinator):
    colleague = make_user("night-desk", display_name=DISPLAY_NAME)
    login_verified(client, coordinator)
    _every_occurrence_is_isolated(client.get("/accounts/users/").content.decode(), DISPLAY_NAME)
    _every_occurrence_is_isolated(client.get(f"/accounts/users/{colleague.pk}/").content.decode(), DISPLAY_NAME)


def test_a_user_name_with_a_right_to_left_override_is_isolated_in_translated_sentences(client, coordinator):
    odd = make_user(f"ops{RLO}nimda")  # refused by the admin's validator, but accounts predate it
    login_verified(client, coordinator)
    for path in (f"/accounts/2fa/reset/{odd.pk}/", f"/accounts/users/{odd.pk}/disable/", f"/accounts/users/{odd.pk}/"):
        _every_occurrence_is_isolated(client.get(path).content.decode(), odd.username)
