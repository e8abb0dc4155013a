"""The toy's table: two states, one transition (routing, the kernel's), and the case-file actions."""

from protect.accounts.roles import Role
from protect.cases.access import can_act
from protect.cases.rules import when_has_status_page, when_readable, when_receipt_reissuable
from protect.cases.services.routing import route_effect, route_guard
from protect.workflow import SYSTEM, Workflow, action, transition

from .models import OPEN, Toy

S = Toy.Status
STAFF = {Role.CASEWORKER, Role.COORDINATOR}

TOY_WORKFLOW: Workflow[Toy] = Workflow(
    model=Toy,
    audit_prefix="toykind.toy",
    object_check=can_act,
    groups={"open": OPEN, "awaiting_decision": OPEN},
    steps=[
        transition("route", sources=[S.SUBMITTED], target=S.OPEN, roles={SYSTEM, Role.COORDINATOR}, label="Route",
                   guard=route_guard, effect=route_effect),
        action("add_note", states=[S.OPEN], roles=STAFF, label="Add a note", when=when_readable),
        action("attach_file", states=[S.OPEN], roles=STAFF, label="Add a file", when=when_readable),
        action("ask_requester", states=[S.OPEN], roles=STAFF, label="Ask the requester", when=when_has_status_page),
        action("reissue_receipt", states=[S.OPEN], roles=STAFF, label="Issue a new receipt",
               when=when_receipt_reissuable),
    ],
)
