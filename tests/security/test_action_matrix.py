"""Every POST action of a case, for every role, with the case in a state where the action could
apply (tests/security/test_permission_matrix.py walks every route on a case in triage). The post
carries valid input, so what answers is the rule (the role on the page, then the workflow table
and the service), never a form error. An action refused changes nothing.

DONE: the action was taken (redirect to the case, or the revealed page); DENIED: 403; HIDDEN: 404
(the case is not the user's to see); REFUSED: 409, a rule of the table said no for this case now;
LOGIN: sent to log in."""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import Alert
from grants import services
from grants.models import Grant
from protect.outbox.models import OutboxMessage
from tests.alerts.conftest import alert_in, consent_for  # noqa: F401  the alerts' fixtures, used here
from tests.grants.conftest import grant_in, hotline_grant  # noqa: F401  the grants' fixtures, used here
from tests.helpers import login_verified
from tests.security.test_permission_matrix import ROLES, all_routes

DONE, DENIED, HIDDEN, REFUSED, LOGIN = "done", "denied", "hidden", "refused", "login"
STAFF = ("caseworker", "caseworker_other_team", "reviewer", "approver", "finance", "coordinator")


def expect(**staff: str) -> dict[str, str]:
    """Staff roles not named may not see the case (HIDDEN); non-staff roles are refused by role."""
    outcome = dict.fromkeys(ROLES, DENIED) | {"anonymous": LOGIN} | dict.fromkeys(STAFF, HIDDEN)
    return outcome | staff


TEAM = {"caseworker": DONE, "coordinator": DONE}  # the case's caseworker (and team), coordinators
NOT_DECIDERS = {"caseworker": DENIED, "caseworker_other_team": DENIED, "finance": DENIED}
ROLE_ONLY = {name: DENIED for name in STAFF}


def _file():
    return {"file": SimpleUploadedFile("statement.txt", b"A statement.")}


def _new_receipt():
    return {"verified_channel": "phone_on_file", "language": "ar", "confirm": "on", "once": secrets.token_urlsafe(24)}


def _payment():
    return {"payment_reference": "SEPA-MATRIX", "amount": "1000", "payee_kind": "defender", "payee_details": "",
            "paid_on": datetime.date.today().isoformat()}


# (route suffix, state of the case, valid input, expected outcome per role)
ACTIONS = [
    ("eligibility/", "triage", {"hrd": "on", "risk": "on", "urgent": "on", "no_other_source": "on"}, expect(**TEAM)),
    ("ask/", "triage", {"question": "Which phone was seized?"}, expect(**TEAM)),
    ("send-for-review/", "eligible", "reviewer", expect(**TEAM)),
    ("reveal/", "triage", {}, expect(**TEAM)),
    ("reveal/", "reporting", {}, expect(**TEAM, reviewer=DONE, finance=DENIED)),
    ("notes/", "triage", {"body": "Called the lawyer."}, expect(**TEAM)),
    ("notes/", "under_review", {"body": "Called the lawyer."}, expect(**TEAM, reviewer=DENIED)),
    ("notes/", "reporting", {"body": "Called the lawyer."}, expect(**TEAM, reviewer=DENIED, finance=DENIED)),
    ("notes/", "closed", {"body": "Called the lawyer."}, expect(**TEAM, finance=DENIED)),
    ("files/", "triage", _file, expect(**TEAM)),
    ("files/", "reporting", _file, expect(**TEAM, reviewer=DENIED, finance=DENIED)),
    ("files/", "closed", _file, expect(**TEAM, finance=DENIED)),
    ("reject/", "triage", {"reason": "Not eligible."}, expect(**TEAM)),
    ("reject/", "under_review", {"reason": "Not eligible."}, expect(caseworker=REFUSED, reviewer=DONE,
                                                                    coordinator=DONE)),
    ("refer/", "triage", {"referred_to": "Another fund", "reason": "Better placed."}, expect(**TEAM)),
    ("withdraw/", "triage", {"reason": "Asked to stop."}, expect(**TEAM)),
    ("resume-triage/", "info_requested", {}, expect(**TEAM)),
    ("review/", "under_review", {"recommendation": "approve", "verification": ["partner_asked"], "note": ""},
     expect(**NOT_DECIDERS, reviewer=DONE, coordinator=DONE)),
    ("approve/", "reviewed", {"amount": "3000"}, expect(**NOT_DECIDERS, reviewer=DONE, coordinator=DONE)),
    ("return-to-triage/", "under_review", {"reason": "Check the endorser."},
     expect(**NOT_DECIDERS, reviewer=DONE, coordinator=DONE)),
    ("pay/", "approved", _payment, expect(**(ROLE_ONLY | {"finance": DONE}))),
    ("pay/", "reporting", _payment, expect(**(ROLE_ONLY | {"finance": REFUSED}))),  # paid in full already
    ("report/", "reporting", {"narrative": "Lawyer paid."}, expect(**TEAM, reviewer=DENIED, finance=DENIED)),
    # Closed: the report is in; those who may receive it are told so (a double click), finance is refused.
    ("report/", "closed", {"narrative": "Lawyer paid."}, expect(**TEAM, finance=DENIED)),
    ("waive-report/", "reporting", {"reason": "Receipts would expose her."}, expect(**(ROLE_ONLY | {"coordinator": DONE}))),
    ("close/", "reported", {}, expect(**TEAM, reviewer=DENIED, finance=DENIED)),
    ("new-receipt/", "triage", _new_receipt, expect(**TEAM)),
    ("new-receipt/", "reporting", _new_receipt, expect(**TEAM, reviewer=DENIED, finance=DENIED)),
    ("new-receipt/", "closed", _new_receipt, expect(**TEAM, finance=DENIED)),
]


def test_every_post_action_of_a_case_is_in_the_action_matrix():
    case_actions = {route.removeprefix("cases/<str:reference>/") for route in all_routes()
                    if route.startswith("cases/<str:reference>/") and route.count("/") == 3}
    posted = {suffix for suffix, *_ in ACTIONS}
    assert case_actions - {"files/<int:file_id>/"} == posted


@pytest.fixture
def grant_at(grant_in, caseworker, reviewer):  # noqa: F811
    def make(state: str) -> Grant:
        if state == "eligible":
            grant = grant_in("triage")
            return services.grant_update_eligibility(grant=grant, by=caseworker, hrd=True, risk=True, urgent=True,
                                                     no_other_source=True)
        if state == "reviewed":
            grant = grant_in("under_review")
            return services.grant_record_review(grant=grant, by=reviewer, recommendation="approve",
                                                verification=["partner_asked"], note="")
        if state == "reported":
            grant = grant_in("reporting")
            services.grant_receive_report(grant=grant, by=caseworker, narrative="Lawyer paid.")
            return Grant.objects.get(pk=grant.pk)
        return grant_in(state)

    return make


def _snapshot(grant: Grant) -> tuple:
    grant = Grant.objects.get(pk=grant.pk)
    return (grant.status, grant.notes.count(), grant.files.count(), grant.messages.count(),
            grant.disbursements.count(), grant.recommendation, grant.eligible_hrd, grant.report_waived_by_id,
            Grant.report.related.related_model.objects.filter(grant=grant).count(), grant.approvals.count(),
            grant.receipt_index)


def _outcome(response, grant: Grant) -> str:
    if response.status_code == 302:
        location = response["Location"]
        return LOGIN if "/login/" in location else (DONE if location == grant.get_absolute_url() else location)
    if response.status_code == 200:
        return DONE
    return {403: DENIED, 404: HIDDEN, 409: REFUSED}.get(response.status_code, f"status {response.status_code}")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_post_action_answers_each_role_as_the_matrix_says(client, request, grant_at, reviewer, role,
                                                                 team_africa, caseworker_other_team, approver):
    cases: dict[str, Grant] = {}
    wrong = []
    for suffix, state, data, expected in ACTIONS:
        if state not in cases:
            cases[state] = grant_at(state)
        grant = cases[state]
        if role != "anonymous":
            login_verified(client, request.getfixturevalue(role))
        payload = {"reviewer": str(reviewer.pk)} if data == "reviewer" else (data() if callable(data) else data)
        before = _snapshot(grant)
        got = _outcome(client.post(f"/cases/{grant.reference}/{suffix}", payload), grant)
        want = expected[role]
        if got != want:
            wrong.append(f"POST {suffix} on a {state} case: expected {want}, got {got}")
        if got != DONE:
            assert _snapshot(grant) == before, f"POST {suffix} on a {state} case as {role} changed the case"
        elif suffix != "reveal/":
            del cases[state]  # the action was taken: the next one needs a fresh case in that state
    assert wrong == [], "\n".join(wrong)


# --- alerts: every POST action of /alert-desk/<reference>/, in a state where it could apply -------
# An alert of the Africa desk drafted by `caseworker`; the reviewer reaches it once it is sent to
# them for review. Finance has no business at the desk (refused by role, like non-staff).

ALERT_TEAM = {"caseworker": DONE, "coordinator": DONE, "finance": DENIED}
ALERT_WRITERS = ALERT_TEAM | {"reviewer": DENIED, "approver": DENIED}  # refused by role before the look-up
ALERT_DECIDERS = {"caseworker": DENIED, "caseworker_other_team": DENIED, "finance": DENIED, "reviewer": DONE,
                  "coordinator": DONE}


def _consent():
    return {"method": "written", "may_name": "described", "facts_allowed": "The detention only.",
            "tiers": ["un"], "languages": ["en"], "valid_until": (datetime.date.today() + datetime.timedelta(days=30))
            .isoformat(), "information_verified": "on", "response_plan": "on", "benefits_outweigh_risks": "on"}


ALERT_TEXTS = {"title": "Lawyer detained", "summary": "Detained on 1 May.", "facts": "Held without charge.",
               "requested_actions": "Call for release."}
ALERT_ACTIONS = [
    ("edit/", "draft", ALERT_TEXTS, expect(**ALERT_WRITERS)),
    ("translate/", "draft", {"language": "es", **ALERT_TEXTS}, expect(**ALERT_WRITERS)),
    # The French translation was written by the caseworker: only someone else may review it.
    ("review-translation/", "draft", {"language": "fr"}, expect(**ALERT_TEAM | {"caseworker": REFUSED})),
    ("consent/", "draft", _consent, expect(**ALERT_WRITERS)),
    ("revoke-consent/", "draft", {}, expect(**ALERT_WRITERS)),
    ("send-for-review/", "draft", "reviewer", expect(**ALERT_WRITERS)),
    ("approve/", "in_review", {}, expect(**ALERT_DECIDERS)),
    ("return-to-draft/", "in_review", {"reason": "Check the facts."}, expect(**ALERT_DECIDERS)),
    ("publish/", "approved", {"tiers": ["un"]}, expect(**ALERT_WRITERS)),
    ("update/", "published", {"news": "Released on bail.", "idempotency_key": "matrix-1"}, expect(**ALERT_WRITERS)),
    ("close/", "published", {"outcome": "released"}, expect(**ALERT_WRITERS)),
    ("withdraw/", "draft", {"reason": "The defender asked us to stop."}, expect(**ALERT_WRITERS)),
    ("notes/", "draft", {"body": "Called the family."}, expect(**ALERT_TEAM)),
    ("notes/", "in_review", {"body": "Called the family."}, expect(**ALERT_TEAM | {"reviewer": DENIED})),
    ("files/", "draft", _file, expect(**ALERT_TEAM)),
    ("reveal/", "draft", {}, expect(**ALERT_TEAM)),
    ("reveal/", "in_review", {}, expect(**ALERT_TEAM | {"reviewer": DONE})),
    # Drafted at the desk, the alert has no requester to give a receipt to: its team is refused.
    ("new-receipt/", "draft", _new_receipt, expect(**ALERT_TEAM | {"caseworker": REFUSED, "coordinator": REFUSED})),
]


def test_every_post_action_of_an_alert_is_in_the_action_matrix():
    prefix = "alert-desk/<str:reference>/"
    alert_actions = {route.removeprefix(prefix) for route in all_routes()
                     if route.startswith(prefix) and route.count("/") == 3}
    assert alert_actions - {"files/<int:file_id>/"} == {suffix for suffix, *_ in ALERT_ACTIONS}


def _alert_snapshot(alert: Alert) -> tuple:
    alert = Alert.objects.get(pk=alert.pk)
    return (alert.status, alert.title, alert.notes.count(), alert.files.count(), alert.updates.count(),
            sorted(alert.translations.values_list("language", "reviewed_by")),
            sorted(alert.consents.values_list("pk", "consent__revoked_at")),
            OutboxMessage.objects.filter(task_name="alerts.distribute").count())


def _alert_outcome(response, alert: Alert) -> str:
    if response.status_code == 302:
        location = response["Location"]
        return LOGIN if "/login/" in location else (DONE if location == alert.get_absolute_url() else location)
    if response.status_code == 200:
        return DONE
    # 400 or 409 with valid input: a rule of alerts said no (the page says which).
    return {403: DENIED, 404: HIDDEN, 400: REFUSED, 409: REFUSED}.get(response.status_code,
                                                                       f"status {response.status_code}")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_post_action_of_an_alert_answers_each_role_as_the_matrix_says(
        client, request, alert_in, reviewer, role, team_africa, caseworker_other_team, approver):  # noqa: F811
    alerts: dict[str, Alert] = {}
    wrong = []
    for suffix, state, data, expected in ALERT_ACTIONS:
        if state not in alerts:
            alerts[state] = alert_in(state)
        alert = alerts[state]
        if role != "anonymous":
            login_verified(client, request.getfixturevalue(role))
        payload = {"reviewer": str(reviewer.pk)} if data == "reviewer" else (data() if callable(data) else data)
        before = _alert_snapshot(alert)
        got = _alert_outcome(client.post(f"/alert-desk/{alert.reference}/{suffix}", payload), alert)
        want = expected[role]
        if got != want:
            wrong.append(f"POST {suffix} on a {state} alert: expected {want}, got {got}")
        if got != DONE:
            assert _alert_snapshot(alert) == before, f"POST {suffix} on a {state} alert as {role} changed it"
        elif suffix != "reveal/":
            del alerts[state]
    assert wrong == [], "\n".join(wrong)
