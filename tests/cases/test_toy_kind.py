"""A new kind of case needs only a model, a table and its own services: the toy kind (tests/toykind)
goes through the kernel's routing, deadlines, SLA sweep, requester access, notes, messages, files,
reveal and scoping without a line of its own for any of them."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.models import Grant
from protect.audit.models import AuditEvent
from protect.cases.access import can_act, case_scope
from protect.cases.models import CaseFile
from protect.cases.registry import case_models
from protect.cases.services.casefile import case_add_note, case_ask_requester, case_attach_file, case_requester_reply
from protect.cases.services.requester import case_for_requester
from protect.cases.services.routing import case_route
from protect.cases.services.sla import cases_sweep_sla
from protect.core.errors import NotFound, PermissionDenied
from protect.defenders.services import defender_create
from protect.outbox.models import OutboxMessage
from protect.workflow import WorkflowError
from tests.helpers import login_verified
from tests.toykind.models import Toy, ToyEscalation
from tests.toykind.services import toy_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def toy(caseworker, team_africa):
    defender = defender_create(by=caseworker, pseudonym="Heron", legal_name="Toy Person", country="KE")
    toy, secrets = toy_submit(defender=defender, story="A story only staff may read.", urgency="high")
    return toy, secrets


def test_the_kernel_finds_the_toy_kind_through_the_app_registry():
    assert Toy in case_models() and Grant in case_models()


def test_a_toy_case_is_registered_with_its_prefix_deadline_and_routing_queued(toy):
    case, secrets = toy
    assert case.reference.startswith("T-") and case.status == "submitted"
    assert case.sla_due_at - case.submitted_at == pytest.approx(datetime.timedelta(hours=10),
                                                                abs=datetime.timedelta(seconds=5))
    assert OutboxMessage.objects.get(task_name="cases.route").kwargs == {"case_type": "toykind.toy",
                                                                         "case_id": case.pk}
    assert AuditEvent.objects.filter(action="toykind.toy.submitted", target_id=str(case.pk)).exists()
    assert secrets is not None and secrets.receipt_code


def test_routing_gives_the_toy_to_the_team_caseworker_once(toy, caseworker, team_africa):
    case, _ = toy
    routed = case_route(model=Toy, case_id=case.pk)
    assert (routed.status, routed.team, routed.caseworker) == ("open", team_africa, caseworker)
    again = case_route(model=Toy, case_id=case.pk)  # a redelivered task
    assert again.routed_at == routed.routed_at
    assert AuditEvent.objects.filter(action="toykind.toy.route").count() == 1
    assert can_act(caseworker, routed)


def test_the_least_loaded_pick_counts_open_cases_of_every_kind(toy, caseworker, team_africa):
    from tests.helpers import make_user

    colleague = make_user("kofi", "caseworker")
    team_africa.members.add(colleague)
    first = case_route(model=Toy, case_id=toy[0].pk)
    assert first.caseworker == caseworker  # both at zero: the lower id
    defender = defender_create(by=caseworker, pseudonym="Ibis", legal_name="Other Person", country="KE")
    second, _ = toy_submit(defender=defender, story="Second.")
    assert case_route(model=Toy, case_id=second.pk).caseworker == colleague


def test_the_sla_sweep_escalates_a_toy_once_per_threshold(toy, team_africa):
    case = case_route(model=Toy, case_id=toy[0].pk)
    assert cases_sweep_sla(now=case.sla_near_at + datetime.timedelta(minutes=1)) == 1
    assert cases_sweep_sla(now=case.sla_near_at + datetime.timedelta(minutes=2)) == 0
    assert cases_sweep_sla(now=case.sla_due_at + datetime.timedelta(minutes=1)) == 1
    assert list(ToyEscalation.objects.filter(case=case).values_list("threshold", flat=True).order_by("pk")) == [
        "near", "overdue"]


def test_the_requester_opens_the_toy_with_its_receipt_and_answers_a_question(toy, caseworker):
    case, secrets = toy
    case = case_route(model=Toy, case_id=case.pk)
    assert case_for_requester(receipt_code=secrets.receipt_code, passphrase=secrets.passphrase).pk == case.pk
    with pytest.raises(NotFound):
        case_for_requester(receipt_code=secrets.receipt_code, passphrase="wrong words")
    case_ask_requester(case=case, by=caseworker, question="Are you safe tonight?")
    case_requester_reply(case=case, body="Yes, at my sister's.")
    assert [m.direction for m in case.messages.all()] == ["to_requester", "from_requester"]
    assert case.messages.get(direction="from_requester").body == "Yes, at my sister's."


def test_five_wrong_passphrases_pause_a_toy_receipt(toy):
    _, secrets = toy
    for _ in range(5):
        with pytest.raises(NotFound):
            case_for_requester(receipt_code=secrets.receipt_code, passphrase="nope")
    with pytest.raises(NotFound):  # the right one too, for 15 minutes
        case_for_requester(receipt_code=secrets.receipt_code, passphrase=secrets.passphrase)
    assert Toy.objects.get().status_locked_until > timezone.now()


def test_notes_and_files_follow_the_toy_table(toy, caseworker, coordinator, finance):
    case, _ = toy
    with pytest.raises(WorkflowError):  # the table allows notes once the case is open
        case_add_note(case=case, by=coordinator, body="Too early.")
    case = case_route(model=Toy, case_id=case.pk)
    note = case_add_note(case=case, by=caseworker, body="Called back.")
    assert type(note).objects.get().body == "Called back."
    with pytest.raises(PermissionDenied):
        case_add_note(case=case, by=finance, body="Not my role.")
    attached = case_attach_file(case=case, by=caseworker, kind=CaseFile.Kind.DOCUMENT,
                                uploaded_file=SimpleUploadedFile("doc.txt", b"A document."))
    assert attached.file.data_key_id == case.defender.data_key_id


def test_the_toy_is_scoped_like_every_case(toy, caseworker, caseworker_other_team, coordinator, finance):
    case = case_route(model=Toy, case_id=toy[0].pk)
    assert list(case_scope(caseworker, Toy.objects.all())) == [case]
    assert list(case_scope(coordinator, Toy.objects.all())) == [case]
    assert not case_scope(caseworker_other_team, Toy.objects.all()).exists()
    assert not case_scope(finance, Toy.objects.all()).exists()  # the toy widens nothing for finance


def test_the_toy_pages_reveal_with_an_audit_event_and_hide_from_strangers(client, toy, caseworker,
                                                                         caseworker_other_team):
    case = case_route(model=Toy, case_id=toy[0].pk)
    login_verified(client, caseworker)
    assert "(hidden)" in client.get(f"/toys/{case.reference}/").content.decode()
    revealed = client.post(f"/toys/{case.reference}/reveal/")
    assert "A story only staff may read." in revealed.content.decode()
    assert AuditEvent.objects.filter(action="toykind.toy.revealed").count() == 1
    assert client.post(f"/toys/{case.reference}/notes/", {"body": "From the page."}).status_code == 302
    assert case.notes.get().body == "From the page."
    login_verified(client, caseworker_other_team)
    assert client.get(f"/toys/{case.reference}/").status_code == 404
