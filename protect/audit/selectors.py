"""Reads of the audit log: scoped to who may read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q, QuerySet

from protect.accounts.permissions import is_coordinator

from .chain import GENESIS_HASH, ChainBreak, Checkpoint, verify
from .keys import audit_keyring
from .models import AuditEvent
from .phrases import known_actions, phrase_of

_CHAIN_FIELDS = ("pk", "seq", "occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id",
                 "data", "prev_hash", "hash", "key_id")


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """Only coordinators read the whole log (it names staff and cases)."""
    if not is_coordinator(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor")


def audit_people() -> QuerySet[Any]:
    """Every account, by user name: whom the audit page can be filtered by."""
    return get_user_model()._default_manager.order_by("username").only("pk", "username")


def audit_event_kinds() -> list[tuple[str, str]]:
    """(action code, plain words) of every action the log knows how to say, for the kind filter."""
    kinds = [(code, f"{phrase_of(code)} ({code.split('.', 1)[0]})") for code in known_actions()]
    return sorted(kinds, key=lambda pair: (pair[1], pair[0]))


def audit_events_filtered(
    user: Any, *, targets: list[tuple[str, str]] | None = None, actor_id: int | None = None, action: str = "",
) -> QuerySet[AuditEvent]:
    """The log `user` may read, narrowed to some records, one person, and actions starting with `action`."""
    events = audit_events_visible_to(user)
    if targets is not None:
        about = Q(pk__in=[])
        for target_type, target_id in targets:
            about |= Q(target_type=target_type, target_id=target_id)
        events = events.filter(about)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action__startswith=action)
    return events


def audit_events_for(target: models.Model) -> QuerySet[AuditEvent]:
    """The timeline of one record, oldest first. Callers have already checked access to `target`."""
    return AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk)).select_related(
        "actor"
    ).order_by("seq")


def audit_chain_verify(*, checkpoints: Sequence[Checkpoint] = ()) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain under the audit key ring: (events checked, first break or None)."""
    events = AuditEvent.objects.order_by("seq").only(*_CHAIN_FIELDS).iterator(chunk_size=2000)
    return verify(events, ring=audit_keyring(), checkpoints=checkpoints)


def audit_chain_head() -> Checkpoint:
    """The last event's sequence number, hash and time: a checkpoint to keep outside the database."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash", "occurred_at").first()
    if last is None:
        return Checkpoint(seq=0, hash=GENESIS_HASH, at="")
    return Checkpoint(seq=last[0], hash=last[1], at=last[2].isoformat(timespec="microseconds"))
