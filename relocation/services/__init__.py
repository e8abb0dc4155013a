"""Relocation use cases, one module per job: intake (public application, from a grant), family,
hosts, the stay's steps, preparation, budget, stipends, the check-in after return. The only code
that writes relocations; what every case shares (routing, the case file, requester access) is the
kernel's (protect/cases/services)."""

from .budget import relocation_add_budget_line, relocation_remove_budget_line
from .checkin import relocation_record_checkin
from .family import FamilyDetails, relocation_add_family_member, relocation_remove_family_member
from .hosts import host_create
from .intake import ApplicationDetails, relocation_apply_public, relocation_create_from_grant
from .preparation import relocation_update_checklist, relocations_warn_preparation
from .stay import (
    relocation_assess,
    relocation_cancel,
    relocation_end,
    relocation_extend,
    relocation_match,
    relocation_start_residence,
)
from .stipends import relocation_confirm_stipend, relocation_create_stipends, relocations_create_stipends

__all__ = [
    "ApplicationDetails",
    "FamilyDetails",
    "host_create",
    "relocation_add_budget_line",
    "relocation_add_family_member",
    "relocation_apply_public",
    "relocation_assess",
    "relocation_cancel",
    "relocation_confirm_stipend",
    "relocation_create_from_grant",
    "relocation_create_stipends",
    "relocation_end",
    "relocation_extend",
    "relocation_match",
    "relocation_record_checkin",
    "relocation_remove_budget_line",
    "relocation_remove_family_member",
    "relocation_start_residence",
    "relocation_update_checklist",
    "relocations_create_stipends",
    "relocations_warn_preparation",
]
