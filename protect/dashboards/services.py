"""Keeping the rollups fresh: one case's fact after each of its transitions, its months summed
again; and a full rebuild for bulk-loaded data or as the beat's safety net.

Facts are computed in SQL from the case tables (the same statement for one case or for all), so
the incremental and the bulk paths cannot disagree. A month is summed again under an advisory
lock so two workers refreshing cases of the same month never interleave their delete and insert."""

from __future__ import annotations

import datetime
import zlib
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from grants.models import FUNDED
from protect.outbox.services import outbox_enqueue
from relocation.selectors import relocation_people_and_eur

from .models import CaseFact, MonthRollup

KINDS = ("grant", "relocation", "alert")


def _t(label: str) -> str:
    return str(apps.get_model(label)._meta.db_table)


def _fact_sql(kind: str) -> str:
    """SELECT of fact columns for cases of `kind` whose id is in %(ids)s (NULL: every case)."""
    defender, profile = _t("defenders.Defender"), _t("defenders.DefenderProfile")
    common = (f"c.defender_id, {{month}}, {{counted}}, c.region, c.country, d.kind = 'organisation', {{needs}}, "
              f"ARRAY(SELECT p.profile FROM {profile} p WHERE p.defender_id = c.defender_id ORDER BY 1)")
    where = "WHERE (%(ids)s::bigint[] IS NULL OR c.id = ANY(%(ids)s::bigint[]))"
    if kind == "grant":

        funded = ", ".join(f"'{s}'" for s in FUNDED)
        first_payment = f"(SELECT min(x.paid_on) FROM {_t('grants.Disbursement')} x WHERE x.grant_id = c.id)"
        return (
            "SELECT 'grant', c.id, " + common.format(
                month="date_trunc('month', coalesce(c.decided_at, c.submitted_at))::date",
                counted=f"c.status IN ({funded})",
                needs="ARRAY(SELECT jsonb_array_elements_text(c.needs::jsonb))") +
            f", CASE WHEN c.status IN ({funded}) THEN coalesce(c.approved_amount_eur_minor, 0) ELSE 0 END, 1, 0, '', "
            f"extract(epoch FROM c.decided_at - c.submitted_at) / 3600, "
            f"extract(epoch FROM {first_payment}::timestamptz - c.submitted_at) / 3600, "
            f"extract(epoch FROM c.sla_due_at - c.submitted_at) / 3600 "
            f"FROM {_t('grants.Grant')} c JOIN {defender} d ON d.id = c.defender_id {where}")
    if kind == "relocation":
        # People and EUR are filled in afterwards from the relocation's own arithmetic.
        return (
            "SELECT 'relocation', c.id, " + common.format(
                month="date_trunc('month', coalesce(c.starts_on::timestamptz, c.submitted_at))::date",
                counted="c.starts_on IS NOT NULL AND c.status <> 'cancelled'", needs="ARRAY[]::varchar[]") +
            f", 0, 0, 0, '', NULL, NULL, NULL "
            f"FROM {_t('relocation.Relocation')} c JOIN {defender} d ON d.id = c.defender_id {where}")
    updates = f"(SELECT count(*) FROM {_t('alerts.AlertUpdate')} u WHERE u.alert_id = c.id)"
    return (
        "SELECT 'alert', c.id, " + common.format(
            month="date_trunc('month', coalesce(c.published_at, c.submitted_at))::date",
            counted="c.published_at IS NOT NULL", needs="ARRAY[]::varchar[]") +
        f", 0, 0, {updates}, coalesce(c.outcome, ''), NULL, NULL, NULL "
        f"FROM {_t('alerts.Alert')} c JOIN {defender} d ON d.id = c.defender_id {where}")


_COLUMNS = ("kind, case_id, defender_id, month, counted, region, country, organisation, needs, profiles, eur_minor, "
            "people, updates, outcome, hours_to_decision, hours_to_payment, sla_hours")


def _upsert_facts(kind: str, ids: list[int] | None) -> None:
    set_clause = ", ".join(f"{c.strip()} = EXCLUDED.{c.strip()}" for c in _COLUMNS.split(",")[2:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CaseFact._meta.db_table} ({_COLUMNS}) {_fact_sql(kind)} "
            f"ON CONFLICT (kind, case_id) DO UPDATE SET {set_clause}", {"ids": ids})
        if kind == "relocation":
            _fill_relocation_money(ids)


def _fill_relocation_money(ids: list[int] | None) -> None:

    if ids is None:
        ids = list(CaseFact.objects.filter(kind="relocation").values_list("case_id", flat=True))
    for start in range(0, len(ids), 2000):
        batch = relocation_people_and_eur(ids[start:start + 2000])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {CaseFact._meta.db_table} SET people = %s, eur_minor = CASE WHEN counted THEN %s ELSE 0 END "
                f"WHERE kind = 'relocation' AND case_id = %s",
                [(people, eur, pk) for pk, (people, eur) in batch.items()])


def _sum_months(kind: str, months: list[datetime.date] | None) -> None:
    """Sum the facts of `kind` again for these months (None: all), replacing their rollup rows."""
    table, facts = MonthRollup._meta.db_table, CaseFact._meta.db_table
    with connection.cursor() as cursor:
        for month in months or []:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"{kind}:{month}".encode())])
        cursor.execute(
            f"DELETE FROM {table} WHERE kind = %(kind)s AND (%(months)s::date[] IS NULL OR month = ANY(%(months)s))",
            {"kind": kind, "months": months})
        cursor.execute(
            f"INSERT INTO {table} (kind, month, region, country, organisation, need, profile, cases, eur_minor, "
            f"people, updates, outcomes) "
            f"SELECT f.kind, f.month, f.region, f.country, f.organisation, n.need, p.profile, count(*), "
            f"sum(f.eur_minor), sum(f.people), sum(f.updates), count(*) FILTER (WHERE f.outcome <> '') "
            f"FROM {facts} f CROSS JOIN LATERAL unnest(ARRAY['']::varchar[] || f.needs) AS n(need) "
            f"CROSS JOIN LATERAL unnest(ARRAY['']::varchar[] || f.profiles) AS p(profile) "
            f"WHERE f.counted AND f.kind = %(kind)s AND (%(months)s::date[] IS NULL OR f.month = ANY(%(months)s)) "
            f"GROUP BY 1, 2, 3, 4, 5, 6, 7", {"kind": kind, "months": months})


def rollup_refresh_case(*, kind: str, case_id: int) -> None:
    """Make one case's fact and its months' rollups true again (idempotent: run twice, same rows)."""
    if connection.vendor != "postgresql":
        return  # the rollups are PostgreSQL's: the SQLite demo keeps none (the page says so)
    if kind not in KINDS:
        raise ValueError(f"unknown kind of case: {kind}")
    with transaction.atomic():
        before = set(CaseFact.objects.filter(kind=kind, case_id=case_id).values_list("month", flat=True))
        _upsert_facts(kind, [case_id])
        after = set(CaseFact.objects.filter(kind=kind, case_id=case_id).values_list("month", flat=True))
        _sum_months(kind, sorted(before | after))


def rollups_rebuild() -> dict[str, int]:
    """Every fact and rollup again from the case tables (bulk-loaded data; the nightly safety net)."""
    counts: dict[str, int] = {}
    if connection.vendor != "postgresql":
        return counts  # the rollups are PostgreSQL's: the SQLite demo keeps none (the page says so)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(b"dashboards:rebuild")])
        for kind in KINDS:
            _upsert_facts(kind, None)
            _sum_months(kind, None)
            counts[kind] = CaseFact.objects.filter(kind=kind, counted=True).count()
    return counts


def queue_rollup_refresh(case: Any, by: Any, old: str, new: str) -> None:
    """The engine's transition hook: refresh through the outbox, so a committed change is counted
    even when the broker is down at that moment, and a rolled-back one never is."""
    kind = getattr(case, "kind", "")
    if kind not in KINDS or connection.vendor != "postgresql":
        return
    outbox_enqueue(task_name="dashboards.refresh_case", kwargs={"kind": kind, "case_id": case.pk})
