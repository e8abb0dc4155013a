"""Issue 9, item 3: a caseworker gives a requester who called back through a verified channel a new
receipt. The old code and passphrase stop working at once (an open status page too), the new ones
work, the re-issue is audited with the channel, and only those who carry the case may do it: for
grants, relocations and any other kind (the toy kind proves the kernel's part)."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from django.test import Client

from alerts.models import Alert
from alerts.services.drafting import alert_draft
from grants.models import Grant
from grants.services import grant_refer_from_partner, grant_submit_public
from protect.audit.models import AuditEvent
from protect.cases.errors import CaseError
from protect.cases.services.requester import case_reissue_receipt
from protect.cases.services.routing import case_route
from protect.cases.status_page import STATUS_LOGIN_FORM
from protect.core.errors import PermissionDenied
from protect.defenders.services import defender_create
from protect.public.form_token import form_token_issue
from protect.workflow import WorkflowError
from relocation.models import Relocation
from relocation.services import relocation_apply_public
from tests.alerts.conftest import TEXTS as ALERT_TEXTS
from tests.grants.conftest import details
from tests.helpers import login_verified
from tests.relocation.conftest import DEFENDER as RELOCATION_DEFENDER
from tests.relocation.conftest import application
from tests.toykind.models import Toy
from tests.toykind.services import toy_submit

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'<code class="secret"[^>]*>([^<]+)</code>')


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 100_000


@pytest.fixture
def public_grant(team_africa):
    """A grant requested through the public form and routed to the Africa desk (caseworker's)."""
    grant, requester = grant_submit_public(
        defender_data={"pseudonym": "Kestrel", "legal_name": "Achieng Otieno", "country": "KE",
                       "contacts": {"signal": "+254700000001"}, "languages": ["en"]},
        details=details(language="en"))
    return case_route(model=Grant, case_id=grant.pk), requester


def status_login(client, receipt: str, passphrase: str):
    return client.post("/request/status/", {"action": "login", "receipt_code": receipt, "passphrase": passphrase,
                                            "form_token": form_token_issue(purpose=STATUS_LOGIN_FORM,
                                                                           now=time.time() - 10)})


def opened(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/request/status/"


def reissue_form(**overrides):
    return {"verified_channel": "phone_on_file", "language": "ar", "confirm": "on",
            "once": secrets.token_urlsafe(24)} | overrides


def test_the_new_receipt_opens_the_status_page_and_the_old_one_is_refused(client, caseworker, public_grant):
    grant, old = public_grant
    staff = Client()
    login_verified(staff, caseworker)

    page = staff.get(f"/cases/{grant.reference}/").content.decode()
    assert f'action="/cases/{grant.reference}/new-receipt/"' in page and "Issue a new receipt" in page
    response = staff.post(f"/cases/{grant.reference}/new-receipt/", reissue_form(language="ar"))

    assert response.status_code == 200
    code, passphrase = SECRET.findall(response.content.decode())
    assert re.fullmatch(r"[٠-٩]{4}( [٠-٩]{4}){5}", passphrase), "in the script of the language asked for"
    assert not opened(status_login(Client(), old.receipt_code, old.passphrase))
    assert not opened(status_login(Client(), old.receipt_code, passphrase)), "the old code with the new passphrase"
    assert opened(status_login(client, code, passphrase))
    assert "no-store" in response["Cache-Control"]


def test_a_status_page_open_with_the_old_receipt_closes_at_its_next_request(client, caseworker, public_grant):
    grant, old = public_grant
    assert opened(status_login(client, old.receipt_code, old.passphrase))
    assert 'class="status-sentence' in client.get("/request/status/").content.decode()

    case_reissue_receipt(case=grant, by=caseworker, verified_channel="in_person", language="en")

    html = client.get("/request/status/").content.decode()
    assert "Enter your receipt code and passphrase again" in html and 'class="status-sentence' not in html


def test_the_re_issue_is_audited_with_the_verified_channel_and_no_secret(caseworker, public_grant):
    grant, _old = public_grant
    new = case_reissue_receipt(case=grant, by=caseworker, verified_channel="code_word", language="fr")

    event = AuditEvent.objects.get(action="grants.grant.receipt_reissued")
    assert event.actor == caseworker and event.target_id == str(grant.pk)
    assert event.data == {"verified_channel": "code_word", "language": "fr"}
    assert new.passphrase not in str(event.data) and new.receipt_code not in str(event.data)
    staff = Client()
    login_verified(staff, caseworker)
    timeline = staff.get(f"/cases/{grant.reference}/").content.decode().split('id="timeline-h"', 1)[1]
    assert "issued the requester a new receipt" in timeline


def test_a_new_receipt_lifts_the_pause_left_by_wrong_passphrases(client, caseworker, public_grant):
    grant, old = public_grant
    for _ in range(5):
        status_login(Client(), old.receipt_code, "wrong words")
    assert Grant.objects.get(pk=grant.pk).status_locked_until is not None

    new = case_reissue_receipt(case=grant, by=caseworker, verified_channel="phone_on_file", language="en")

    assert opened(status_login(client, new.receipt_code, new.passphrase))


@pytest.mark.parametrize("who", ["reviewer", "finance", "caseworker_other_team", "donor", "outsider"])
def test_only_those_who_carry_the_case_may_issue_a_receipt(request, who, public_grant):
    grant, _old = public_grant
    before = Grant.objects.get(pk=grant.pk).receipt_index
    staff = Client()
    login_verified(staff, request.getfixturevalue(who))

    response = staff.post(f"/cases/{grant.reference}/new-receipt/", reissue_form())

    assert response.status_code in (403, 404)
    assert Grant.objects.get(pk=grant.pk).receipt_index == before
    assert not AuditEvent.objects.filter(action="grants.grant.receipt_reissued").exists()
    with pytest.raises(PermissionDenied):
        case_reissue_receipt(case=grant, by=request.getfixturevalue(who), verified_channel="in_person",
                             language="en")


def test_a_coordinator_may_issue_a_receipt(coordinator, public_grant):
    grant, _old = public_grant
    staff = Client()
    login_verified(staff, coordinator)
    assert staff.post(f"/cases/{grant.reference}/new-receipt/", reissue_form()).status_code == 200


def test_a_double_click_issues_one_receipt(caseworker, public_grant):
    grant, _old = public_grant
    staff = Client()
    login_verified(staff, caseworker)
    form = reissue_form()

    first = staff.post(f"/cases/{grant.reference}/new-receipt/", form)
    index = Grant.objects.get(pk=grant.pk).receipt_index
    second = staff.post(f"/cases/{grant.reference}/new-receipt/", form)

    assert first.status_code == 200 and second.status_code == 302
    assert Grant.objects.get(pk=grant.pk).receipt_index == index
    assert AuditEvent.objects.filter(action="grants.grant.receipt_reissued").count() == 1
    assert "secret" not in staff.get(second["Location"]).content.decode().split("<main", 1)[1].split("case-head")[0]


@pytest.mark.parametrize("bad", [{"verified_channel": ""}, {"verified_channel": "a_rumour"}, {"confirm": ""},
                                 {"language": "de"}, {"once": ""}])
def test_a_form_without_a_verified_channel_or_confirmation_changes_nothing(caseworker, public_grant, bad):
    grant, old = public_grant
    staff = Client()
    login_verified(staff, caseworker)

    response = staff.post(f"/cases/{grant.reference}/new-receipt/", reissue_form(**bad))

    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    assert opened(status_login(Client(), old.receipt_code, old.passphrase))


def test_the_service_refuses_an_unknown_channel(caseworker, public_grant):
    grant, _old = public_grant
    with pytest.raises(CaseError):
        case_reissue_receipt(case=grant, by=caseworker, verified_channel="rumour", language="en")


def test_a_partner_referral_has_no_receipt_to_replace_and_is_not_offered_one(caseworker, partner, team_africa):
    referred = grant_refer_from_partner(partner=partner, defender_data={"pseudonym": "Ibis", "legal_name": "", "country": "KE"},
                                        details=details())
    referred = case_route(model=Grant, case_id=referred.pk)
    staff = Client()
    login_verified(staff, caseworker)
    assert "Issue a new receipt" not in staff.get(f"/cases/{referred.reference}/").content.decode()

    with pytest.raises(WorkflowError):
        case_reissue_receipt(case=referred, by=caseworker, verified_channel="partner", language="en")
    assert Grant.objects.get(pk=referred.pk).receipt_index is None


def test_a_relocation_gets_the_same_re_issue(client, caseworker, team_africa):
    relocation, old = relocation_apply_public(defender_data=dict(RELOCATION_DEFENDER), details=application())
    relocation = case_route(model=Relocation, case_id=relocation.pk)
    staff = Client()
    login_verified(staff, caseworker)
    assert "Issue a new receipt" in staff.get(f"/relocations/{relocation.reference}/").content.decode()

    response = staff.post(f"/relocations/{relocation.reference}/new-receipt/", reissue_form(language="ru"))

    code, passphrase = SECRET.findall(response.content.decode())
    assert not opened(status_login(Client(), old.receipt_code, old.passphrase))
    assert opened(status_login(client, code, passphrase))
    assert AuditEvent.objects.filter(action="relocation.relocation.receipt_reissued").count() == 1


def test_any_kind_mounting_the_kernel_pages_gets_it(client, caseworker, team_africa):
    defender = defender_create(by=caseworker, pseudonym="Heron", legal_name="Toy Person", country="KE")
    toy, old = toy_submit(defender=defender, story="A story.", urgency="high")
    toy = case_route(model=Toy, case_id=toy.pk)
    staff = Client()
    login_verified(staff, caseworker)

    response = staff.post(f"/toys/{toy.reference}/new-receipt/", reissue_form(language="es"))

    code, passphrase = SECRET.findall(response.content.decode())
    assert not opened(status_login(Client(), old.receipt_code, old.passphrase))
    assert opened(status_login(client, code, passphrase))


def test_an_alert_drafted_by_staff_has_no_receipt_to_replace(caseworker, team_africa, public_grant):
    """Alerts share the step and the page (alerts/workflow.py), but one drafted by staff has no
    status page: nothing is offered, and the service refuses."""
    grant, _old = public_grant
    alert = case_route(model=Alert, case_id=alert_draft(by=caseworker, defender=grant.defender, language="en",
                                                        **ALERT_TEXTS).pk)
    staff = Client()
    login_verified(staff, caseworker)

    assert "Issue a new receipt" not in staff.get(f"/alert-desk/{alert.reference}/").content.decode()
    assert staff.post(f"/alert-desk/{alert.reference}/new-receipt/", reissue_form()).status_code == 409
    with pytest.raises(WorkflowError):
        case_reissue_receipt(case=alert, by=caseworker, verified_channel="in_person", language="en")
