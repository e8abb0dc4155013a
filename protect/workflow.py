"""The one transition engine. Each app's workflow.py declares only its table and its guards.

A transition runs in one transaction: lock the row (select_for_update), check that it applies to
the current state, the role and the object permission of the person asking, run the guard, apply
the effect (fields the transition writes besides status), write status, append an audit event,
and queue follow-ups with on_commit. Asking for a transition whose target is already the current
state changes nothing (a double click, a retried API call): the caller gets the row back as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone

from protect.accounts.permissions import has_any_role
from protect.audit.services import log_event
from protect.core.errors import PermissionDenied, ProtectError


class WorkflowError(ProtectError):
    """A transition that does not apply now: wrong state, or a guard said no."""

    status_code = 409


M = TypeVar("M", bound=models.Model)
SYSTEM = "system"  # a pseudo-role: transitions the workers make with by=None

Guard = Callable[[Any, Any, dict[str, Any]], None]  # (locked obj, user, params) -> raise WorkflowError to refuse
Effect = Callable[[Any, Any, dict[str, Any]], list[str]]  # returns the extra fields it changed
FollowUp = Callable[[Any], None]  # runs after commit, with the saved obj
ObjectCheck = Callable[[Any, Any], bool]  # (user, obj) -> may this user act on this object at all


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str
    guard: Guard | None = None
    effect: Effect | None = None
    follow_ups: tuple[FollowUp, ...] = ()
    # Data written to the audit event: picked from params by name (values must be plain, non-sensitive).
    audit_params: tuple[str, ...] = ()


def transition(
    name: str,
    *,
    sources: Iterable[str],
    target: str,
    roles: Iterable[str],
    label: str,
    guard: Guard | None = None,
    effect: Effect | None = None,
    follow_ups: Iterable[FollowUp] = (),
    audit_params: Iterable[str] = (),
) -> Transition:
    return Transition(
        name=name, sources=frozenset(sources), target=target, roles=frozenset(roles), label=label, guard=guard,
        effect=effect, follow_ups=tuple(follow_ups), audit_params=tuple(audit_params),
    )


@dataclass
class Workflow(Generic[M]):
    model: type[M]
    audit_prefix: str  # "grants.grant"
    transitions: list[Transition]
    object_check: ObjectCheck
    status_field: str = "status"
    changed_at_field: str | None = "status_changed_at"
    _by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ValueError(f"{self.audit_prefix}: duplicate transition names")

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise WorkflowError(f"Unknown action {name!r}.", code="unknown_action") from None

    def _role_allows(self, user: Any, t: Transition) -> bool:
        if user is None:  # the system itself (a Celery task), e.g. routing on intake
            return SYSTEM in t.roles
        return has_any_role(user, t.roles)

    def available(self, obj: M, user: Any) -> list[Transition]:
        """Transitions this user may ask for now (their guards are checked when run)."""
        if not user.is_authenticated or not self.object_check(user, obj):
            return []
        roles = set(user.role_names())
        current = getattr(obj, self.status_field)
        return [t for t in self.transitions if current in t.sources and roles & t.roles]

    def run(self, obj: M, name: str, *, by: Any, **params: Any) -> M:
        t = self.get(name)
        with transaction.atomic():
            locked = self.model._default_manager.select_for_update().get(pk=obj.pk)
            current = getattr(locked, self.status_field)
            if not self._role_allows(by, t) or (by is not None and not self.object_check(by, locked)):
                raise PermissionDenied(f"You may not {t.label.lower()} this case.")
            if current == t.target and current not in t.sources:
                return locked  # already done: a repeat changes nothing
            if current not in t.sources:
                raise WorkflowError(
                    f"Cannot {t.label.lower()}: the case is {current.replace('_', ' ')}.", code="invalid_transition"
                )
            if t.guard is not None:
                t.guard(locked, by, params)
            changed = [self.status_field]
            if t.effect is not None:
                changed += t.effect(locked, by, params)
            setattr(locked, self.status_field, t.target)
            if self.changed_at_field:
                setattr(locked, self.changed_at_field, timezone.now())
                changed.append(self.changed_at_field)
            locked.full_clean()
            locked.save(update_fields=sorted(set(changed)))
            data: dict[str, Any] = {"from": current, "to": t.target}
            data |= {key: params[key] for key in t.audit_params if key in params}
            log_event(f"{self.audit_prefix}.{t.name}", actor=by, target=locked, data=data)
            for follow_up in t.follow_ups:
                transaction.on_commit(lambda f=follow_up: f(locked))  # type: ignore[misc]
        return locked
