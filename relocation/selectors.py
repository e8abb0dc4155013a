"""Reads of relocations, always scoped: by the kernel's case_scope for staff (the board, one
relocation, its matching), by the host's own institutions for the host portal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from protect.accounts.permissions import has_any_role
from protect.accounts.roles import PAYERS, Role
from protect.cases.money import to_eur_minor
from protect.cases.selectors import cases_visible_to
from protect.core.sql import InIds

from .models import (
    STAGES,
    BudgetLine,
    FamilyMember,
    FollowUpCheckIn,
    HostConcern,
    HostInstitution,
    HostMatching,
    HostRequest,
    PreparationItem,
    Relocation,
    StipendInstalment,
)
from .workflow import host_ids_of, stipend_months

# What a board row shows; nothing else is loaded: with the defender's, the team's and the
# caseworker's every column, building the rows' models cost more than the board's queries.
BOARD_ROW = ("reference", "status", "urgency", "sla_due_at", "starts_on", "ends_on", "defender__pseudonym",
             "host__organisation", "host__city")
BOARD_PER_STAGE = 50  # the board shows the most urgent of each stage; the queue pages the rest


def relocations_visible_to(user: Any) -> QuerySet[Relocation]:
    return cases_visible_to(user, Relocation)


def relocation_board(user: Any) -> list[tuple[str, str, list[Relocation]]]:
    """(status, label, relocations) per stage, in the order of the workflow, each stage in deadline
    order, all in one statement: each stage's first rows numbered by a window. One query per stage
    cost more to build and compile than PostgreSQL took to run it."""
    labels = dict(Relocation.Status.choices)
    firsts = relocations_visible_to(user).filter(status__in=STAGES).annotate(place=Window(
        RowNumber(), partition_by=[F("status")], order_by=[F("sla_due_at").asc(), F("pk").asc()],
    )).filter(place__lte=BOARD_PER_STAGE).values("pk")
    # The host flags are read for the rows shown only, outside the window over every visible row.
    board = (Relocation.objects.filter(InIds("pk", firsts)).select_related("defender", "host").only(*BOARD_ROW)
             .annotate(open_concern=Exists(HostConcern.objects.filter(relocation=OuterRef("pk"),
                                                                      handled_at__isnull=True)),
                       host_asked=Exists(HostRequest.objects.filter(relocation=OuterRef("pk"),
                                                                    outcome=HostRequest.Outcome.PENDING)))
             .order_by("sla_due_at", "pk"))
    by_stage: dict[str, list[Relocation]] = {stage: [] for stage in STAGES}
    for relocation in board:
        by_stage[relocation.status].append(relocation)
    return [(stage, str(labels[stage]), by_stage[stage]) for stage in STAGES]


def hosts_for_matching() -> QuerySet[HostInstitution]:
    """Host institutions a caseworker may choose (their public facts; no relocation is read)."""
    return HostInstitution.objects.filter(is_active=True).order_by("organisation", "pk")


# --- host institutions (coordinators' pages) ----------------------------------------------------


def hosts_for_coordinators() -> QuerySet[HostInstitution]:
    """Every host, active first, with its windows and contact persons (three queries in all)."""
    return (HostInstitution.objects.order_by("-is_active", "organisation", "pk")
            .prefetch_related("availability", "contacts"))


def host_contact_candidates() -> QuerySet[Any]:
    """Accounts that may speak for a host: active, holding the host role."""
    return get_user_model().objects.filter(is_active=True, groups__name=Role.HOST).order_by("username")


# --- matching, on the relocation's page ----------------------------------------------------------


@dataclass(frozen=True)
class RankedHost:
    host: HostInstitution
    score: int
    fits: bool
    reasons: list[str]


def relocation_matching(relocation: Relocation) -> tuple[HostMatching | None, list[RankedHost]]:
    """The criteria and the worker's ranking, each entry with its host row (one query for all)."""
    matching = HostMatching.objects.filter(relocation=relocation).first()
    if matching is None or relocation.defender.is_erased:  # shredded with the defender's key
        return None, []
    matching.relocation = relocation  # the data key is the relocation's: no second read of it
    entries = list(matching.ranking) if matching.is_ranked else []
    hosts = HostInstitution.objects.in_bulk([entry["host_id"] for entry in entries])
    return matching, [RankedHost(hosts[e["host_id"]], e["score"], e["fits"], e["reasons"])
                      for e in entries if e["host_id"] in hosts]


def relocation_host_requests(relocation: Relocation) -> list[HostRequest]:
    return list(relocation.host_requests.select_related("host", "asked_by", "answered_by"))


def relocation_concerns(relocation: Relocation) -> list[HostConcern]:
    return list(relocation.host_concerns.select_related("host", "reported_by", "handled_by"))


# --- the host portal: only what the host's institutions are asked about or host ---------------------

PORTAL_COLUMNS = ("id", "reference", "status", "defender", "host", "starts_on", "ends_on")


def relocations_for_host(user: Any) -> QuerySet[Relocation]:
    """The relocations a host contact may see: those its institution hosts (any stage) and those it
    is asked about now. Nothing of the narrative is loaded (only() the columns the portal shows)."""
    hosts = host_ids_of(user)
    if not hosts:
        return Relocation.objects.none()
    asked = HostRequest.objects.filter(host_id__in=hosts, outcome=HostRequest.Outcome.PENDING).values("relocation_id")
    return (Relocation.objects.filter(Q(host_id__in=hosts) | Q(pk__in=asked))
            .only(*PORTAL_COLUMNS, "defender__pseudonym", "defender__erased_at", "host__organisation", "host__city")
            .select_related("defender", "host"))


@dataclass(frozen=True)
class HostStay:
    """A relocation as its host sees it: the pseudonym, dates, family, practical needs. Built here
    so the portal's templates never hold a Relocation and cannot reach its narrative."""

    reference: str
    pseudonym: str
    status: str
    status_label: str
    host: str
    starts_on: datetime.date
    ends_on: datetime.date
    travelling: int  # the defender and family
    age_bands: list[str]
    practical_needs: str
    asked: bool  # a question waiting for the host's answer


def _stays(user: Any, relocations: list[Relocation]) -> list[HostStay]:
    hosts = set(host_ids_of(user))
    requests = (HostRequest.objects.filter(relocation__in=relocations, host_id__in=hosts)
                .exclude(outcome=HostRequest.Outcome.WITHDRAWN).exclude(outcome=HostRequest.Outcome.DECLINED)
                .select_related("host", "relocation__defender__data_key").order_by("relocation_id", "-asked_at", "-pk"))
    latest: dict[int, HostRequest] = {}
    for row in requests:
        latest.setdefault(row.relocation_id, row)
    families = {r.pk: list(r.family.all()) for r in
                Relocation.objects.filter(pk__in=[r.pk for r in relocations]).only("pk").prefetch_related(
                    Prefetch("family", queryset=_family_bands()))}
    labels = dict(Relocation.Status.choices)
    stays = []
    for relocation in relocations:
        asked = latest.get(relocation.pk)
        hosting = relocation.host_id in hosts
        if hosting and relocation.host is not None and relocation.starts_on and relocation.ends_on:
            host_name, starts_on, ends_on = relocation.host.organisation, relocation.starts_on, relocation.ends_on
        elif asked is not None:
            host_name, starts_on, ends_on = asked.host.organisation, asked.starts_on, asked.ends_on
        else:
            continue
        family = families.get(relocation.pk, [])
        stays.append(HostStay(
            reference=relocation.reference, pseudonym=relocation.defender.pseudonym, status=relocation.status,
            status_label=str(labels[relocation.status]),
            host=host_name,
            starts_on=starts_on, ends_on=ends_on, travelling=1 + len(family),
            age_bands=[m.get_age_band_display() for m in family],
            practical_needs=asked.practical_needs if asked is not None and not relocation.defender.is_erased else "",
            asked=asked is not None and asked.outcome == HostRequest.Outcome.PENDING,
        ))
    return stays


def _family_bands() -> QuerySet[FamilyMember]:
    return FamilyMember.objects.only("pk", "relocation_id", "age_band", "created_at")


def host_stays(user: Any) -> list[HostStay]:
    """The host portal's list: questions waiting for an answer first, then stays by start date."""
    stays = _stays(user, list(relocations_for_host(user)))
    return sorted(stays, key=lambda s: (not s.asked, s.starts_on, s.reference))


def host_request_answered(user: Any, reference: str) -> HostRequest | None:
    """The latest question to this user's institutions about `reference` that is no longer open
    (declined, withdrawn), or None. It tells the host only what it was told when it was asked: a
    reference it was never asked about, or another host's, finds nothing."""
    return (HostRequest.objects.filter(host_id__in=host_ids_of(user), relocation__reference=reference)
            .exclude(outcome=HostRequest.Outcome.PENDING).only("pk", "outcome").order_by("-asked_at", "-pk").first())


def host_stay(user: Any, reference: str) -> tuple[Relocation, HostStay] | None:
    """One relocation of the host's, or None (the page answers 404: not its own, or no such one)."""
    relocation = relocations_for_host(user).filter(reference=reference).first()
    if relocation is None:
        return None
    stays = _stays(user, [relocation])
    return (relocation, stays[0]) if stays else None
# --- preparation, budget, stipends, check-ins ----------------------------------------------------


def relocation_checklist(relocation: Relocation) -> list[tuple[str, str, PreparationItem | None]]:
    """(kind, label, item or None) for every item of the checklist, in order; one query."""
    items = {item.kind: item for item in PreparationItem.objects.filter(relocation=relocation)}
    return [(kind, str(label), items.get(kind)) for kind, label in PreparationItem.Kind.choices]


def relocation_budget_lines(relocation: Relocation) -> QuerySet[BudgetLine]:
    return relocation.budget_lines.order_by("created_at", "pk")


def relocation_stipends(relocation: Relocation) -> QuerySet[StipendInstalment]:
    return relocation.stipends.select_related("confirmed_by").order_by("month", "pk")


def relocation_checkin(relocation: Relocation) -> FollowUpCheckIn | None:
    return FollowUpCheckIn.objects.filter(relocation=relocation).select_related("recorded_by").first()


def checkins_due(user: Any, *, limit: int = 50) -> list[FollowUpCheckIn]:
    """Follow-up check-ins not recorded yet on the relocations `user` may see, the earliest due first
    (the board shows them above the stages)."""
    visible = relocations_visible_to(user).values("pk")
    return list(FollowUpCheckIn.objects.filter(done_on__isnull=True, relocation__in=visible)
                .select_related("relocation__defender")
                .only("pk", "due_on", "relocation__reference", "relocation__ends_on", "relocation__defender__pseudonym")
                .order_by("due_on", "pk")[:limit])


def stipends_to_confirm(user: Any) -> list[StipendInstalment]:
    """The payments inbox's relocation section: instalments not confirmed yet, oldest month first, on
    relocations `user` may see (finance: from the arrival on). Pseudonym and amounts only."""
    if not has_any_role(user, PAYERS):
        return []
    visible = relocations_visible_to(user).values("pk")
    return list(StipendInstalment.objects.filter(paid_on__isnull=True, relocation__in=visible)
                .select_related("relocation__defender")
                .only("pk", "month", "people", "amount_minor", "currency", "amount_eur_minor",
                      "relocation__reference", "relocation__country", "relocation__defender__pseudonym")
                .order_by("month", "pk"))


@dataclass(frozen=True)
class Totals:
    """Money of one relocation, or of a year's relocations, in EUR minor units at recorded rates."""

    relocations: int
    people: int  # the defenders and the family members who relocated with them
    planned_eur_minor: int  # one-off lines plus the stipend for everyone over the whole stay
    stipends_written_eur_minor: int  # instalments beat wrote so far
    stipends_paid_eur_minor: int  # of which finance confirmed payment


def _planned(lines: list[BudgetLine], people: int, starts_on: datetime.date | None,
             ends_on: datetime.date | None) -> int:
    total = 0
    months = len(list(stipend_months(starts_on, ends_on))) if starts_on and ends_on else 0
    for line in lines:
        if line.kind == BudgetLine.Kind.STIPEND:
            total += to_eur_minor(line.amount_minor * people * months, line.eur_rate)
        else:
            total += line.amount_eur_minor
    return total


def _totals(relocations: QuerySet[Relocation]) -> Totals:
    rows = list(relocations.annotate(family_count=Count("family", distinct=True))
                .values_list("pk", "starts_on", "ends_on", "family_count"))
    ids = [pk for pk, *_rest in rows]
    lines: dict[int, list[BudgetLine]] = {}
    for line in BudgetLine.objects.filter(relocation_id__in=ids).only(
            "relocation_id", "kind", "amount_minor", "eur_rate", "amount_eur_minor"):
        lines.setdefault(line.relocation_id, []).append(line)
    stipends = StipendInstalment.objects.filter(relocation_id__in=ids).aggregate(
        written=Sum("amount_eur_minor"), paid=Sum("amount_eur_minor", filter=Q(paid_on__isnull=False)))
    people = sum(1 + family for _pk, _s, _e, family in rows)
    planned = sum(_planned(lines.get(pk, []), 1 + family, starts, ends) for pk, starts, ends, family in rows)
    return Totals(relocations=len(rows), people=people, planned_eur_minor=planned,
                  stipends_written_eur_minor=stipends["written"] or 0, stipends_paid_eur_minor=stipends["paid"] or 0)


def relocation_totals(relocation: Relocation) -> Totals:
    """One relocation's people and money (the page has it from a scoped selector already)."""
    return _totals(Relocation.objects.filter(pk=relocation.pk))


def relocation_totals_by_year(relocations: QuerySet[Relocation] | None = None, *,
                              years: list[int] | None = None) -> dict[int, Totals]:
    """Totals per year of the start of the stay, for relocations that got a host (not cancelled):
    aggregates only, for the dashboards (which hide small cells) and the relocation page (which
    passes the relocations its user may see). Three queries per year asked, whatever the count."""
    base = (relocations if relocations is not None else Relocation.objects.all()).filter(
        starts_on__isnull=False).exclude(status=Relocation.Status.CANCELLED)
    if years is None:
        years = sorted({d.year for d in base.dates("starts_on", "year")})
    return {year: _totals(base.filter(starts_on__year=year)) for year in years}


def relocation_people_and_eur(ids: list[int]) -> dict[int, tuple[int, int]]:
    """(people, planned EUR minor) per relocation, for the dashboards' rollups: three queries a
    batch, whatever its size, with the same arithmetic as the totals above."""
    rows = list(Relocation.objects.filter(pk__in=ids).annotate(family_count=Count("family", distinct=True))
                .values_list("pk", "starts_on", "ends_on", "family_count"))
    lines: dict[int, list[BudgetLine]] = {}
    for line in BudgetLine.objects.filter(relocation_id__in=ids).only(
            "relocation_id", "kind", "amount_minor", "eur_rate", "amount_eur_minor"):
        lines.setdefault(line.relocation_id, []).append(line)
    return {pk: (1 + family, _planned(lines.get(pk, []), 1 + family, starts, ends))
            for pk, starts, ends, family in rows}
