"""A relocation application arrives: from the public form, or opened by staff from an emergency
grant whose need is urgent relocation (the link is kept; a grant never points to a relocation)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from protect.accounts.permissions import has_any_role, has_role
from protect.accounts.roles import INTAKE, Role
from protect.audit.services import log_event
from protect.cases.access import can_act, case_grant_access
from protect.cases.models import Channel, Urgency
from protect.cases.services.intake import RequesterSecrets, case_register
from protect.core.errors import PermissionDenied
from protect.defenders.services import defender_create

from ..errors import RelocationError
from ..models import Relocation
from .family import FamilyDetails, add_family_rows

MAX_FAMILY = 12


@dataclass(frozen=True)
class ApplicationDetails:
    """What an application says, whichever door it came through."""

    applicant: str
    urgency: str
    risk: str
    why_relocation: str
    preferred_country: str = ""
    why_country: str = ""
    visa_plan: str = ""
    travel_security_plan: str = ""
    planned_activities: str = ""
    other_funders: str = ""
    intended_return_on: datetime.date | None = None
    return_strategy: str = ""
    family: list[FamilyDetails] = field(default_factory=list)
    language: str = "en"

    def validate(self) -> None:
        if self.applicant not in Relocation.Applicant.values:
            raise RelocationError("Say who is applying.", code="applicant", field="applicant")
        if self.urgency not in Urgency.values:
            raise RelocationError("Choose how urgent it is.", code="urgency", field="urgency")
        if self.language not in dict(settings.LANGUAGES):
            raise RelocationError("Unsupported language.", code="language", field="language")
        if not self.risk.strip():
            raise RelocationError("Tell us about the risk.", code="risk", field="risk")
        if not self.why_relocation.strip():
            raise RelocationError("Tell us why relocation rather than other measures.", code="why_relocation",
                                  field="why_relocation")
        if self.intended_return_on is not None and self.intended_return_on < timezone.localdate():
            raise RelocationError("The intended return date is in the past.", code="return_in_past",
                                  field="intended_return_on")
        if len(self.family) > MAX_FAMILY:
            raise RelocationError(f"At most {MAX_FAMILY} family members.", code="family_size", field="family")
        for member in self.family:
            member.validate()

    def columns(self) -> dict[str, Any]:
        return {
            "applicant": self.applicant, "urgency": self.urgency, "language": self.language,
            "risk": self.risk.strip(), "why_relocation": self.why_relocation.strip(),
            "preferred_country": self.preferred_country.strip(), "why_country": self.why_country.strip(),
            "visa_plan": self.visa_plan.strip(), "travel_security_plan": self.travel_security_plan.strip(),
            "planned_activities": self.planned_activities.strip(), "other_funders": self.other_funders.strip(),
            "intended_return_on": self.intended_return_on, "return_strategy": self.return_strategy.strip(),
        }


def relocation_apply_public(*, defender_data: dict[str, Any], details: ApplicationDetails,
                            ) -> tuple[Relocation, RequesterSecrets]:
    """An application from the public form: no account; the requester leaves with a receipt and
    passphrase, and reads the same status page as every request."""
    details.validate()
    with transaction.atomic():
        defender = defender_create(by=None, intake=True, **defender_data)
        relocation = Relocation(defender=defender, channel=Channel.PUBLIC_FORM, **details.columns())
        requester = case_register(case=relocation, audit_data={"applicant": details.applicant,
                                                               "family": len(details.family)})
        add_family_rows(relocation=relocation, by=None, members=details.family)
    assert requester is not None
    return relocation, requester


def relocation_refer_from_partner(*, partner: Any, defender_data: dict[str, Any], details: ApplicationDetails,
                                  ) -> Relocation:
    """A partner organisation refers a relocation (the partner API exposes this); it follows the
    case through the API, so no receipt is made."""
    if not has_role(partner, Role.PARTNER):
        raise PermissionDenied("Only partner accounts refer cases.")
    details.validate()
    with transaction.atomic():
        defender = defender_create(by=partner, intake=True, **defender_data)
        relocation = Relocation(defender=defender, channel=Channel.PARTNER, referred_by=partner, **details.columns())
        case_register(case=relocation, actor=partner, with_requester_secrets=False,
                      audit_data={"applicant": details.applicant, "family": len(details.family)})
        add_family_rows(relocation=relocation, by=partner, members=details.family)
    return relocation


def relocation_create_from_grant(*, grant: Any, by: Any) -> Relocation:
    """Open a relocation for a grant's defender when the grant's need is urgent relocation. The
    relocation keeps the link to the grant (whatever `Relocation.grant` points to: this module reads
    the case only through the kernel's Case, `relocation_brief` included); asked twice, the open
    one is returned."""
    if not has_any_role(by, INTAKE) or not can_act(by, grant):
        raise PermissionDenied("Only the grant's caseworkers and coordinators open a relocation from it.")
    brief = grant.relocation_brief()
    if brief is None:
        raise RelocationError("This grant's needs do not include urgent relocation.", code="not_relocation_need",
                              field="grant")
    with transaction.atomic():
        type(grant)._default_manager.select_for_update().get(pk=grant.pk)  # two clicks open one relocation
        existing = Relocation.objects.filter(grant=grant).exclude(status=Relocation.Status.CANCELLED).first()
        if existing is not None:
            return existing
        relocation = Relocation(
            defender=grant.defender, grant=grant, channel=grant.channel, language=grant.language,
            recorded_by=by, urgency=grant.urgency, applicant=Relocation.Applicant.DEFENDER, **brief,
        )
        case_register(case=relocation, actor=by, with_requester_secrets=False, audit_data={"grant_id": grant.pk})
        case_grant_access(case=relocation, user=by)
        log_event("relocation.relocation.created_from_grant", actor=by, target=relocation,
                  data={"grant_id": grant.pk, "grant": grant.reference})
    return relocation
