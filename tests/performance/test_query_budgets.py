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
SESSION_SAVE = ["SAVEPOINT", "session: save (SESSION_SAVE_EVERY_REQUEST)", "RELEASE SAVEPOINT"]
# Every partner API request: the token (with its user) and the audit event of the read.
PARTNER = ["token: look up by its prefix, with its user"]

REFERRALS_LIST = [
    *PARTNER,
    "the partner's roles (the scope check)",
    "the page of the partner's referrals (one more row than the page: the next cursor)",
    "their grants' status, urgency and dates, by id, still referred by this partner (one query per kind)",
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
    "the partner's roles (the scope check)",
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
    *SESSION_SAVE,
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
    *SESSION_SAVE,
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
    *SESSION_SAVE,
]


def test_search_costs_the_same_for_one_and_three_results(client, caseworker, hotline_grant):
    login_verified(client, caseworker)
    hotline_grant()  # each with a defender of their own, all pseudonymed "Kestrel"
    assert_budget(client, "/search/?q=Kestrel", SEARCH)
    hotline_grant()
    hotline_grant()
    assert len(client.get("/search/?q=Kestrel").context["defenders"]) == 3
    assert_budget(client, "/search/?q=Kestrel", SEARCH)
