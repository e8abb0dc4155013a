"""Reads of cases of any kind, always scoped by protect.cases.access: one case, the queue, the
rows attached to a case."""

from __future__ import annotations

import base64
import binascii
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from protect.accounts.permissions import has_any_role
from protect.accounts.roles import ASSIGNABLE
from protect.audit.models import AuditEvent
from protect.audit.selectors import audit_events_for
from protect.core.errors import NotFound
from protect.core.sql import CountStatement, count_statement, run_counts
from protect.defenders.models import Defender
from protect.defenders.selectors import defenders_visible_to
from protect.workflow import workflow_for

from .access import assigned_q, can_see_narrative, case_scope, scope_key, team_q
from .models import Case, CaseFile, CaseMessage, CaseNote, Notification
from .registry import case_models

C = TypeVar("C", bound=Case)
QUEUE_PAGE_SIZE = 50
# Encrypted columns of the defender: a list shows none of them, so none is read.
DEFENDER_DEFERRED = ("defender__legal_name", "defender__aliases", "defender__contacts", "defender__secure_channels",
                     "defender__location", "defender__risk_notes", "defender__date_of_birth")


def cases_visible_to(user: Any, model: type[C]) -> QuerySet[C]:
    """Every case of `model` that `user` may see, with what a list shows loaded in the same query."""
    return case_scope(user, model._default_manager.select_related("defender", "team", "caseworker"))


def case_get_for(user: Any, model: type[C], reference: str, *, related: tuple[str, ...] = (),
                 prefetch: tuple[Any, ...] = ()) -> C:
    """One case by its reference, if `user` may see it; NotFound otherwise (never 'forbidden': a
    stranger must not learn that a reference exists)."""
    case = cases_visible_to(user, model).select_related("defender__data_key", *related).prefetch_related(
        *prefetch).filter(reference=reference).first()
    if case is None:
        raise NotFound("No such case.")
    return case


@dataclass(frozen=True)
class QueueFilters:
    scope: str = "mine"  # mine | team | all
    status: str = ""
    urgency: str = ""
    country: str = ""
    open_only: bool = True
    new_reply: bool = False  # only cases whose requester answered after the last staff message


@dataclass(frozen=True)
class QueuePage(Generic[C]):
    rows: list[C]
    next_cursor: str | None
    now: datetime
    counts: dict[str, int]  # cases in each tab asked for (case_queue's count_scopes), capped


def _encode_cursor(case: Case) -> str:
    raw = f"{case.sla_due_at.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|", 1)
        parsed = parse_datetime(when)
        return (parsed, int(pk)) if parsed is not None else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def mine_parts(user: Any, model: type[Case], *personal: str) -> list[Q]:
    """Cases assigned to `user`, any of: as caseworker, through an object permission, or through one
    of the kind's own personal fields (a grant's reviewer)."""
    parts = [Q(caseworker=user), *(Q(**{name: user}) for name in personal)]
    if has_any_role(user, ASSIGNABLE):
        parts.append(assigned_q(user, model))
    return parts


def _queue_filtered(model: type[C], filters: QueueFilters, narrow: Q | None) -> QuerySet[C]:
    """The queue's cases before its scope (who sees what, and the tab) and page. When the filters ask
    for new replies only, each is annotated with the direction of its last message (see below)."""
    queryset = model._default_manager.all()
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    elif filters.open_only:
        queryset = queryset.filter(status__in=workflow_for(model).group("open"))
    if filters.urgency:
        queryset = queryset.filter(urgency=filters.urgency)
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper()[:2])
    if narrow is not None:
        queryset = queryset.filter(narrow)
    if filters.new_reply:
        queryset = _with_last_message(queryset, model).filter(
            last_message_direction=CaseMessage.Direction.FROM_REQUESTER)
    return queryset


def _with_last_message(queryset: QuerySet[C], model: type[C]) -> QuerySet[C]:
    """Each case with the direction of its last message (a correlated subquery on the case's
    message index): a requester's answer after the last question is a "new reply"."""
    if "last_message_direction" in queryset.query.annotations:
        return queryset
    messages = model._meta.get_field("messages").related_model
    last = messages._default_manager.filter(case=OuterRef("pk")).order_by("-created_at", "-pk")  # type: ignore[union-attr]
    return queryset.annotate(last_message_direction=Subquery(last.values("direction")[:1]))  # type: ignore[return-value]


def _in_tab(user: Any, queryset: QuerySet[C], scope: str, personal: tuple[str, ...]) -> QuerySet[C]:
    """The cases of `queryset` that `user` may see, in the queue's tab `scope`."""
    within = None  # "all": every case they may see
    if scope == "mine":
        within = mine_parts(user, queryset.model, *personal)
    elif scope == "team":
        within = [team_q(user)]
    return case_scope(user, queryset, within)


# What a queue row shows of any kind of case: the kind adds its own columns (`columns`). Nothing
# else is loaded: at fifty rows, building the unused columns (and the team) cost more than the query.
QUEUE_ROW = ("reference", "status", "sla_due_at", "country", "urgency", "defender__pseudonym",
             "caseworker__username", "caseworker__display_name")
# A tab shows "1000+" beyond this: counting a whole desk's open cases cost the page more than its rows.
QUEUE_COUNT_CAP = 1000


def case_queue(
    user: Any, model: type[C], filters: QueueFilters, *, cursor: str = "", limit: int = QUEUE_PAGE_SIZE,
    narrow: Q | None = None, personal: tuple[str, ...] = (), columns: tuple[str, ...] = (),
    count_scopes: tuple[str, ...] = (),
) -> QueuePage[C]:
    """The queue: earliest deadline first (so overdue cases lead), keyset-paginated, one query
    whatever the page. `narrow` is the kind's own filter; `columns` what its rows show beyond
    QUEUE_ROW (never an encrypted one). Each row carries `last_message_direction`.

    With `count_scopes`, the page also says how many cases each of those tabs holds under the same
    filters, up to QUEUE_COUNT_CAP + 1 (read as "more than the cap"), all in one more query, each
    tab's count stopping after the cap: a tab costs the same whether it holds a thousand open cases
    or fifty thousand. The filters are composed once for the rows and the counts; each tab is
    scoped by access.case_scope, which reads the user's permission rows once per statement."""
    counting, queryset = _queue_statements(user, model, filters, narrow, personal, columns, count_scopes)
    counts = run_counts(counting)
    position = _decode_cursor(cursor) if cursor else None
    if position is not None:
        due, pk = position
        queryset = queryset.filter(Q(sla_due_at__gt=due) | Q(sla_due_at=due, pk__gt=pk))
    rows = list(queryset[: limit + 1])
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return QueuePage(rows=rows[:limit], next_cursor=next_cursor, now=timezone.now(), counts=counts)


# The queue's two statements (its tabs' counts, compiled, and its rows' queryset, not yet run), kept
# per process for each combination of what writes them: building them through the ORM took 3.5 ms
# of a 25 ms page, more than PostgreSQL took to run them. They hold no answer: each run reads the
# cases and the user's permission rows afresh, and a change of role or team is a new key
# (access.scope_key). Bounded, least recently used first out: an entry is about 45 KiB, so a process
# keeps at most about 3 MB of them (a desk's caseworkers, each with a few filters).
QUEUE_STATEMENTS_KEPT = 64
_queue_kept: OrderedDict[tuple[Any, ...], tuple[CountStatement, QuerySet[Any]]] = OrderedDict()
_queue_kept_lock = threading.Lock()


def _queue_statements(
    user: Any, model: type[C], filters: QueueFilters, narrow: Q | None, personal: tuple[str, ...],
    columns: tuple[str, ...], count_scopes: tuple[str, ...],
) -> tuple[CountStatement, QuerySet[C]]:
    tabs = {filters.scope, *count_scopes}
    key = (model, scope_key(user, teams="team" in tabs), filters, narrow, personal, columns, count_scopes)
    with _queue_kept_lock:
        kept = _queue_kept.get(key)
        if kept is not None:
            _queue_kept.move_to_end(key)
            return kept  # type: ignore[return-value]
    filtered = _queue_filtered(model, filters, narrow)
    unordered = filtered.order_by()
    counting = count_statement({scope: _in_tab(user, unordered, scope, personal).values("pk")[: QUEUE_COUNT_CAP + 1]
                                for scope in count_scopes})
    queryset = _with_last_message(_in_tab(user, filtered, filters.scope, personal), model).select_related(
        None).select_related("defender", "caseworker").only(*QUEUE_ROW, *columns).order_by("sla_due_at", "pk")
    with _queue_kept_lock:
        _queue_kept[key] = (counting, queryset)
        while len(_queue_kept) > QUEUE_STATEMENTS_KEPT:
            _queue_kept.popitem(last=False)
    return counting, queryset


def queue_count_label(count: int) -> str:
    """A tab's count as shown: exact up to the cap, then "1000+"."""
    return str(count) if count <= QUEUE_COUNT_CAP else f"{QUEUE_COUNT_CAP}+"


def has_new_reply(case: Case) -> bool:
    """The requester answered after the last message from staff (read from the queue's annotation)."""
    return getattr(case, "last_message_direction", None) == CaseMessage.Direction.FROM_REQUESTER


# --- one case page: its lists, for a case already fetched through case_get_for ------------------
# Each is one query whatever the number of rows; going through the case's related managers hands
# every row the same case instance, so decrypting a body needs no further query for its key.


def case_messages(case: Case) -> QuerySet[CaseMessage]:
    return case.messages.select_related("author").order_by("created_at", "pk")  # type: ignore[attr-defined, no-any-return]


def case_notes(case: Case) -> QuerySet[CaseNote]:
    return case.notes.select_related("author").order_by("created_at", "pk")  # type: ignore[attr-defined, no-any-return]


def case_files_for(user: Any, case: Case) -> QuerySet[CaseFile]:
    """The case's files this user may open: finance, who never reads the narrative, sees receipts only."""
    files = case.files.select_related("file__data_key", "uploaded_by").order_by("created_at", "pk")  # type: ignore[attr-defined]
    if not can_see_narrative(user):
        files = files.filter(kind=CaseFile.Kind.RECEIPT)
    return files  # type: ignore[no-any-return]


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    """What happened to the case, oldest first. Page views (`.viewed`) stay in the audit log for
    coordinators but are left out here: one line per look at the page would bury the history."""
    return audit_events_for(case).exclude(action=f"{case._meta.label_lower}.viewed")


def is_overdue(case: Case, now: datetime) -> bool:
    """The SLA runs until a decision: an open case past its deadline but already decided is not late."""
    return workflow_for(type(case)).in_group(case, "awaiting_decision") and case.sla_due_at < now


# --- defenders, as the people behind cases ---------------------------------------------------------


def defenders_reachable_by(user: Any) -> QuerySet[Defender]:
    """Defenders `user` may see: through a permission on the defender, or because one of their
    cases, of any kind, is visible to `user` (a request from the public form gives nobody a
    permission on the defender; the caseworker it was routed to must still find them)."""
    through_cases = Q(pk__in=[])
    for model in case_models():
        through_cases |= Q(pk__in=case_scope(user, model._default_manager.all()).values("defender_id"))
    return defenders_visible_to(user, also=through_cases)


def defender_get_for(user: Any, reference: str) -> Defender:
    """One live defender by reference (any case), if `user` may see them; NotFound otherwise."""
    defender = defenders_reachable_by(user).filter(reference=reference.strip().upper()).first()
    if defender is None:
        raise NotFound("No such defender.")
    return defender


def defender_requests_for(user: Any, defender: Defender) -> list[Case]:
    """The defender's requests of every kind that `user` may see, newest first: one query per kind."""
    rows: list[Case] = []
    for model in case_models():
        rows += list(cases_visible_to(user, model).filter(defender=defender).defer(*DEFENDER_DEFERRED))
    return sorted(rows, key=lambda case: case.submitted_at, reverse=True)


def notifications_for(user: Any, *, limit: int = 20) -> list[Notification]:
    """What `user` was told and has not seen yet (their own rows only), newest first."""
    if user is None or not user.is_authenticated:
        return []
    return list(Notification.objects.filter(user=user, seen_at=None).order_by("-created_at", "-pk")[:limit])
