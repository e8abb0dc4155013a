"""The one workflow engine. Each kind's workflow.py declares only its table, its guards and its
status groups; every rule that depends on the state of a case lives in that table.

A table has two kinds of step, declared side by side:
- a transition changes the status (approve, reject, close);
- an action depends on the status without changing it (record the review, record a payment,
  waive the report, add a note).
Each step names the states it applies in, the roles that may take it, and optionally `when` (a
condition on the case and the person, checked before anything is typed: it decides whether the
page offers the step) and `guard` (a check of what was typed, run when the step is taken).

`can(case, user, name, **params)` answers "may this person do this now" with no side effect: pages
show exactly the steps it allows, services take them through `run` (transitions) or `acting`
(actions), which lock the row and check the same things again. A transition runs in one
transaction: lock the row (select_for_update), check role, object permission, state, `when` and
`guard`, apply the effect, write status, append an audit event, queue follow-ups with on_commit.
Asking again for a transition already made (a double click, a retried API call) changes nothing.
A transition back to its own state (an alert's update) carries an idempotency key instead: the
same key applied twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone

from protect.accounts.permissions import has_any_role
from protect.audit.services import log_event
from protect.cases.models import AppliedStep
from protect.core.errors import PermissionDenied, ProtectError, clean_or_refuse


class WorkflowError(ProtectError):
    """A step that does not apply now: wrong state, or a guard said no."""

    status_code = 409


M = TypeVar("M", bound=models.Model)
SYSTEM = "system"  # a pseudo-role: steps the workers take with by=None

When = Callable[[Any, Any], None]  # (case, user) -> raise WorkflowError to refuse
Guard = Callable[[Any, Any, dict[str, Any]], None]  # (locked case, user, params) -> raise WorkflowError to refuse
Effect = Callable[[Any, Any, dict[str, Any]], list[str]]  # returns the extra fields it changed
FollowUp = Callable[[Any], None]  # runs after commit, with the saved case
ObjectCheck = Callable[[Any, Any], bool]  # (user, case) -> may this user act on this case at all


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset[str]
    target: str | None  # None: an action, which leaves the status as it is
    roles: frozenset[str]
    label: str
    when: When | None = None
    guard: Guard | None = None
    effect: Effect | None = None
    follow_ups: tuple[FollowUp, ...] = ()
    # Data written to the audit event: picked from params by name (values must be plain, non-sensitive).
    audit_params: tuple[str, ...] = ()

    @property
    def is_transition(self) -> bool:
        return self.target is not None

    @property
    def returns_to_itself(self) -> bool:
        return self.target is not None and self.target in self.sources


def transition(
    name: str, *, sources: Iterable[str], target: str, roles: Iterable[str], label: str, when: When | None = None,
    guard: Guard | None = None, effect: Effect | None = None, follow_ups: Iterable[FollowUp] = (),
    audit_params: Iterable[str] = (),
) -> Step:
    return Step(
        name=name, sources=frozenset(sources), target=target, roles=frozenset(roles), label=label, when=when,
        guard=guard, effect=effect, follow_ups=tuple(follow_ups), audit_params=tuple(audit_params),
    )


def action(
    name: str, *, states: Iterable[str], roles: Iterable[str], label: str, when: When | None = None,
    guard: Guard | None = None,
) -> Step:
    return Step(name=name, sources=frozenset(states), target=None, roles=frozenset(roles), label=label, when=when,
                guard=guard)


_WORKFLOWS: dict[type[models.Model], Workflow[Any]] = {}

LeaveHook = Callable[[Any, Any], None]  # (locked case, by): runs in the transition's transaction
_LEAVE_HOOKS: dict[str, list[LeaveHook]] = {}


def on_leaving(group: str, hook: LeaveHook) -> None:
    """Run `hook` in every transition, of every kind, that takes a case out of status group
    `group` (the kernel revokes personal access when a case leaves `open`): registered once, so a
    kind cannot forget it."""
    if hook not in _LEAVE_HOOKS.setdefault(group, []):
        _LEAVE_HOOKS[group].append(hook)


TransitionHook = Callable[[Any, Any, str, str], None]  # (locked case, by, from, to): in the transaction
_TRANSITION_HOOKS: list[TransitionHook] = []


def on_transition(hook: TransitionHook) -> None:
    """Run `hook` in every transition of every kind, after its audit event, in its transaction (the
    partner API queues its status web hooks there: a rolled-back step sends nothing)."""
    if hook not in _TRANSITION_HOOKS:
        _TRANSITION_HOOKS.append(hook)


def workflow_for(model: type[M]) -> Workflow[M]:
    """The table of a kind of case (each kind's workflow module registers it when imported)."""
    try:
        return _WORKFLOWS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no workflow: import its workflow module in ready()") from None


@dataclass
class Workflow(Generic[M]):
    model: type[M]
    audit_prefix: str  # "grants.grant"
    steps: list[Step]
    object_check: ObjectCheck
    groups: dict[str, Iterable[str]] = field(default_factory=dict)  # "open": statuses, one name per meaning
    # Who may see and act on a case beyond the shared rules, by role (finance: grants from approval on).
    role_scope: dict[str, models.Q] = field(default_factory=dict)
    status_field: str = "status"
    changed_at_field: str | None = "status_changed_at"
    register: bool = True  # the kind's table; False for a table built on the side (the engine's own tests)
    _by_name: dict[str, Step] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {s.name: s for s in self.steps}
        if len(self._by_name) != len(self.steps):
            raise ValueError(f"{self.audit_prefix}: duplicate step names")
        status = self.model._meta.get_field(self.status_field)
        known = {value for value, _label in getattr(status, "choices", None) or ()}
        self.groups = {name: tuple(members) for name, members in self.groups.items()}
        for name, members in self.groups.items():
            if set(members) - known:
                raise ValueError(f"{self.audit_prefix}: group {name!r} names unknown statuses")
        if self.register:
            _WORKFLOWS[self.model] = self

    def get(self, name: str) -> Step:
        try:
            return self._by_name[name]
        except KeyError:
            raise WorkflowError(f"Unknown action {name!r}.", code="unknown_action") from None

    def has(self, name: str) -> bool:
        return name in self._by_name

    def group(self, name: str) -> tuple[str, ...]:
        return tuple(self.groups[name])

    def in_group(self, obj: M, name: str) -> bool:
        return getattr(obj, self.status_field) in self.groups[name]

    # --- asking -------------------------------------------------------------------------------

    def _role_allows(self, user: Any, step: Step) -> bool:
        if user is None:  # the system itself (a Celery task), e.g. routing on intake
            return SYSTEM in step.roles
        return has_any_role(user, step.roles)

    def _check(self, obj: M, step: Step, user: Any, params: dict[str, Any] | None,
               object_ok: bool | None = None) -> None:
        """Raise unless `user` may take `step` on `obj` now (`params` None: before anything is typed)."""
        if not self._role_allows(user, step):
            raise PermissionDenied(f"You may not {step.label.lower()} this case.")
        if user is not None and not (self.object_check(user, obj) if object_ok is None else object_ok):
            raise PermissionDenied(f"You may not {step.label.lower()} this case.")
        current = getattr(obj, self.status_field)
        if current not in step.sources:
            raise WorkflowError(
                f"Cannot {step.label.lower()}: the case is {current.replace('_', ' ')}.", code="invalid_transition"
            )
        if step.when is not None:
            step.when(obj, user)
        if params is not None and step.guard is not None:
            step.guard(obj, user, params)

    def require_may(self, obj: M, name: str, *, by: Any) -> None:
        """Raise unless `by` holds the role and the object access for step `name`, whatever the
        state: a service answering a repeat ("already done") asks this first, so a repeat never
        tells, or does, for someone who may not take the step what the step itself would refuse."""
        step = self.get(name)
        if not self._role_allows(by, step) or (by is not None and not self.object_check(by, obj)):
            raise PermissionDenied(f"You may not {step.label.lower()} this case.")

    def can(self, obj: M, user: Any, name: str, **params: Any) -> bool:
        """May `user` take step `name` on `obj` now? No side effect. With params, their guard runs too."""
        try:
            self._check(obj, self.get(name), user, params or None)
        except ProtectError:
            return False
        return True

    def available(self, obj: M, user: Any, names: Iterable[str] | None = None) -> set[str]:
        """The steps (of `names`, or all) this user may take on `obj` now."""
        if user is None or not user.is_authenticated:
            return set()
        wanted = self.steps if names is None else [self.get(n) for n in names]
        object_ok = self.object_check(user, obj)  # once for the whole page, not once per step
        allowed = set()
        for step in wanted:
            try:
                self._check(obj, step, user, None, object_ok)
            except ProtectError:
                continue
            allowed.add(step.name)
        return allowed

    # --- doing --------------------------------------------------------------------------------

    def _lock(self, obj: M) -> M:
        return self.model._default_manager.select_for_update().get(pk=obj.pk)

    @contextmanager
    def acting(self, obj: M, name: str, *, by: Any, **params: Any) -> Iterator[M]:
        """Take an action (a step that keeps the status): inside one transaction, the row locked and
        every check of the table passed, the service writes what the action records."""
        step = self.get(name)
        if step.is_transition:
            raise ValueError(f"{name} is a transition: use run()")
        with transaction.atomic():
            locked = self._lock(obj)
            self._check(locked, step, by, params)
            yield locked

    def run(self, obj: M, name: str, *, by: Any, idempotency_key: str = "", **params: Any) -> M:
        step = self.get(name)
        if not step.is_transition:
            raise ValueError(f"{name} is an action: use acting()")
        assert step.target is not None
        with transaction.atomic():
            locked = self._lock(obj)
            current = getattr(locked, self.status_field)
            if current == step.target and not step.returns_to_itself:
                self.require_may(locked, name, by=by)
                return locked  # already done: a repeat changes nothing
            self._check(locked, step, by, params)
            if step.returns_to_itself:
                if not idempotency_key:
                    raise WorkflowError(f"{step.label} needs an idempotency key.", code="idempotency_key_required")
                _, first = AppliedStep.objects.get_or_create(
                    case_type=locked._meta.label_lower, case_id=locked.pk, action=step.name, key=idempotency_key[:100],
                )
                if not first:
                    return locked  # this very update was applied already
            changed = [self.status_field]
            if step.effect is not None:
                changed += step.effect(locked, by, params)
            setattr(locked, self.status_field, step.target)
            if self.changed_at_field:
                setattr(locked, self.changed_at_field, timezone.now())
                changed.append(self.changed_at_field)
            clean_or_refuse(locked, only=changed)
            locked.save(update_fields=sorted(set(changed)))

            data: dict[str, Any] = {"from": current, "to": step.target}
            data |= {key: params[key] for key in step.audit_params if key in params}
            log_event(f"{self.audit_prefix}.{step.name}", actor=by, target=locked, data=data)
            for transition_hook in _TRANSITION_HOOKS:
                transition_hook(locked, by, current, step.target)
            for group, hooks in _LEAVE_HOOKS.items():
                members = self.groups.get(group, ())
                if current in members and step.target not in members:
                    for hook in hooks:
                        hook(locked, by)
            for follow_up in step.follow_ups:
                transaction.on_commit(lambda f=follow_up: f(locked))  # type: ignore[misc]
        return locked
