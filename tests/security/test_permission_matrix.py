"""The permission matrix: every route of the project, as every role, from the outside.

Routes are enumerated from the URL resolver, so a new route without a row here fails the test
(`test_every_route_is_in_the_matrix`). Each row says, per role, what a request must get:
OK (the view ran: 2xx, 3xx elsewhere than login, or a 4xx about the input such as 400/405/409),
LOGIN (sent to the login page), DENIED (403), HIDDEN (404: the object's existence is not revealed), NO_TOKEN (401: the partner API takes a token, never a
session; tests/security/test_api_matrix.py tries every token scope on it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from alerts.models import Alert, Recipient
from alerts.services.consent import alert_consent_record
from alerts.services.drafting import alert_approve, alert_draft, alert_publish, alert_submit_for_review
from grants import services
from grants.models import Grant
from protect.cases.services.casefile import case_attach_file
from protect.cases.services.routing import case_route
from relocation.models import Relocation
from relocation.services import host_create, relocation_apply_public, relocation_ask_host, relocation_assess
from tests.alerts.conftest import TEXTS as ALERT_TEXTS
from tests.documents import pdf_bytes
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified
from tests.relocation.conftest import DEFENDER as RELOCATION_DEFENDER
from tests.relocation.conftest import END as RELOCATION_END
from tests.relocation.conftest import START as RELOCATION_START
from tests.relocation.conftest import application
from tests.toykind.models import Toy
from tests.toykind.services import toy_submit

OK, LOGIN, DENIED, HIDDEN, NO_TOKEN = "ok", "login", "denied", "hidden", "no_token"
ROLES = ("anonymous", "caseworker", "caseworker_other_team", "reviewer", "approver", "finance", "coordinator",
         "donor", "partner", "host", "outsider")
STAFF_ROLES = ("caseworker", "caseworker_other_team", "reviewer", "approver", "finance", "coordinator")


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def logged_in(outcome):
    return everyone(outcome) | {"anonymous": LOGIN}


def only(*roles, others=DENIED):
    return logged_in(others) | dict.fromkeys(roles, OK)


# A case of the Africa desk in triage, assigned to `caseworker`: who may even learn it exists.
CASE = only("caseworker", "coordinator") | dict.fromkeys(
    ("caseworker_other_team", "reviewer", "approver", "finance"), HIDDEN
)
# Actions reserved to a role are refused by role before the case is looked up.
CASE_REVIEWER_ACTION = CASE | dict.fromkeys(("caseworker", "caseworker_other_team", "finance"), DENIED)
CASE_FINANCE_ACTION = only("finance", others=DENIED) | {"finance": HIDDEN}  # finance sees no case in triage
CASE_COORDINATOR_ACTION = only("coordinator")
# A relocation of the Africa desk, assessing: its pages are for those who carry relocations; the
# other desk's caseworker may not learn it exists.
RELOCATION = only("caseworker", "coordinator") | {"caseworker_other_team": HIDDEN}
# An alert of the Africa desk in draft, assigned to `caseworker`: finance has no business at the desk.
ALERT = CASE | {"finance": DENIED}
ALERT_WRITER_ACTION = ALERT | dict.fromkeys(("reviewer", "approver"), DENIED)
ALERT_REVIEWER_ACTION = ALERT | dict.fromkeys(("caseworker", "caseworker_other_team"), DENIED)


@dataclass(frozen=True)
class Row:
    method: str
    expect: dict[str, str]


MATRIX: dict[str, Row] = {
    "": Row("get", everyone(OK)),
    "<lang>/": Row("get", everyone(OK)),
    "healthz": Row("get", everyone(OK)),
    "csp-report/": Row("post", everyone(OK)),
    "request/": Row("get", everyone(OK)),
    "request/status/": Row("get", everyone(OK)),
    "request/status/leave/": Row("post", everyone(OK)),
    "<lang>/request/": Row("get", everyone(OK)),
    "<lang>/request/status/": Row("get", everyone(OK)),
    "<lang>/request/status/leave/": Row("post", everyone(OK)),
    "request/received/": Row("get", everyone(OK)),
    "<lang>/request/received/": Row("get", everyone(OK)),
    "accounts/login/": Row("get", everyone(OK)),
    "accounts/logout/": Row("post", everyone(OK)),
    "admin/login/": Row("get", everyone(OK)),
    "accounts/": Row("get", logged_in(OK)),
    "accounts/password/": Row("get", logged_in(OK)),
    "accounts/2fa/setup/": Row("get", logged_in(OK)),
    "accounts/2fa/verify/": Row("get", logged_in(OK)),
    "accounts/2fa/recovery-codes/": Row("get", logged_in(OK)),
    "accounts/2fa/reset/<int:user_id>/": Row("get", only("coordinator")),
    "accounts/users/": Row("get", only("coordinator")),
    "accounts/users/<int:user_id>/": Row("get", only("coordinator")),
    "accounts/users/<int:user_id>/disable/": Row("get", only("coordinator")),
    "accounts/users/<int:user_id>/enrolment-code/": Row("post", only("coordinator")),
    "accounts/users/<int:user_id>/tokens/": Row("post", only("coordinator")),
    "accounts/tokens/<int:token_id>/revoke/": Row("post", only("coordinator")),
    "accounts/partners/": Row("get", only("coordinator")),
    "api/schema/": Row("get", everyone(OK)),
    "api/docs/": Row("get", everyone(OK)),
    **{route: Row("get", everyone(NO_TOKEN)) for route in (
        "api/v1/referrals/", "api/v1/referrals/<str:reference>/", "api/v1/referrals/<str:reference>/messages/",
        "api/v1/alerts/",
        "api/v1/webhooks/", "api/v1/webhooks/<int:pk>/", "api/v1/webhooks/<int:pk>/deliveries/")},
    "audit/": Row("get", only("coordinator")),
    "dashboard/": Row("get", only("donor", "coordinator")),
    "dashboard/export.csv": Row("get", only("donor", "coordinator")),
    "dashboard/export.xlsx": Row("get", only("donor", "coordinator")),
    "dashboard/report/<int:year>/": Row("get", only("donor", "coordinator")),
    "dashboard/report/<int:year>/export.csv": Row("get", only("donor", "coordinator")),
    "dashboard/report/<int:year>/export.xlsx": Row("get", only("donor", "coordinator")),
    "cases/": Row("get", only(*STAFF_ROLES)),
    "cases/review/": Row("get", only("reviewer", "approver", "coordinator")),
    "cases/payments/": Row("get", only("finance", "coordinator")),
    "cases/new/": Row("get", only("caseworker", "caseworker_other_team", "coordinator")),
    "cases/<str:reference>/": Row("get", CASE),
    "cases/<str:reference>/files/<int:file_id>/": Row("get", CASE),
    "cases/<str:reference>/reveal/": Row("post", CASE),
    "cases/<str:reference>/files/": Row("post", CASE),
    "cases/<str:reference>/eligibility/": Row("post", CASE),
    "cases/<str:reference>/ask/": Row("post", CASE),
    "cases/<str:reference>/send-for-review/": Row("post", CASE),
    "cases/<str:reference>/notes/": Row("post", CASE),
    "cases/<str:reference>/new-receipt/": Row("post", CASE),
    "cases/<str:reference>/reject/": Row("post", CASE),
    "cases/<str:reference>/refer/": Row("post", CASE),
    "cases/<str:reference>/withdraw/": Row("post", CASE),
    "cases/<str:reference>/close/": Row("post", CASE),
    "cases/<str:reference>/resume-triage/": Row("post", CASE),
    "cases/<str:reference>/review/": Row("post", CASE_REVIEWER_ACTION),
    "cases/<str:reference>/approve/": Row("post", CASE_REVIEWER_ACTION),
    "cases/<str:reference>/return-to-triage/": Row("post", CASE_REVIEWER_ACTION),
    "cases/<str:reference>/pay/": Row("post", CASE_FINANCE_ACTION),
    "cases/<str:reference>/report/": Row("post", CASE),
    "cases/<str:reference>/waive-report/": Row("post", CASE_COORDINATOR_ACTION),
    "relocation/apply/": Row("get", everyone(OK)),
    "<lang>/relocation/apply/": Row("get", everyone(OK)),
    "relocations/": Row("get", only("caseworker", "caseworker_other_team", "coordinator")),
    "relocations/<str:reference>/": Row("get", RELOCATION),
    "relocations/<str:reference>/files/<int:file_id>/": Row("get", RELOCATION),
    **{f"relocations/<str:reference>/{action}/": Row("post", RELOCATION)
       for action in ("reveal", "notes", "files", "ask", "family", "assess", "match", "start", "extend", "end",
                      "cancel", "matching", "ask-host", "withdraw-request", "checklist", "budget", "budget/remove",
                      "checkin", "new-receipt")},
    "relocations/<str:reference>/concerns/<int:concern_id>/handled/": Row("post", RELOCATION),
    "relocations/hosts/": Row("get", only("coordinator")),
    "relocations/hosts/new/": Row("get", only("coordinator")),
    "relocations/hosts/<int:host_id>/": Row("get", only("coordinator")),
    # The host portal: the host's own relocation (asked of its institution); staff have no business there.
    "host/": Row("get", only("host")),
    "host/<str:reference>/": Row("get", only("host")),
    **{f"host/<str:reference>/{action}/": Row("post", only("host"))
       for action in ("accept", "decline", "arrival", "departure", "concern")},
    # Finance confirms stipends from the payments inbox, and reaches a relocation only once it is in
    # residence (this one is assessing): everyone else is refused by role.
    "relocations/<str:reference>/confirm-stipend/": Row("post", only("finance") | {"finance": HIDDEN}),
    # The toy kind of the tests (tests/toykind): the kernel's case pages, mounted by a new kind.
    "alert-desk/": Row("get", only("caseworker", "caseworker_other_team", "reviewer", "approver", "coordinator")),
    "alert-desk/<str:reference>/": Row("get", ALERT),
    "alert-desk/<str:reference>/notes/": Row("post", ALERT),
    "alert-desk/<str:reference>/files/": Row("post", ALERT),
    "alert-desk/<str:reference>/files/<int:file_id>/": Row("get", ALERT),
    "alert-desk/<str:reference>/reveal/": Row("post", ALERT),
    "alert-desk/<str:reference>/new-receipt/": Row("post", ALERT),
    "alert-desk/<str:reference>/send-for-review/": Row("post", ALERT_WRITER_ACTION),
    "alert-desk/<str:reference>/publish/": Row("post", ALERT_WRITER_ACTION),
    "alert-desk/<str:reference>/update/": Row("post", ALERT_WRITER_ACTION),
    "alert-desk/<str:reference>/close/": Row("post", ALERT_WRITER_ACTION),
    "alert-desk/<str:reference>/withdraw/": Row("post", ALERT_WRITER_ACTION),
    "alert-desk/<str:reference>/approve/": Row("post", ALERT_REVIEWER_ACTION),
    "alert-desk/new/": Row("get", only("caseworker", "caseworker_other_team", "coordinator")),
    **{f"alert-desk/<str:reference>/{action}/": Row("post", ALERT_WRITER_ACTION)
       for action in ("edit", "translate", "consent", "revoke-consent")},
    "alert-desk/<str:reference>/review-translation/": Row("post", ALERT),
    # The recipients of alerts (addresses, web hook secrets): coordinators only.
    "alert-desk/recipients/": Row("get", only("coordinator")),
    "alert-desk/recipients/new/": Row("get", only("coordinator")),
    "alert-desk/recipients/<int:recipient_id>/": Row("get", only("coordinator")),
    "alert-desk/recipients/<int:recipient_id>/deactivate/": Row("post", only("coordinator")),
    "alert-desk/recipients/<int:recipient_id>/reactivate/": Row("post", only("coordinator")),
    "alert-desk/<str:reference>/return-to-draft/": Row("post", ALERT_REVIEWER_ACTION),
    "search/": Row("get", only(*STAFF_ROLES)),
    # The reviewer reviewed the published alert about this defender: one of their cases it may see.
    "defenders/<str:reference>/": Row("get", CASE | {"finance": DENIED, "reviewer": OK}),
    # The public alerts (a published alert whose consent allows its page): the same for everyone.
    "alerts/": Row("get", everyone(OK)),
    "alerts/feed/": Row("get", everyone(OK)),
    "alerts/<slug>/": Row("get", everyone(OK)),
    "<lang>/alerts/": Row("get", everyone(OK)),
    "<lang>/alerts/feed/": Row("get", everyone(OK)),
    "<lang>/alerts/<slug>/": Row("get", everyone(OK)),
    "toys/<str:reference>/": Row("get", CASE),
    "toys/<str:reference>/notes/": Row("post", CASE),
    "toys/<str:reference>/files/": Row("post", CASE),
    "toys/<str:reference>/files/<int:file_id>/": Row("get", CASE),
    "toys/<str:reference>/reveal/": Row("post", CASE),
    "toys/<str:reference>/new-receipt/": Row("post", CASE),
}
# Django's admin: coordinators only (they are the superusers); anyone else logged in gets a 403 page
# that says so (issue 9, item 12), a visitor is sent to log in.
ADMIN = logged_in(DENIED) | {"coordinator": OK}


def _clean(part: str) -> str:
    part = part.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", part)


def all_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + _clean(str(pattern.pattern)))
            elif isinstance(pattern, URLPattern):
                yield prefix + _clean(str(pattern.pattern))

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_route_is_in_the_matrix():
    missing = [route for route in all_routes() if route not in MATRIX and not route.startswith("admin/")]
    assert missing == [], f"add these routes to the permission matrix: {missing}"
    stale = [route for route in MATRIX if route not in all_routes()]
    assert stale == [], f"routes in the matrix that no longer exist: {stale}"


@pytest.fixture
def world(db, team_africa, caseworker, coordinator, partner, outsider, reviewer, host):
    from protect.accounts.services import api_token_issue

    grant, _ = services.grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER), details=details())
    grant = case_route(model=Grant, case_id=grant.pk)
    attached = case_attach_file(
        case=grant, by=caseworker, kind="document",
        uploaded_file=SimpleUploadedFile("note.pdf", pdf_bytes()),
    )
    token, _raw = api_token_issue(user=partner, name="matrix", by=coordinator, scopes=["referrals:read"])
    toy, _ = toy_submit(defender=grant.defender, story="A toy story.")
    toy = case_route(model=Toy, case_id=toy.pk)
    toy_file = case_attach_file(case=toy, by=caseworker, kind="document",
                                uploaded_file=SimpleUploadedFile("toy.txt", b"A toy document."))
    relocation, _ = relocation_apply_public(defender_data=dict(RELOCATION_DEFENDER), details=application())
    relocation = case_route(model=Relocation, case_id=relocation.pk)
    relocation_file = case_attach_file(case=relocation, by=caseworker, kind="document",
                                       uploaded_file=SimpleUploadedFile("visa.txt", b"A visa letter."))
    institution = host_create(by=coordinator, organisation="Casa", city="Lima", country="PE", family_places=3,
                              contacts=[host])
    asked, _ = relocation_apply_public(defender_data=dict(RELOCATION_DEFENDER), details=application())
    asked = relocation_assess(relocation=case_route(model=Relocation, case_id=asked.pk), by=caseworker,
                              assessment="Eligible.")
    relocation_ask_host(relocation=asked, by=caseworker, host=institution, starts_on=RELOCATION_START,
                        ends_on=RELOCATION_END)
    alert = case_route(model=Alert, case_id=alert_draft(by=caseworker, defender=grant.defender, language="en",
                                                        **ALERT_TEXTS).pk)
    alert_file = case_attach_file(case=alert, by=caseworker, kind="document",
                                  uploaded_file=SimpleUploadedFile("alert.txt", b"An alert document."))
    published = case_route(model=Alert, case_id=alert_draft(by=caseworker, defender=grant.defender, language="en",
                                                            **ALERT_TEXTS).pk)
    alert_consent_record(alert=published, by=caseworker, method="written", may_name=False, photo_allowed=False,
                         facts_allowed="Detention only.", tiers=["un"], languages=["en"], public_page_allowed=True,
                         valid_until=None, naming_is_a_risk=True, information_verified=True, response_plan=True,
                         benefits_outweigh_risks=True)
    published = alert_approve(alert=alert_submit_for_review(alert=published, by=caseworker, reviewer=reviewer),
                              by=reviewer)
    published = alert_publish(alert=published, by=caseworker, tiers=["un"])
    recipient = Recipient.objects.create(name="UN desk", channel="email", email="un@example.org", language="en",
                                         tier="un")
    return {"year": 2025, "reference": grant.reference, "file_id": attached.pk, "user_id": outsider.pk, "token_id": token.pk, "pk": 1,
            "lang": "ar", "slug": published.public_slug,
            "toys": {"reference": toy.reference, "file_id": toy_file.pk},
            "relocations": {"reference": relocation.reference, "file_id": relocation_file.pk,
                            "host_id": institution.pk},
            "host": {"reference": asked.reference},
            "alert-desk": {"reference": alert.reference, "file_id": alert_file.pk, "recipient_id": recipient.pk},
            "defenders": {"reference": grant.defender.reference}}


def concrete(route: str, world: dict) -> str:
    for kind in ("toys", "relocations", "alert-desk", "defenders", "host"):
        if route.startswith(f"{kind}/"):
            world = world | world[kind]

    def value(match):
        name = match.group(1).split(":")[-1]
        return str(world.get(name, "999999" if "id" in name else "x"))

    path = re.sub(r"<([\w:]+)>", value, route)
    return "/" + path


def outcome(response) -> str:
    if response.status_code == 503 and response.get("Content-Type") == "application/json":
        return OK  # /healthz saying the worker is down (none runs here) still answered
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        return LOGIN if "/login/" in location else OK
    if response.status_code == 401:
        return NO_TOKEN
    if response.status_code == 403:
        return DENIED
    if response.status_code == 404:
        return HIDDEN
    assert response.status_code < 500, f"server error {response.status_code}"
    return OK


def _client_as(client, request, role):
    if role != "anonymous":
        login_verified(client, request.getfixturevalue(role))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(client, request, world, role, monkeypatch):
    from protect.core import health

    monkeypatch.setattr(health, "WORKER_TIMEOUT_SECONDS", 0.2)
    wrong = []
    for route in all_routes():
        if route.startswith("admin/"):
            continue
        _client_as(client, request, role)  # again each time: the logout routes end the session
        row = MATRIX[route]
        path = concrete(route, world)
        response = getattr(client, row.method)(path)
        got = outcome(response)
        if got != row.expect[role]:
            wrong.append(f"{row.method.upper()} {path}: expected {row.expect[role]}, got {got} ({response.status_code})")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_admin_route_is_for_coordinators_only(client, request, world, role):
    _client_as(client, request, role)
    wrong = []
    for route in (r for r in all_routes() if r.startswith("admin/") and r != "admin/login/"):
        path = concrete(route, world | {"app_label": "grants", "object_id": "999999",
                                        "content_type_id": "1"})
        response = client.get(path)
        got = outcome(response)
        expected = OK if route == "admin/logout/" else ADMIN[role]
        # A coordinator may meet a page that is switched off for everyone (e.g. "add an audit event").
        if got != expected and not (role == "coordinator" and got in (DENIED, HIDDEN)):
            wrong.append(f"GET {path}: expected {expected}, got {got} ({response.status_code})")
    assert wrong == [], "\n".join(wrong)
