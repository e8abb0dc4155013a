"""The workflow engine on its own, on the toy kind: a table of steps, can() without side effects,
actions gated by state, a repeat that changes nothing, and the idempotency key of a step that
returns to its own state."""

from __future__ import annotations

import pytest

from protect.accounts.roles import Role
from protect.audit.models import AuditEvent
from protect.cases.access import can_act
from protect.cases.models import AppliedStep
from protect.core.errors import PermissionDenied
from protect.defenders.services import defender_create
from protect.workflow import SYSTEM, Workflow, WorkflowError, action, transition, workflow_for
from tests.toykind.models import Toy
from tests.toykind.services import toy_submit

pytestmark = pytest.mark.django_db
S = Toy.Status


def _guard_words(toy, by, params):
    if not str(params.get("words") or "").strip():
        raise WorkflowError("Say something.", code="words_required")


def _when_not_erased(toy, by):
    if toy.defender.is_erased:
        raise WorkflowError("Erased.", code="erased")


# A table built on the side (not registered): what a kind's table can say.
TABLE = Workflow(
    model=Toy, audit_prefix="toykind.toy", object_check=can_act, register=False,
    groups={"open": [S.SUBMITTED, S.OPEN]},
    steps=[
        transition("route", sources=[S.SUBMITTED], target=S.OPEN, roles={SYSTEM, Role.COORDINATOR}, label="Route"),
        transition("update", sources=[S.OPEN], target=S.OPEN, roles={Role.COORDINATOR}, label="Update",
                   guard=_guard_words, audit_params=("words",)),
        action("comment", states=[S.OPEN], roles={Role.COORDINATOR}, label="Comment", when=_when_not_erased),
    ],
)


@pytest.fixture
def toy(coordinator):
    defender = defender_create(by=coordinator, pseudonym="Heron", legal_name="Toy Person", country="KE")
    toy, _ = toy_submit(defender=defender, story="Story.")
    return toy


def test_can_answers_without_changing_anything(toy, coordinator, caseworker):
    events = AuditEvent.objects.count()
    assert TABLE.can(toy, coordinator, "route")
    assert not TABLE.can(toy, caseworker, "route")  # role
    assert not TABLE.can(toy, coordinator, "comment")  # state: not open yet
    assert Toy.objects.get().status == "submitted" and AuditEvent.objects.count() == events


def test_can_with_params_runs_the_guard_too(toy, coordinator):
    toy = TABLE.run(toy, "route", by=None)
    assert TABLE.can(toy, coordinator, "update")  # before anything is typed
    assert not TABLE.can(toy, coordinator, "update", words="  ")
    assert TABLE.can(toy, coordinator, "update", words="Released")


def test_available_lists_exactly_what_can_allows(toy, coordinator, caseworker):
    assert TABLE.available(toy, coordinator) == {"route"}
    toy = TABLE.run(toy, "route", by=coordinator)
    assert TABLE.available(toy, coordinator) == {"update", "comment"}
    assert TABLE.available(toy, caseworker) == set()


def test_a_repeated_transition_changes_nothing(toy, coordinator):
    first = TABLE.run(toy, "route", by=None)
    again = TABLE.run(toy, "route", by=None)
    assert again.status_changed_at == first.status_changed_at
    assert AuditEvent.objects.filter(action="toykind.toy.route").count() == 1


def test_a_transition_that_does_not_apply_is_refused_and_changes_nothing(toy, coordinator, caseworker):
    with pytest.raises(WorkflowError):
        TABLE.run(toy, "update", by=coordinator, words="x", idempotency_key="k")
    with pytest.raises(PermissionDenied):
        TABLE.run(toy, "route", by=caseworker)
    assert Toy.objects.get().status == "submitted"


def test_an_action_runs_inside_the_lock_only_when_the_table_allows_it(toy, coordinator):
    with pytest.raises(WorkflowError):
        with TABLE.acting(toy, "comment", by=coordinator):
            pytest.fail("the body must not run")
    TABLE.run(toy, "route", by=None)
    with TABLE.acting(toy, "comment", by=coordinator) as locked:
        assert locked.status == "open"
    with pytest.raises(ValueError):
        with TABLE.acting(toy, "update", by=coordinator):
            pass


def test_a_step_back_to_its_own_state_needs_a_key_and_applies_once_per_key(toy, coordinator):
    TABLE.run(toy, "route", by=None)
    with pytest.raises(WorkflowError):
        TABLE.run(toy, "update", by=coordinator, words="Released")
    for _ in range(3):  # a retried request
        TABLE.run(toy, "update", by=coordinator, words="Released", idempotency_key="update-1")
    TABLE.run(toy, "update", by=coordinator, words="Charges dropped", idempotency_key="update-2")
    updates = AuditEvent.objects.filter(action="toykind.toy.update").order_by("pk")
    assert [e.data["words"] for e in updates] == ["Released", "Charges dropped"]
    assert AppliedStep.objects.filter(case_id=toy.pk, action="update").count() == 2


def test_a_group_naming_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        Workflow(model=Toy, audit_prefix="x", object_check=can_act, register=False, steps=[],
                 groups={"open": ["no_such_status"]})


def test_each_kind_registers_its_table():
    from grants.models import Grant
    from grants.workflow import GRANT_WORKFLOW

    assert workflow_for(Grant) is GRANT_WORKFLOW and workflow_for(Toy).model is Toy
