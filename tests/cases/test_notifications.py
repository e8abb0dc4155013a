"""A caseworker is told, in the queue and by e-mail, when the requester answers, when a case is
assigned to them and when its deadline nears; the e-mail names the case by reference only."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from grants.models import Grant
from grants.services import grant_record_hotline
from protect.cases.models import Notification
from protect.cases.services.casefile import case_ask_requester, case_requester_reply
from protect.cases.services.routing import case_route
from protect.cases.services.sla import cases_sweep_sla
from protect.delivery.models import Delivery
from tests.grants.conftest import DEFENDER, details
from tests.helpers import login_verified

PERSONAL = ("Kestrel", "Achieng", "Otieno", "+254700000001", "Police")


@pytest.fixture
def routed(caseworker, team_africa):
    caseworker.email = "amina@example.org"
    caseworker.save(update_fields=["email"])

    def make():
        grant, _ = grant_record_hotline(by=caseworker, defender_data=dict(DEFENDER), details=details())
        return case_route(model=Grant, case_id=grant.pk)

    return make


def _assert_no_personal_data(delivery):
    text = delivery.subject + delivery.body
    assert not [word for word in PERSONAL if word in text], text


@pytest.mark.django_db
def test_an_answer_from_the_requester_tells_the_caseworker_once(routed, caseworker):
    grant = routed()
    case_ask_requester(case=grant, by=caseworker, question="Which phone was seized?")
    message = case_requester_reply(case=Grant.objects.get(pk=grant.pk), body="The old Nokia, Kestrel here.")
    [note] = Notification.objects.filter(kind="reply")
    assert (note.user, note.reference, note.url) == (caseworker, grant.reference, grant.get_absolute_url())
    delivery = Delivery.objects.get(key=f"grants.reply:{grant.pk}:{message.pk}")
    assert delivery.recipient == "amina@example.org" and grant.reference in delivery.subject
    assert f"http://127.0.0.1:8000/cases/{grant.reference}/" in delivery.body
    _assert_no_personal_data(delivery)


@pytest.mark.django_db
def test_an_assignment_tells_the_caseworker_once_even_if_routing_runs_twice(routed, caseworker):
    grant = routed()
    case_route(model=Grant, case_id=grant.pk)
    assert Notification.objects.filter(kind="assigned", user=caseworker).count() == 1
    delivery = Delivery.objects.get(key=f"grants.assigned:{grant.pk}:{caseworker.pk}")
    _assert_no_personal_data(delivery)


@pytest.mark.django_db
def test_a_near_deadline_tells_the_caseworker_once(routed, caseworker):
    grant = routed()
    Grant.objects.filter(pk=grant.pk).update(sla_near_at=timezone.now() - datetime.timedelta(minutes=1))
    cases_sweep_sla()
    cases_sweep_sla()
    [note] = Notification.objects.filter(kind="sla_near")
    assert note.user == caseworker and note.reference == grant.reference
    _assert_no_personal_data(Delivery.objects.get(key=f"grants.sla_near:{grant.pk}:{caseworker.pk}"))


@pytest.mark.django_db
def test_the_queue_lists_what_the_caseworker_was_told_until_the_case_is_opened(client, routed, caseworker):
    grant = routed()
    login_verified(client, caseworker)
    page = client.get("/cases/").content.decode()
    assert f'<a href="/cases/{grant.reference}/">A case was assigned to you: <span class="ref">{grant.reference}</span></a>' in page
    client.get(f"/cases/{grant.reference}/")
    assert "A case was assigned to you" not in client.get("/cases/").content.decode()


@pytest.mark.django_db
def test_nobody_sees_anothers_notifications(client, routed, caseworker_other_team):
    routed()
    login_verified(client, caseworker_other_team)
    assert "A case was assigned to you" not in client.get("/cases/").content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_email_with_the_reference_and_a_link_only(mail_dir, celery_worker_process, routed,
                                                                        caseworker):
    grant = routed()  # routing in this process records the e-mail; the worker's task sends it
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        sent = "".join(path.read_text() for path in mail_dir.glob("*.log"))
        if grant.reference in sent:
            break
        time.sleep(0.3)
    else:
        raise AssertionError("the worker sent no e-mail")
    assert "To: amina@example.org" in sent and f"/cases/{grant.reference}/" in sent
    assert not [word for word in PERSONAL if word in sent]
    delivery = Delivery.objects.get(key=f"grants.assigned:{grant.pk}:{caseworker.pk}")
    assert delivery.sent_at is not None


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    """The worker (started after this fixture) writes each e-mail to a file here."""
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(tmp_path))
    return tmp_path
