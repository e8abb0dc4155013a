"""The case file, for any kind: notes, questions to the requester and their answers, encrypted
files, and the audited reveal of confidential details.

The kind's table decides when each is allowed: steps named `add_note`, `attach_file`,
`ask_requester` (and, when the kind puts a case on hold for an answer, the transitions
`request_info` and `info_received`), with the conditions of protect/cases/rules.py."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse
from protect.crypto.files import store_upload
from protect.workflow import workflow_for

from ..errors import CaseError
from ..models import Case, CaseFile, CaseMessage, CaseNote

MAX_ANSWER = 10_000


def _related_model(case: Case, name: str) -> Any:
    return type(case)._meta.get_field(name).related_model


def case_add_note(*, case: Case, by: Any, body: str) -> CaseNote:
    body = body.strip()
    if not body:
        raise CaseError("The note is empty.", code="note", field="body")
    with workflow_for(type(case)).acting(case, "add_note", by=by) as case:
        note = _related_model(case, "notes")(case=case, body=body, author=by)
        clean_or_refuse(note)
        note.save()
        log_event(f"{case._meta.app_label}.note.added", actor=by, target=case, data={"note_id": note.pk})
    return note


def case_attach_file(*, case: Case, by: Any, uploaded_file: UploadedFile, kind: str) -> CaseFile:
    """Store one upload encrypted under the defender's key. Intake attaches before anyone is
    assigned, so the rule of who may add files is the `attach_file` step, checked by
    case_add_document for staff."""
    with transaction.atomic():
        stored = store_upload(uploaded_file=uploaded_file, owner=case.defender)
        attached = _related_model(case, "files").objects.create(case=case, file=stored, kind=kind, uploaded_by=by)
        log_event(f"{case._meta.app_label}.file.attached", actor=by, target=case,
                  data={"file_id": attached.pk, "kind": kind})
    return attached  # type: ignore[no-any-return]


def case_add_document(*, case: Case, by: Any, uploaded_file: UploadedFile) -> CaseFile:
    """A member of staff adds a document to the case file."""
    with workflow_for(type(case)).acting(case, "attach_file", by=by) as case:
        return case_attach_file(case=case, by=by, uploaded_file=uploaded_file, kind=CaseFile.Kind.DOCUMENT)


def case_record_download(*, case: Case, by: Any, case_file: CaseFile) -> None:
    """Record that `by` downloaded (decrypted) one of the case's files. The view has checked access."""
    with transaction.atomic():
        log_event(f"{case._meta.app_label}.file.downloaded", actor=by, target=case,
                  data={"file_id": case_file.pk, "kind": case_file.kind})


def case_record_view(*, case: Case, by: Any, decrypted: list[str], revealed: list[str] | None = None) -> None:
    """One event per view of a case page that decrypted anything: `<app>.<kind>.viewed` naming the
    fields decrypted ("grants.note.body"), never their values; or, for the "Show confidential
    details" page, `<app>.<kind>.revealed` naming the confidential fields asked for as well. A page
    that decrypted nothing (finance before any payment) records nothing."""
    if revealed is None and not decrypted:
        return
    # One event, one write: log_event runs in its own transaction, so no outer one is needed.
    if revealed is not None:
        log_event(f"{case._meta.label_lower}.revealed", actor=by, target=case,
                  data={"fields": sorted(revealed), "decrypted": sorted(decrypted)})
    else:
        log_event(f"{case._meta.label_lower}.viewed", actor=by, target=case, data={"decrypted": sorted(decrypted)})


def case_ask_requester(*, case: Case, by: Any, question: str) -> CaseMessage:
    """Send the requester a question (read on the status page); where the kind has a hold for
    answers, the case waits in it."""
    question = question.strip()
    if not question:
        raise CaseError("Write the question.", code="question", field="question")
    workflow = workflow_for(type(case))
    with workflow.acting(case, "ask_requester", by=by) as case:
        if workflow.has("request_info") and workflow.can(case, by, "request_info"):
            case = workflow.run(case, "request_info", by=by)
        message = _related_model(case, "messages")(
            case=case, direction=CaseMessage.Direction.TO_REQUESTER, body=question, author=by)
        clean_or_refuse(message)
        message.save()
        log_event(f"{case._meta.app_label}.message.sent", actor=by, target=case, data={"message_id": message.pk})
    return message  # type: ignore[no-any-return]


def case_requester_reply(*, case: Case, body: str, partner: Any = None) -> CaseMessage:
    """The requester answers from the status page, or the referring partner through the API (the
    caller checked it is this case's partner); a case that waited for it resumes."""
    body = body.strip()
    if not body:
        raise CaseError("Write your answer.", code="answer", field="body")
    if len(body) > MAX_ANSWER:
        raise CaseError("Your answer is too long (10,000 characters at most).", code="answer", field="body")
    model = type(case)
    workflow = workflow_for(model)
    with transaction.atomic():
        case = model._default_manager.select_for_update().get(pk=case.pk)
        if not workflow.in_group(case, "open"):
            raise CaseError("This request is closed; it cannot receive messages.", code="closed")
        message = _related_model(case, "messages")(
            case=case, direction=CaseMessage.Direction.FROM_REQUESTER, body=body, author=partner)
        clean_or_refuse(message)
        message.save()
        log_event(f"{case._meta.app_label}.message.received", actor=partner or "requester", target=case,
                  data={"message_id": message.pk})
        if workflow.has("info_received") and workflow.can(case, None, "info_received"):
            workflow.run(case, "info_received", by=None)
    return message  # type: ignore[no-any-return]
