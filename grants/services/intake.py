"""A grant request arrives: from the public form, the hotline, or a partner's referral."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from protect.accounts.permissions import has_any_role, has_role
from protect.accounts.roles import Role
from protect.cases.access import case_grant_access
from protect.cases.errors import CaseError
from protect.cases.models import Channel, Urgency
from protect.cases.services.intake import RequesterSecrets, case_register
from protect.core.errors import PermissionDenied
from protect.defenders.services import defender_create

from ..models import Grant, NeedKind, RiskKind
from ..money import GrantError, check_amount, check_cap, eur_rate_for, to_eur_minor


@dataclass(frozen=True)
class RequestDetails:
    """What a request says, whichever door it came through."""

    risk_kinds: list[str]
    urgency: str
    needs: list[str]
    amount_requested_minor: int
    currency: str
    incident: str
    threat: str
    need_details: str = ""
    other_funding: str = ""
    endorsers: list[dict[str, str]] | None = None
    language: str = "en"

    def problems(self) -> list[CaseError]:
        """Every rule the request breaks, not only the first: a form shows them all in one round."""
        found: list[CaseError] = []
        if not self.needs or any(n not in NeedKind.values for n in self.needs):
            found.append(GrantError("Choose at least one kind of need from the list.", code="needs", field="needs"))
        if not self.risk_kinds or any(r not in RiskKind.values for r in self.risk_kinds):
            found.append(GrantError("Choose at least one kind of risk from the list.", code="risk_kinds",
                                    field="risk_kinds"))
        if self.urgency not in Urgency.values:
            found.append(GrantError("Choose how urgent the need is.", code="urgency", field="urgency"))
        if self.language not in dict(settings.LANGUAGES):
            found.append(GrantError("Unsupported language.", code="language", field="language"))
        try:
            check_amount(self.amount_requested_minor, "The amount requested", field="amount")
            check_cap(to_eur_minor(self.amount_requested_minor, eur_rate_for(self.currency)), "The amount requested")
        except CaseError as exc:  # the kernel's amount and currency checks, and the cap
            found.append(exc)
        if not self.incident.strip() and not self.threat.strip():
            found.append(GrantError("Tell us what happened or what the threat is now: at least one.",
                                    code="incident", field="incident"))
        return found

    def validate(self) -> None:
        problems = self.problems()
        if problems:
            raise problems[0]


def _register(
    *, defender: Any, details: RequestDetails, channel: str, recorded_by: Any = None, referred_by: Any = None,
    attachments: list[UploadedFile] | None = None, with_requester_secrets: bool = True,
) -> tuple[Grant, RequesterSecrets | None]:
    rate = eur_rate_for(details.currency)
    grant = Grant(
        defender=defender, channel=channel, language=details.language, recorded_by=recorded_by,
        referred_by=referred_by, urgency=details.urgency,
        risk_kinds=sorted(set(details.risk_kinds)), needs=sorted(set(details.needs)),
        amount_requested_minor=details.amount_requested_minor, currency=details.currency.upper(), eur_rate=rate,
        amount_requested_eur_minor=to_eur_minor(details.amount_requested_minor, rate),
        incident=details.incident.strip(), threat=details.threat.strip(), need_details=details.need_details.strip(),
        other_funding=details.other_funding.strip(), endorsers=details.endorsers or [],
    )
    requester = case_register(case=grant, actor=recorded_by or referred_by, attachments=attachments,
                              with_requester_secrets=with_requester_secrets, audit_data={"needs": grant.needs})
    return grant, requester


def grant_submit_public(
    *, defender_data: dict[str, Any], details: RequestDetails, attachments: list[UploadedFile] | None = None
) -> tuple[Grant, RequesterSecrets]:
    """A request from the public form: no account; the requester leaves with a receipt and passphrase."""
    details.validate()
    with transaction.atomic():
        defender = defender_create(by=None, intake=True, **defender_data)
        grant, requester = _register(defender=defender, details=details, channel=Channel.PUBLIC_FORM,
                                     attachments=attachments)
    assert requester is not None
    return grant, requester


def grant_record_hotline(
    *, by: Any, defender: Any = None, defender_data: dict[str, Any] | None = None, details: RequestDetails,
    attachments: list[UploadedFile] | None = None,
) -> tuple[Grant, RequesterSecrets]:
    """A caseworker records a request taken by phone or secure messenger, for an existing or new defender."""
    if not has_any_role(by, (Role.CASEWORKER, Role.COORDINATOR)):
        raise PermissionDenied("Only caseworkers and coordinators record hotline requests.")
    details.validate()
    with transaction.atomic():
        if defender is None:
            if not defender_data:
                raise GrantError("Say who the request is for.", code="defender", field="defender_reference")
            defender = defender_create(by=by, **defender_data)
        grant, requester = _register(defender=defender, details=details, channel=Channel.HOTLINE,
                                     recorded_by=by, attachments=attachments)
        case_grant_access(case=grant, user=by)
    assert requester is not None
    return grant, requester


def grant_refer_from_partner(*, partner: Any, defender_data: dict[str, Any], details: RequestDetails) -> Grant:
    """A partner organisation refers a case (the partner API exposes this)."""
    if not has_role(partner, Role.PARTNER):
        raise PermissionDenied("Only partner accounts refer cases.")
    details.validate()
    with transaction.atomic():
        defender = defender_create(by=partner, intake=True, **defender_data)
        grant, _ = _register(defender=defender, details=details, channel=Channel.PARTNER, referred_by=partner,
                             with_requester_secrets=False)
    return grant
