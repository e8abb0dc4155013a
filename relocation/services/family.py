"""Who travels with the defender: family members (age band and needs, encrypted)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse

from ..errors import RelocationError
from ..models import FamilyMember, Relocation
from ..workflow import RELOCATION_WORKFLOW


@dataclass(frozen=True)
class FamilyDetails:
    age_band: str
    needs: str = ""

    def validate(self) -> None:
        if self.age_band not in FamilyMember.AgeBand.values:
            raise RelocationError("Choose the age band of each family member.", code="age_band", field="family")


def add_family_rows(*, relocation: Relocation, by: Any, members: Iterable[FamilyDetails]) -> list[FamilyMember]:
    """Inside the caller's transaction (intake, or the edit_family action below)."""
    rows = []
    for member in members:
        member.validate()
        row = FamilyMember(relocation=relocation, age_band=member.age_band, needs=member.needs.strip())
        clean_or_refuse(row)
        row.save()
        log_event("relocation.family.added", actor=by, target=relocation, data={"age_band": row.age_band})
        rows.append(row)
    return rows


def relocation_add_family_member(*, relocation: Relocation, by: Any, age_band: str, needs: str = "") -> FamilyMember:
    with RELOCATION_WORKFLOW.acting(relocation, "edit_family", by=by) as locked:
        return add_family_rows(relocation=locked, by=by, members=[FamilyDetails(age_band, needs)])[0]


def relocation_remove_family_member(*, relocation: Relocation, by: Any, member_id: int) -> None:
    with RELOCATION_WORKFLOW.acting(relocation, "edit_family", by=by) as locked:
        row = locked.family.filter(pk=member_id).first()
        if row is None:
            raise RelocationError("No such family member on this relocation.", code="no_member", field="member")
        age_band = row.age_band
        row.delete()
        log_event("relocation.family.removed", actor=by, target=locked, data={"age_band": age_band})
