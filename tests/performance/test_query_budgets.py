"""Query budgets: each list page and list endpoint runs exactly the queries named here, at two sizes,
so an N+1 (or a query nobody meant) fails CI. The grants queue and the case page have theirs in
tests/grants/test_queue_queries.py; lists whose budget is proved elsewhere as "the same for few and
many" are named at the end of this module."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def spent(client, path, **extra) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    assert response.status_code == 200, (path, response.status_code)
    return [q["sql"] for q in captured.captured_queries]


def assert_budget(client, path, budget: list[str], **extra) -> None:
    client.get(path, **extra)  # the first request of a session may write more
    queries = spent(client, path, **extra)
    assert len(queries) == len(budget), "\n".join(q[:300] for q in queries)


from tests.api.conftest import Partner, grant_body  # noqa: E402

# Every request of a staff page starts and ends with these (middleware and decorators).
STAFF = ["session: load", "user: load", "second factor: the session's device (django-otp)",
         "roles: the user's groups (role_required)"]
# Every partner API request: the token (with its user and roles) and the audit event of the read.
PARTNER = ["token: look up by its prefix, with its user and their roles (a row per group)"]

REFERRALS_LIST = [
    *PARTNER,
    "the page of the partner's referrals with their cases' status, urgency and dates, still referred by this "
    "partner (api_referralstatus, a view joining each kind; one more row than the page: the next cursor)",
    "the read's trace: api_tokenrequest (what this token asked for, and the answer)",
]


def test_the_referrals_list_costs_the_same_at_page_sizes_2_and_5(americas_caseworker):
    partner = Partner("Helpline Sur")
    for n in range(6):
        partner.refer(grant_body(pseudonym=f"Budget {n}"))
    for size in (2, 5):
        assert_budget(partner.client, f"/api/v1/referrals/?page_size={size}", REFERRALS_LIST)


ALERTS_LIST = [
    *PARTNER,
    "the page of public alerts (published or closed, consent in force), with defender and data key",
    "their translations (prefetched: the reader's language, else the source)",
    "their updates with their translations (prefetched)",
    "their consents in force (prefetched: what may be shown)",
    "the read's trace: api_tokenrequest",
]


def test_the_api_alerts_list_costs_the_same_for_one_and_three_alerts(alert_in):
    reader = Partner("Reader", scopes=["alerts:read"])
    alert_in("published")
    assert_budget(reader.client, "/api/v1/alerts/", ALERTS_LIST)
    alert_in("published")
    alert_in("published")
    assert_budget(reader.client, "/api/v1/alerts/", ALERTS_LIST)


PAYMENTS = [
    *STAFF,
    "grants to pay (approved or disbursing, visible to finance)",
    "their disbursements (prefetched: what is paid so far)",
    "relocation stipends due (the relocation section of the kernel's payments inbox)",
]


def test_the_payments_inbox_costs_the_same_for_one_and_three_grants(client, finance, grant_in):
    login_verified(client, finance)
    grant_in("approved")
    assert_budget(client, "/cases/payments/", PAYMENTS)
    grant_in("approved")
    grant_in("approved")
    assert_budget(client, "/cases/payments/", PAYMENTS)


REVIEW_INBOX = [
    *STAFF,
    "grants sent to the reviewer (as reviewer or second approver), with defender, team and caseworker",
]


def test_the_review_inbox_costs_the_same_for_one_and_three_grants(client, reviewer, grant_in):
    login_verified(client, reviewer)
    grant_in("under_review")
    assert_budget(client, "/cases/review/", REVIEW_INBOX)
    grant_in("under_review")
    grant_in("under_review")
    assert_budget(client, "/cases/review/", REVIEW_INBOX)


SEARCH = [
    *STAFF,
    "team ids of the user (the case scope)",
    # One query per installed kind of case (the test settings add tests/toykind): grants,
    # relocations, alerts, toys, by reference, each in the user's scope.
    "grants", "relocations", "alerts", "toys",
    "defenders by reference, pseudonym or blind-index hash, in the user's scope",
    # The search is audited (cases.search.ran, counts only): log_event's own transaction.
    "SAVEPOINT", "audit: the chain lock", "audit: the last event's sequence and hash", "audit: insert the event",
    "RELEASE SAVEPOINT",
]


def test_search_costs_the_same_for_one_and_three_results(client, caseworker, hotline_grant):
    login_verified(client, caseworker)
    hotline_grant()  # each with a defender of their own, all pseudonymed "Kestrel"
    assert_budget(client, "/search/?q=Kestrel", SEARCH)
    hotline_grant()
    hotline_grant()
    assert len(client.get("/search/?q=Kestrel").context["defenders"]) == 3
    assert_budget(client, "/search/?q=Kestrel", SEARCH)


AUDIT_PAGE = [
    *STAFF,
    "the people of the 'person' filter (id and user name only)",
    # Reading the audit log is itself audited: log_event's own transaction.
    "SAVEPOINT", "audit: the chain lock", "audit: the last event's sequence and hash", "audit: insert the event",
    "RELEASE SAVEPOINT",
    "the page of events (one more than the page: is there a next one)",
    # Names of the page's targets: one query per kind of target on the page (here accounts only),
    # never one per event; actors come with their label.
    "the user names of the page's target accounts, by id",
]


def test_the_audit_page_costs_the_same_for_few_and_many_events(client, coordinator):
    from protect.audit.services import log_event
    from tests.helpers import make_user

    login_verified(client, coordinator)
    log_event("tests.thing.happened", actor=coordinator, target=coordinator, data={"n": 0})
    assert_budget(client, "/audit/", AUDIT_PAGE)
    for n in range(60):  # more than a page (50)
        log_event("tests.thing.happened", actor=make_user(f"actor{n}"), target=coordinator, data={"n": n})
    assert_budget(client, "/audit/", AUDIT_PAGE)


USERS_LIST = [
    *STAFF,
    "the accounts",
    "their roles (prefetched)",
    "their teams (prefetched)",
]


def test_the_users_list_costs_the_same_for_few_and_many_accounts(client, coordinator):
    from tests.helpers import make_user

    login_verified(client, coordinator)
    assert_budget(client, "/accounts/users/", USERS_LIST)
    for n in range(25):
        make_user(f"staff{n}", "caseworker")
    assert_budget(client, "/accounts/users/", USERS_LIST)


ALERT_DESK = [
    *STAFF,
    "team ids of the user (the case scope)",
    "the alerts in the user's scope, by state",
    "the alerts waiting for a follow-up update",
]


def test_the_alert_desk_costs_the_same_for_one_and_four_alerts(client, alert_in, caseworker):
    alert_in("draft")
    login_verified(client, caseworker)
    assert_budget(client, "/alert-desk/", ALERT_DESK)
    for _ in range(3):
        alert_in("in_review")
    assert_budget(client, "/alert-desk/", ALERT_DESK)


RELOCATION_BOARD = [
    *STAFF,
    "team ids of the user (the case scope)",
    # Every column of the board in one statement (requested, assessing, host matching, preparing, in
    # residence, extended, ended, cancelled): each stage's first 50 numbered by a window, with the
    # defender and the host joined and the host flags read for those rows only.
    "the board's rows",
    "follow-up check-ins due, with their relocations",
]


def test_the_relocation_board_costs_the_same_for_one_and_seven_relocations(client, relocation_in, caseworker,
                                                                          host_of):
    login_verified(client, caseworker)
    relocation_in("assessing")
    assert_budget(client, "/relocations/", RELOCATION_BOARD)
    for _ in range(3):
        relocation_in("preparing", host=host_of(places=5))
        relocation_in("assessing")
    assert_budget(client, "/relocations/", RELOCATION_BOARD)


HOST_PORTAL = [
    *STAFF,
    "the host institutions the user is a contact of",
    "their stays (relocations placed with them; no narrative columns)",
    "the requests sent to them, awaiting an answer",
    "the requests' relocations (prefetched, ids only)",
    "family members of the stays (age bands only, prefetched)",
]


def test_the_host_portal_costs_the_same_for_one_and_four_stays(client, relocation_in, host, host_of):
    roomy = host_of(organisation="Roomy", places=10, family_places=5, contacts=[host])
    relocation_in("in_residence", host=roomy)
    login_verified(client, host)
    assert_budget(client, "/host/", HOST_PORTAL)
    for _ in range(3):
        relocation_in("in_residence", host=roomy)
    assert_budget(client, "/host/", HOST_PORTAL)
