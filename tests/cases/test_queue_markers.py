"""The queue (issue 9, item 9): deadlines in words in the user's time zone, the "new reply" marker
and its filter, counts on the tabs, the country select."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from grants.models import Grant
from grants.services import grant_record_hotline
from protect.accounts.services import user_set_time_zone
from protect.audit.models import AuditEvent
from protect.cases.deadlines import due_phrase
from protect.cases.services.casefile import case_ask_requester, case_requester_reply
from protect.cases.services.routing import case_route
from protect.core.errors import ProtectError
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("delta", "words"), [
    (datetime.timedelta(hours=5, minutes=40), "due in 5 h"),
    (datetime.timedelta(minutes=20), "due in 20 min"),
    (datetime.timedelta(seconds=10), "due in 1 min"),
    (datetime.timedelta(hours=47), "due in 47 h"),
    (datetime.timedelta(days=3, hours=2), "due in 3 d"),
    (-datetime.timedelta(days=2, hours=5), "overdue by 2 d"),
    (-datetime.timedelta(hours=3), "overdue by 3 h"),
])
def test_a_deadline_reads_as_due_in_or_overdue_by(delta, words):
    assert due_phrase(NOW + delta, NOW) == words


@pytest.fixture
def routed(caseworker, team_africa):
    def make():
        grant, _ = grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER), details=details())
        return case_route(model=Grant, case_id=grant.pk)

    return make


def _rows(response):
    return {row["grant"].reference: row for row in response.context["rows"]}


def test_the_queue_says_due_in_and_overdue_by(client, caseworker, routed):
    late, soon = routed(), routed()
    Grant.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - datetime.timedelta(days=2, hours=1))
    Grant.objects.filter(pk=soon.pk).update(sla_due_at=timezone.now() + datetime.timedelta(hours=5, minutes=30))
    login_verified(client, caseworker)
    response = client.get("/cases/")
    rows = _rows(response)
    assert rows[late.reference]["due"] == "overdue by 2 d" and rows[soon.reference]["due"] == "due in 5 h"
    page = response.content.decode()
    assert "overdue by 2 d" in page and "due in 5 h" in page and 'class="full"' in page


def test_deadlines_are_shown_in_the_users_time_zone(client, caseworker, routed):
    grant = routed()
    due = datetime.datetime(2030, 1, 15, 22, 30, tzinfo=datetime.UTC)
    Grant.objects.filter(pk=grant.pk).update(sla_due_at=due)
    login_verified(client, caseworker)
    assert "2030-01-15 22:30" in client.get("/cases/").content.decode()
    response = client.post("/accounts/", {"time_zone": "Asia/Kolkata"})
    assert response.status_code == 302
    page = client.get("/cases/").content.decode()
    assert "2030-01-16 04:00" in page and "Asia/Kolkata" in page  # UTC+5:30
    assert timezone.get_current_timezone() != zoneinfo.ZoneInfo("Asia/Kolkata")  # not left active after


def test_an_unknown_time_zone_is_refused_and_changes_nothing(client, caseworker):
    login_verified(client, caseworker)
    response = client.post("/accounts/", {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    caseworker.refresh_from_db()
    assert caseworker.time_zone == "UTC"
    with pytest.raises(ProtectError):
        user_set_time_zone(user=caseworker, time_zone="Nowhere/Else", by=caseworker)


def test_setting_the_same_time_zone_twice_is_audited_once(caseworker):
    user_set_time_zone(user=caseworker, time_zone="Africa/Nairobi", by=caseworker)
    user_set_time_zone(user=caseworker, time_zone="Africa/Nairobi", by=caseworker)
    assert AuditEvent.objects.filter(action="accounts.user.time_zone_changed").count() == 1


def test_a_requesters_answer_marks_the_case_until_staff_write_again(client, caseworker, routed):
    asked, quiet = routed(), routed()
    case_ask_requester(case=asked, by=caseworker, question="Which phone was seized?")
    case_requester_reply(case=Grant.objects.get(pk=asked.pk), body="The old Nokia.")
    login_verified(client, caseworker)
    response = client.get("/cases/")
    rows = _rows(response)
    assert rows[asked.reference]["new_reply"] and not rows[quiet.reference]["new_reply"]
    assert response.content.decode().count("new reply</span>") == 1
    assert set(_rows(client.get("/cases/", {"new_reply": "on"}))) == {asked.reference}
    case_ask_requester(case=Grant.objects.get(pk=asked.pk), by=caseworker, question="And the laptop?")
    assert set(_rows(client.get("/cases/", {"new_reply": "on"}))) == set()


def test_the_tabs_show_their_counts_under_the_same_filters(client, coordinator, caseworker, routed):
    routed(), routed()
    login_verified(client, caseworker)
    response = client.get("/cases/")
    # Each count is its label: "1000+" past QUEUE_COUNT_CAP.
    assert [(key, count) for key, _label, count in response.context["scopes"]] == [("mine", "2"), ("team", "2")]
    assert "(2)" in response.content.decode()
    login_verified(client, coordinator)
    response = client.get("/cases/", {"urgency": "critical"})
    assert {count for _key, _label, count in response.context["scopes"]} == {"0"}


def test_the_country_filter_is_a_select_of_named_countries(client, caseworker):
    login_verified(client, caseworker)
    page = client.get("/cases/").content.decode()
    assert '<select name="country"' in page and '<option value="KE">Kenya</option>' in page
