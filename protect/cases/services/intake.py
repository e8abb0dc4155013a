"""Registering a new case of any kind: reference, deadlines, requester secrets, audit, routing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse
from protect.crypto.blind import blind_index
from protect.outbox.services import outbox_enqueue
from protect.public.receipt import new_passphrase, new_receipt_code, normalise_receipt_code, normalise_secret

from ..models import Case, CaseFile
from .casefile import case_attach_file
from .routing import sla_due, sla_near


@dataclass(frozen=True)
class RequesterSecrets:
    receipt_code: str
    passphrase: str


def receipt_index(kind: str, code: str) -> str:
    return blind_index(f"{kind}_receipt", normalise_receipt_code(code))


def new_requester_secrets(language: str) -> RequesterSecrets:
    """A receipt code and a passphrase in the requester's script: at least 137 bits together
    (protect.public.receipt says how)."""
    return RequesterSecrets(receipt_code=new_receipt_code(), passphrase=new_passphrase(language))


def case_register(
    *, case: Case, actor: Any = None, attachments: list[UploadedFile] | None = None,
    with_requester_secrets: bool = True, audit_data: dict[str, Any] | None = None,
) -> RequesterSecrets | None:
    """Save a new case built by its kind (its own fields set): the kernel fills what every case
    shares, records the event and queues routing through the outbox, all in one transaction, so a
    request accepted while Redis is down is routed when the broker is back."""
    now = timezone.now()
    model = type(case)
    case.country, case.region = case.defender.country, case.defender.region
    case.sla_due_at = sla_due(model, case.urgency, now)
    case.sla_near_at = sla_near(model, case.urgency, now)
    requester = new_requester_secrets(case.language) if with_requester_secrets else None
    if requester is not None:
        case.receipt_index = receipt_index(model.kind, requester.receipt_code)
        case.passphrase_hash = make_password(normalise_secret(requester.passphrase))
    with transaction.atomic():
        clean_or_refuse(case)
        case.save()
        for upload in attachments or []:
            case_attach_file(case=case, by=actor, uploaded_file=upload, kind=CaseFile.Kind.ATTACHMENT)
        log_event(f"{case._meta.label_lower}.submitted", actor=actor, target=case,
                  data={"channel": case.channel, "urgency": case.urgency, **(audit_data or {})})
        outbox_enqueue(task_name="cases.route", kwargs={"case_type": case._meta.label_lower, "case_id": case.pk})
    return requester
