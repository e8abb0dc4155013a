"""The staff lists and the case page: a constant number of queries whatever the number of rows, and
the queue's filters, tabs and cursor pagination return the right rows, earliest deadline first."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grants import services
from grants.models import Grant
from protect.cases.selectors import QUEUE_PAGE_SIZE
from protect.cases.services.casefile import case_add_note, case_ask_requester, case_attach_file, case_requester_reply
from protect.cases.services.routing import case_route
from protect.cases.services.transitions import case_transition
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

# Every staff page starts and ends with the same queries (middleware and decorators):
REQUEST_QUERIES = [
    "session: load",
    "user: load",
    "second factor: the session's device (django-otp)",
    "roles: role_required (User.role_names, cached on the user for the whole request)",
]

QUEUE_QUERIES = [
    *REQUEST_QUERIES,
    "team ids of the user (grants.permissions.team_ids_of)",
    # Each tab's count under the same filters, stopping at QUEUE_COUNT_CAP + 1: a caseworker has two
    # tabs, 'My cases' and 'My team's cases', counted in one statement (protect.core.sql.capped_counts)
    "the count of each tab",
    "the page of grants, with defender and caseworker joined (and each one's last message direction)",
    "the user's unseen notifications",
]

CASE_PAGE_QUERIES = [
    *REQUEST_QUERIES,
    "team ids of the user",
    "the grant, with defender, data key, team, people and report joined",
    "its approvals with their approvers (prefetched: the page and the workflow's rules read them)",
    "may the user act on it (GRANT_WORKFLOW.available's object check, once for every step)",
    "messages with their authors",
    "notes with their authors",
    "files with their encrypted file rows, data keys and uploaders",
    "the defender's profiles (their work, shown with the safe-contact notes)",
    "possible duplicates of the defender (its stored blind indexes, each match's visibility as a subquery)",
    "timeline: audit events with their actors (page views left out)",
    "reviewers to send the case to (the select of 'Send for review')",
    # The page view is audited (it decrypted messages, notes, file names): log_event's own
    # transaction, the chain lock, the previous event, the new event.
    "SAVEPOINT", "audit: the chain lock", "audit: the last event's sequence and hash", "audit: insert the view event",
    "RELEASE SAVEPOINT",
    "the user's notifications about this case: seen now",
]


@pytest.fixture
def many_grants(caseworker, team_africa):
    """n routed grants of the Africa desk for one defender, with deadlines an hour apart, the first
    three already past."""
    from protect.defenders.services import defender_create

    defender = defender_create(by=caseworker, **DEFENDER)

    def make(n: int) -> list[Grant]:
        grants = []
        start = timezone.now() - datetime.timedelta(hours=3, minutes=30)
        for i in range(n):
            grant, _ = services.grant_record_hotline(by=caseworker, defender=defender, details=details())
            grants.append(case_route(model=Grant, case_id=grant.pk))
            # Spread the deadlines (set directly: the test arranges time, no workflow field is touched).
            Grant.objects.filter(pk=grant.pk).update(sla_due_at=start + datetime.timedelta(hours=(i * 7) % n))
        return sorted(Grant.objects.filter(pk__in=[g.pk for g in grants]), key=lambda g: (g.sla_due_at, g.pk))

    return make


def _references(response) -> list[str]:
    return [row["grant"].reference for row in response.context["rows"]]


def test_the_queue_costs_the_same_queries_for_5_and_60_grants(client, caseworker, many_grants,
                                                               django_assert_num_queries):
    login_verified(client, caseworker)
    many_grants(5)
    client.get("/cases/")  # warm: the first request of a session may write more
    with django_assert_num_queries(len(QUEUE_QUERIES)):
        response = client.get("/cases/")
    assert len(response.context["rows"]) == 5
    many_grants(55)
    with django_assert_num_queries(len(QUEUE_QUERIES)):
        response = client.get("/cases/")
    assert len(response.context["rows"]) == QUEUE_PAGE_SIZE and response.context["next_cursor"]
    assert len(QUEUE_QUERIES) == 8


def test_the_queue_is_in_deadline_order_with_overdue_cases_first_and_marked(client, caseworker, many_grants):
    grants = many_grants(8)
    login_verified(client, caseworker)
    response = client.get("/cases/")
    assert _references(response) == [g.reference for g in grants]
    overdue = [row["grant"].reference for row in response.context["rows"] if row["overdue"]]
    assert overdue == [g.reference for g in grants[:4]]  # deadlines 3.5, 2.5, 1.5 and 0.5 hours ago
    assert response.content.decode().count('class="due overdue"') == 4
    assert "Achieng Otieno" not in response.content.decode()  # no encrypted field in a list


def test_the_cursor_pages_through_every_open_case_once(client, coordinator, many_grants):
    grants = many_grants(60)
    login_verified(client, coordinator)
    first = client.get("/cases/")
    cursor = first.context["next_cursor"]
    assert len(_references(first)) == QUEUE_PAGE_SIZE and f"cursor={cursor}" in first.content.decode()
    second = client.get("/cases/", {"cursor": cursor})
    assert second.context["next_cursor"] is None and 'rel="next"' not in second.content.decode()
    assert _references(first) + _references(second) == [g.reference for g in grants]
    # A cursor that does not decode is ignored, never an error page.
    assert client.get("/cases/", {"cursor": "not-a-cursor!"}).status_code == 200


def test_filters_return_the_matching_cases_only(client, coordinator, caseworker, reviewer, team_africa):
    def hotline(defender_data, **overrides):
        grant, _ = services.grant_record_hotline(by=caseworker, defender_data=defender_data,
                                                 details=details(**overrides))
        return case_route(model=Grant, case_id=grant.pk)

    kenya = hotline(dict(DEFENDER), urgency="critical", needs=["legal"])
    uganda = hotline(DEFENDER | {"pseudonym": "Ibis", "legal_name": "Okello Peter", "country": "UG"},
                     urgency="normal", needs=["medical", "humanitarian"])
    asked = hotline(dict(DEFENDER), urgency="high", needs=["digital_security"])
    case_ask_requester(case=asked, by=caseworker, question="Which phone was seized?")
    closed = hotline(dict(DEFENDER), needs=["legal"])
    case_transition(case=closed, by=caseworker, action="withdraw", reason="Asked to stop.")

    login_verified(client, coordinator)

    def refs(**params):
        return set(_references(client.get("/cases/", params)))

    assert refs() == {kenya.reference, uganda.reference, asked.reference}  # open cases by default
    assert refs(urgency="critical") == {kenya.reference}
    assert refs(country="ug") == {uganda.reference}
    assert refs(need="medical") == {uganda.reference}
    assert refs(need="legal") == {kenya.reference}
    assert refs(status="info_requested") == {asked.reference}
    assert refs(status="withdrawn") == {closed.reference}
    assert refs(status="triage", urgency="normal", country="UG", need="humanitarian") == {uganda.reference}
    assert refs(status="nonsense") == refs()  # a value that does not validate is ignored…
    assert refs(status="nonsense", country="UG") == {uganda.reference}  # …the others still apply


def test_tabs_separate_my_cases_my_teams_and_all(client, coordinator, caseworker, caseworker_other_team,
                                                 reviewer, hotline_grant, team_africa):
    from protect.accounts.models import Team

    colleague_grant = hotline_grant()
    colleague_grant = case_route(model=Grant, case_id=colleague_grant.pk)
    # A second Africa caseworker takes the next case (fewest open cases).
    from tests.helpers import make_user

    colleague = make_user("kofi", "caseworker")
    team_africa.members.add(colleague)
    other, _ = services.grant_record_hotline(by=colleague, defender_data=dict(DEFENDER), details=details())
    other = case_route(model=Grant, case_id=other.pk)
    assert other.caseworker == colleague and colleague_grant.caseworker == caseworker
    mena, _ = services.grant_record_hotline(
        by=caseworker_other_team, details=details(),
        defender_data=DEFENDER | {"pseudonym": "Olive", "country": "LB"},
    )
    mena = case_route(model=Grant, case_id=mena.pk)
    assert mena.team == Team.objects.get(name="MENA desk")

    login_verified(client, caseworker)
    assert set(_references(client.get("/cases/"))) == {colleague_grant.reference}
    assert set(_references(client.get("/cases/", {"scope": "team"}))) == {colleague_grant.reference, other.reference}
    # "all" is not a caseworker's tab: it falls back to "mine", never widens what they see.
    assert set(_references(client.get("/cases/", {"scope": "all"}))) == {colleague_grant.reference}
    login_verified(client, coordinator)
    assert set(_references(client.get("/cases/"))) == {colleague_grant.reference, other.reference, mena.reference}


def _grant_with_history(hotline_grant, caseworker, n: int) -> Grant:
    from django.core.files.uploadedfile import SimpleUploadedFile

    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    for i in range(n):
        case_ask_requester(case=grant, by=caseworker, question=f"Question {i}?")
        case_requester_reply(case=grant, body=f"Answer {i}.")
        case_add_note(case=grant, by=caseworker, body=f"Note {i}.")
        case_attach_file(case=grant, by=caseworker, kind="document",
                                   uploaded_file=SimpleUploadedFile(f"doc-{i}.txt", f"Document {i}".encode()))
    return grant


def test_the_case_page_costs_the_same_queries_with_1_and_10_messages_notes_files_and_events(
    client, caseworker, hotline_grant, django_assert_num_queries
):
    small = _grant_with_history(hotline_grant, caseworker, 1)
    large = _grant_with_history(hotline_grant, caseworker, 10)
    login_verified(client, caseworker)
    client.get(f"/cases/{small.reference}/")  # warm the session
    for grant, n in ((small, 1), (large, 10)):
        with django_assert_num_queries(len(CASE_PAGE_QUERIES)):
            response = client.get(f"/cases/{grant.reference}/")
        assert len(response.context["messages_list"]) == 2 * n and len(response.context["notes"]) == n
        assert len(response.context["files"]) == n and len(response.context["timeline"]) >= 4 * n
        assert f"Answer {n - 1}." in response.content.decode()
    assert len(CASE_PAGE_QUERIES) == 21  # 18 before the case kernel, 17 with it, 5 more to audit the view,
    # 1 more for the defender's work beside the safe-contact notes, 1 to mark what the user was told as seen,
    # 3 fewer once the session stopped being saved on every read


def test_the_inboxes_cost_the_same_queries_for_1_and_6_grants(
    client, caseworker, reviewer, finance, hotline_grant, django_assert_num_queries
):
    def approved() -> Grant:
        grant = case_route(model=Grant, case_id=hotline_grant().pk)
        services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                          no_other_source=True)
        services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)
        services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                     verification=["partner_asked"], note="")
        grant = services.grant_approve(grant=grant, by=reviewer, amount_minor=300_000)
        services.grant_record_disbursement(grant=grant, by=finance, payment_reference=f"P-{grant.pk}",
                                           amount_minor=100_000, payee_kind="defender", payee_details="",
                                           paid_on=datetime.date.today())
        return grant

    def to_review() -> Grant:
        grant = case_route(model=Grant, case_id=hotline_grant().pk)
        services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                          no_other_source=True)
        return services.grant_submit_for_review(grant=grant, by=caseworker, reviewer=reviewer)

    # Payments: request queries (roles are read once there and reused), grants, their disbursements
    # (prefetched), relocation stipends (the other section of the one inbox), session save.
    payments_queries = len(REQUEST_QUERIES) + 3
    # Review inbox: request queries, the grants (guardian assignments as subqueries; a reviewer has
    # no team, so no team query), session save.
    review_queries = len(REQUEST_QUERIES) + 1
    login_verified(client, finance)
    approved()
    client.get("/cases/payments/")
    with django_assert_num_queries(payments_queries):
        assert len(client.get("/cases/payments/").context["sections"][0]["rows"]) == 1
    for _ in range(5):
        approved()
    with django_assert_num_queries(payments_queries):
        response = client.get("/cases/payments/")
    assert len(response.context["sections"][0]["rows"]) == 6 and "EUR 1,000.00" in response.content.decode()

    login_verified(client, reviewer)
    to_review()
    client.get("/cases/review/")
    with django_assert_num_queries(review_queries):
        assert len(client.get("/cases/review/").context["rows"]) == 1
    for _ in range(5):
        to_review()
    with django_assert_num_queries(review_queries):
        assert len(client.get("/cases/review/").context["rows"]) == 6


def test_a_tab_counts_up_to_the_cap_and_then_says_more(client, caseworker, many_grants, monkeypatch):
    from protect.cases import selectors as case_selectors

    monkeypatch.setattr(case_selectors, "QUEUE_COUNT_CAP", 2)
    login_verified(client, caseworker)
    many_grants(2)
    assert "(2)" in client.get("/cases/").content.decode()
    many_grants(3)
    page = client.get("/cases/").content.decode()
    assert "(2+)" in page and "(5)" not in page
    assert len(client.get("/cases/").context["rows"]) == 5  # the rows themselves are not capped
