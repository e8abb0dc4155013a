"""Finance pays and reads receipts, never the case file: it may not add to what it cannot read
(notes, files, the report), in any state, closed cases included. The table and the services
decide, not the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants import services
from protect.cases.services.casefile import case_add_document, case_add_note
from protect.core.errors import PermissionDenied
from protect.workflow import workflow_for
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", ["approved", "reporting", "closed"])
def test_finance_may_not_add_a_note_or_a_file_to_a_case_it_pays(grant_in, finance, state):
    grant = grant_in(state)
    workflow = workflow_for(type(grant))
    assert not workflow.can(grant, finance, "add_note") and not workflow.can(grant, finance, "attach_file")
    with pytest.raises(PermissionDenied):
        case_add_note(case=grant, by=finance, body="Paid by wire.")
    with pytest.raises(PermissionDenied):
        case_add_document(case=grant, by=finance, uploaded_file=SimpleUploadedFile("x.txt", b"receipt"))
    assert grant.notes.count() == 0


def test_finance_may_not_receive_the_report(grant_in, finance):
    grant = grant_in("reporting")
    with pytest.raises(PermissionDenied):
        services.grant_receive_report(grant=grant, by=finance, narrative="All spent.")
    assert not hasattr(type(grant).objects.get(pk=grant.pk), "report")


@pytest.mark.parametrize("state", ["reporting", "closed"])
def test_finance_posting_a_note_or_a_report_changes_nothing(client, grant_in, finance, state):
    grant = grant_in(state)
    login_verified(client, finance)
    assert client.post(f"/cases/{grant.reference}/notes/", {"body": "Paid by wire."}).status_code == 403
    assert client.post(f"/cases/{grant.reference}/report/", {"narrative": "All spent."}).status_code == 403
    assert grant.notes.count() == 0
    if state == "reporting":
        assert not hasattr(type(grant).objects.get(pk=grant.pk), "report")


def test_a_reviewer_adds_no_note_caseworkers_and_coordinators_do(grant_in, reviewer, caseworker, coordinator):
    grant = grant_in("under_review")
    with pytest.raises(PermissionDenied):
        case_add_note(case=grant, by=reviewer, body="Seen.")
    case_add_note(case=grant, by=caseworker, body="Called the lawyer.")
    case_add_note(case=grant, by=coordinator, body="Agreed.")
    assert grant.notes.count() == 2
