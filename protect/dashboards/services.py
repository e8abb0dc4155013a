"""Keeping the rollups fresh: one case's fact after each of its transitions, its months summed
again; a reconciliation as the beat's safety net; and a full rebuild for bulk-loaded data.

Facts are computed in SQL from the case tables (the same statement for one case or for all), so
the incremental and the bulk paths cannot disagree. A month is summed again under an advisory
lock so two workers refreshing cases of the same month never interleave their delete and insert.
Distinct defenders do not add up by month: a case's refresh takes its defender's rows away and
adds them back from the facts (DefenderRollup), under a lock per defender.

The safety net must not stop the refreshes: a full rebuild holds them for minutes at a million
cases, which would break the 60 s freshness promise four times a day. It compares instead what the
case tables give with what the rollups hold, each comparison one read-only statement, and mends
only what differs, by the same refresh a transition queues (cases), a month summed again (months)
or a difference added (distinct defenders, which add up defender by defender)."""

from __future__ import annotations

import datetime
import zlib
from functools import cache, partial
from typing import Any

from django.apps import apps
from django.db import OperationalError, connection, transaction

from grants.models import FUNDED
from protect.outbox.services import outbox_enqueue
from relocation.selectors import relocation_people_and_eur

from .models import FIRST_TIME, KINDS, WOMEN_PROFILE, CaseFact, DefenderRollup, HoursRollup, MonthRollup, PendingRefresh

_CASE_MODELS = {"grant": "grants.Grant", "relocation": "relocation.Relocation", "alert": "alerts.Alert"}


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


def _replace_facts(kind: str, ids: list[int] | None) -> None:
    """The facts of these cases of `kind` (None: all of them) again from the case tables; a case
    that no longer exists keeps none."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CaseFact._meta.db_table} WHERE kind = %(kind)s "
                       f"AND (%(ids)s::bigint[] IS NULL OR case_id = ANY(%(ids)s::bigint[]))",
                       {"kind": kind, "ids": ids})
        cursor.execute(f"INSERT INTO {CaseFact._meta.db_table} ({_COLUMNS}) {_fact_sql(kind)}", {"ids": ids})
        if kind == "relocation":
            _fill_relocation_money(ids)


def _fill_relocation_money(ids: list[int] | None) -> None:
    """People and planned EUR of relocation facts, from the relocation's own arithmetic (Python),
    written back by one UPDATE per 2,000 relocations."""
    if ids is None:
        ids = list(CaseFact.objects.filter(kind="relocation").values_list("case_id", flat=True))
    for start in range(0, len(ids), 2000):
        batch = relocation_people_and_eur(ids[start:start + 2000])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {CaseFact._meta.db_table} f SET people = v.people, "
                f"eur_minor = CASE WHEN f.counted THEN v.eur ELSE 0 END "
                f"FROM unnest(%s::bigint[], %s::int[], %s::bigint[]) AS v(case_id, people, eur) "
                f"WHERE f.kind = 'relocation' AND f.case_id = v.case_id",
                [list(batch), [people for people, _eur in batch.values()], [eur for _people, eur in batch.values()]])


def _month_locks(cursor: Any, kind: str, months: list[datetime.date] | None) -> None:
    for month in months or []:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"{kind}:{month}".encode())])


def _sum_months(kind: str, months: list[datetime.date] | None) -> None:
    """Sum the facts of `kind` again for these months (None: all), replacing their rollup rows
    (and, for grants, their response-time buckets)."""
    table = MonthRollup._meta.db_table
    args = {"kind": kind, "months": months}
    with connection.cursor() as cursor:
        _month_locks(cursor, kind, months)
        cursor.execute(
            f"DELETE FROM {table} WHERE kind = %(kind)s AND (%(months)s::date[] IS NULL OR month = ANY(%(months)s))",
            args)
        cursor.execute(f"INSERT INTO {table} ({_MONTH_KEYS}, {_MONTH_SUMS}) {_month_rows_sql()}", args)
        if kind == "grant":
            hours = HoursRollup._meta.db_table
            cursor.execute(f"DELETE FROM {hours} WHERE (%(months)s::date[] IS NULL OR month = ANY(%(months)s))", args)
            cursor.execute(f"INSERT INTO {hours} ({_HOURS_KEYS}, hours, grants) {_hours_rows_sql()}", args)


_MONTH_KEYS = "kind, month, region, country, organisation, need, profile"
_MONTH_SUMS = "cases, eur_minor, people, updates, outcomes"
_HOURS_KEYS = "scope, region, country, need, profile, month, measure"


def _month_rows_sql() -> str:
    """MonthRollup's rows of %(kind)s for %(months)s (NULL: all), from the facts."""
    return (f"SELECT f.kind, f.month, f.region, f.country, f.organisation, n.need, p.profile, count(*), "
            f"sum(f.eur_minor), sum(f.people), sum(f.updates), count(*) FILTER (WHERE f.outcome <> '') "
            f"FROM {CaseFact._meta.db_table} f CROSS JOIN LATERAL unnest(ARRAY['']::varchar[] || f.needs) AS n(need) "
            f"CROSS JOIN LATERAL unnest(ARRAY['']::varchar[] || f.profiles) AS p(profile) "
            f"WHERE f.counted AND f.kind = %(kind)s AND (%(months)s::date[] IS NULL OR f.month = ANY(%(months)s)) "
            f"GROUP BY 1, 2, 3, 4, 5, 6, 7")


def _hours_rows_sql() -> str:
    """HoursRollup's rows for %(months)s (NULL: all), from the grants' facts."""
    return (f"SELECT {_BYTEWISE}, array_agg(hour ORDER BY hour), array_agg(grants ORDER BY hour) "
            f"FROM ({_HOURS_SQL.format(facts=CaseFact._meta.db_table)}) h GROUP BY 1, 2, 3, 4, 5, 6, 7")


# Codes sort byte by byte: the language's collation would cost more than the rest of the rebuild.
_BYTEWISE = ('scope COLLATE "C", region COLLATE "C", country COLLATE "C", need COLLATE "C", '
             'profile COLLATE "C", month, measure COLLATE "C"')

# Grants by whole hours taken, at each scope in one pass (a grouping set per scope), one row of
# buckets per month, scope, need, profile and measure.
_HOURS_SQL = (
    "SELECT CASE WHEN GROUPING(f.region) = 1 THEN 'all' WHEN GROUPING(f.country) = 1 THEN 'region' "
    "ELSE 'country' END AS scope, CASE WHEN GROUPING(f.region) = 1 THEN '' ELSE f.region END AS region, "
    "CASE WHEN GROUPING(f.country) = 1 THEN '' ELSE f.country END AS country, n.need, p.profile, f.month, "
    "m.measure, m.hour, count(*) AS grants FROM {facts} f "
    "CROSS JOIN LATERAL unnest(ARRAY['']::varchar[] || f.needs) AS n(need) "
    "CROSS JOIN LATERAL unnest(ARRAY['']::varchar[] || f.profiles) AS p(profile) "
    "CROSS JOIN LATERAL (VALUES ('decision', floor(f.hours_to_decision)::int), "
    "('payment', floor(f.hours_to_payment)::int), "
    "('within_sla', CASE WHEN f.hours_to_decision <= f.sla_hours THEN 0 END)) AS m(measure, hour) "
    "WHERE f.counted AND f.kind = 'grant' AND m.hour IS NOT NULL "
    "AND (%(months)s::date[] IS NULL OR f.month = ANY(%(months)s)) "
    "GROUP BY GROUPING SETS ((n.need, p.profile, f.month, m.measure, m.hour), "
    "(f.region, n.need, p.profile, f.month, m.measure, m.hour), "
    "(f.region, f.country, n.need, p.profile, f.month, m.measure, m.hour))")

# Each counted month of a defender, per scope and need (a grant's: relocations and alerts count
# under no need filter), with the defender's previous such month; a second case in the same
# month gives that month as its previous one and is left out. Profiles are a defender's, the
# same on all their facts, so one chain serves every profile: rows are counted per set of
# profiles first, then repeated per profile, and again among women and gender-diverse defenders
# for the other profiles.
_DEFENDER_MONTHS_SQL = (
    "WITH e AS (SELECT f.defender_id, f.month, f.region, f.country, n.need, f.profiles FROM {facts} f "
    "CROSS JOIN LATERAL unnest(ARRAY['']::varchar[] || CASE WHEN f.kind = 'grant' THEN f.needs "
    "ELSE ARRAY[]::varchar[] END) AS n(need) "
    "WHERE f.counted AND (%(defenders)s::bigint[] IS NULL OR f.defender_id = ANY(%(defenders)s::bigint[]))), "
    "chained AS (SELECT month, region, country, need, profiles, "
    "lag(month) OVER (PARTITION BY defender_id, need ORDER BY month) AS since_all, "
    "lag(month) OVER (PARTITION BY defender_id, need, region ORDER BY month) AS since_region, "
    "lag(month) OVER (PARTITION BY defender_id, need, region, country ORDER BY month) AS since_country FROM e), "
    "by_profiles AS (SELECT s.scope, s.region, s.country, c.need, c.profiles, c.month, "
    "coalesce(s.since, DATE '{first}') AS since, count(*) AS n FROM chained c "
    "CROSS JOIN LATERAL (VALUES ('all', '', '', c.since_all), ('region', c.region, '', c.since_region), "
    "('country', c.region, c.country, c.since_country)) AS s(scope, region, country, since) "
    "WHERE s.since IS DISTINCT FROM c.month GROUP BY 1, 2, 3, 4, 5, 6, 7) "
    "SELECT b.scope, b.region, b.country, b.need, p.profile, w.women, b.month, b.since, b.n FROM by_profiles b "
    "CROSS JOIN LATERAL unnest(ARRAY['']::varchar[] || b.profiles) AS p(profile) "
    "CROSS JOIN LATERAL unnest(CASE WHEN p.profile NOT IN ('', '{women}') "
    "AND b.profiles @> ARRAY['{women}']::varchar[] THEN ARRAY[false, true] ELSE ARRAY[false] END) AS w(women)")


_DEFENDER_KEYS = "scope, region, country, need, profile, women, month, since"


def _defender_rows_sql() -> str:
    """DefenderRollup's rows of the defenders %(defenders)s (NULL: everyone), from the facts."""
    select = _DEFENDER_MONTHS_SQL.format(facts=CaseFact._meta.db_table, women=WOMEN_PROFILE, first=FIRST_TIME)
    return (f"SELECT scope COLLATE \"C\", region COLLATE \"C\", country COLLATE \"C\", need COLLATE \"C\", "
            f"profile COLLATE \"C\", women, month, since, sum(n) FROM ({select}) e GROUP BY 1, 2, 3, 4, 5, 6, 7, 8")


def _defender_months(defenders: list[int] | None, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) these defenders' rows (None: everyone's, into an empty
    table). Rows that fall to 0 stay and count nothing; the rebuild leaves none."""
    table = DefenderRollup._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({_DEFENDER_KEYS}, defenders) SELECT {_DEFENDER_KEYS}, %(sign)s * defenders "
            f"FROM ({_defender_rows_sql()}) r({_DEFENDER_KEYS}, defenders) "
            f"ON CONFLICT ({_DEFENDER_KEYS}) DO UPDATE SET defenders = {table}.defenders + EXCLUDED.defenders",
            {"defenders": defenders, "sign": sign})


def _lock_defenders(cursor: Any, defenders: list[int]) -> None:
    # Two cases of one defender refreshed at once would each take away and add back the same
    # rows from what they read: one after the other, each reads what the other wrote.
    for defender in sorted(defenders):
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_DEFENDER_LOCKS, defender % 2**31])


_DEFENDER_LOCKS = zlib.crc32(b"dashboards:defender") % 2**31
_REBUILD_LOCK = zlib.crc32(b"dashboards:rebuild")


def rollup_refresh_case(*, kind: str, case_id: int) -> None:
    """Make one case's fact and its months' rollups true again (idempotent: run twice, same rows)."""
    if connection.vendor != "postgresql":
        return  # the rollups are PostgreSQL's: the SQLite demo keeps none (the page says so)
    if kind not in KINDS:
        raise ValueError(f"unknown kind of case: {kind}")
    _refresh_cases(kind, [case_id])


def rollup_refresh_pending(*, kind: str) -> int:
    """Refresh, together, the cases of `kind` that transitions marked and that no other refresh is
    counting (up to a batch); returns how many. A month is re-summed once for all of them: one per
    transition, at ten submissions a second, the refreshes alone had kept the worker busy. Rows
    another task holds are skipped (it counts them, or, if it fails, its retry does); a row added
    after this read waits for its own transition's task."""
    if connection.vendor != "postgresql":
        return 0
    if kind not in KINDS:
        raise ValueError(f"unknown kind of case: {kind}")
    with transaction.atomic():
        rows = list(PendingRefresh.objects.select_for_update(skip_locked=True).filter(kind=kind)
                    .order_by("id").values_list("id", "case_id")[:_REFRESH_BATCH])
        if not rows:
            return 0
        ids = sorted({case_id for _pk, case_id in rows})
        _refresh_cases(kind, ids)
        PendingRefresh.objects.filter(pk__in=[pk for pk, _case_id in rows]).delete()
    return len(ids)


def _refresh_cases(kind: str, ids: list[int]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_REBUILD_LOCK])
        before = list(CaseFact.objects.filter(kind=kind, case_id__in=ids).values_list("month", "defender_id"))
        # The cases held (FOR SHARE) until this refresh commits: a transition committing between
        # the check below and the facts' replacement wrote a counted fact that no month summed, and
        # the transition's own refresh then found that fact unchanged and summed nothing either.
        cursor.execute(f"SELECT defender_id FROM {_t(_CASE_MODELS[kind])} WHERE id = ANY(%s) ORDER BY id FOR SHARE",
                       [ids])
        defenders = sorted({defender for _month, defender in before} | {row[0] for row in cursor.fetchall()})
        _lock_defenders(cursor, defenders)
        if kind in _FACTS_IN_SQL and _counted_facts_unchanged(cursor, kind, ids):
            _replace_facts(kind, ids)  # what is not counted may differ (a new case's first fact): no sum reads it
            return
        _defender_months(defenders, -1)
        _replace_facts(kind, ids)
        after = set(CaseFact.objects.filter(kind=kind, case_id__in=ids).values_list("month", flat=True))
        _sum_months(kind, sorted({month for month, _defender in before} | after))
        _defender_months(defenders, 1)


# The kinds whose facts are all computed in SQL (a relocation's people and money come from Python).
_FACTS_IN_SQL = ("grant", "alert")


@cache
def _typed_fact_columns() -> str:
    """The fact columns cast to their own types, as the INSERT casts them: a kind's fact leaves
    some as bare NULLs, which a comparison with the kept rows could not match."""
    fields: list[Any] = [CaseFact._meta.get_field(name.strip()) for name in _COLUMNS.split(",")]
    return ", ".join(f"f.{field.column}::{field.cast_db_type(connection)}" for field in fields)


def _counted_facts_unchanged(cursor: Any, kind: str, ids: list[int]) -> bool:
    """Whether these cases' counted facts, computed again, are the counted rows already kept: the
    rollups sum counted facts only, so then no month is summed again. Most transitions (a new
    case routed, a triage) change nothing counted, and that re-sum was most of a refresh. Asked
    once the cases' defenders are locked, so a refresh still running on one of them has committed."""
    kept = (f"SELECT {_COLUMNS} FROM {CaseFact._meta.db_table} "
            f"WHERE kind = %(kind)s AND case_id = ANY(%(ids)s::bigint[]) AND counted")
    fresh = f"SELECT {_typed_fact_columns()} FROM ({_fact_sql(kind)}) f({_COLUMNS}) WHERE f.counted"
    cursor.execute(f"SELECT NOT EXISTS (({fresh}) EXCEPT ALL ({kept})) AND NOT EXISTS (({kept}) EXCEPT ALL ({fresh}))",
                   {"kind": kind, "ids": ids})
    return bool(cursor.fetchone()[0])


def _whole_tables(cursor: Any) -> None:
    cursor.execute("SET LOCAL work_mem TO '256MB'")  # the sorts of a whole table: in memory when they fit
    cursor.execute("SET LOCAL jit TO off")  # compiling costs seconds a statement and saves less here


def rollups_rebuild() -> dict[str, int]:
    """Every fact and rollup again from the case tables, for bulk-loaded data: a handful of
    INSERT … SELECT over whole tables, whatever their size. Case refreshes wait for it to end."""
    counts: dict[str, int] = {}
    if connection.vendor != "postgresql":
        return counts  # the rollups are PostgreSQL's: the SQLite demo keeps none (the page says so)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REBUILD_LOCK])
        _whole_tables(cursor)
        for model in (CaseFact, MonthRollup, DefenderRollup, HoursRollup):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        for kind in KINDS:
            _replace_facts(kind, None)
            _sum_months(kind, None)
            counts[kind] = CaseFact.objects.filter(kind=kind, counted=True).count()
        _defender_months(None, 1)
        for model in (CaseFact, MonthRollup, DefenderRollup, HoursRollup):  # the page's plans: fresh statistics
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return counts


_RECONCILE_LOCK = zlib.crc32(b"dashboards:reconcile")
_REFRESH_BATCH = 200  # cases refreshed in one transaction: short, so a transition's refresh seldom waits
_DEADLOCK = "40P01"


def rollups_reconcile() -> dict[str, int]:
    """The beat's safety net for changes that are not transitions (a family member added, a
    profile changed, a row edited by hand): what differs from the case tables is made true again,
    and nothing else is written. Returns what was mended. A second run at the same time skips."""
    mended = {"cases": 0, "months": 0, "defender_rows": 0}
    if connection.vendor != "postgresql":
        return mended
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_RECONCILE_LOCK])
        if not cursor.fetchone()[0]:
            return mended | {"skipped": 1}  # two runs would each add the same defenders' difference
        try:
            for kind in KINDS:
                ids = _drifted_cases(kind)
                for start in range(0, len(ids), _REFRESH_BATCH):
                    _retry_deadlock(partial(_refresh_cases, kind, ids[start:start + _REFRESH_BATCH]))
                mended["cases"] += len(ids)
            for kind, month in _drifted_months():
                _retry_deadlock(partial(_sum_months_alone, kind, month))
                mended["months"] += 1
            mended["defender_rows"] = _retry_deadlock(_mend_defender_rows)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_RECONCILE_LOCK])
    return mended


def _retry_deadlock(step: Any, attempts: int = 3) -> Any:
    # Distinct-defender rows are shared by every defender of a month: a refresh beside the
    # reconciliation can take two of them in the other order; PostgreSQL then stops one of the two.
    for attempt in range(attempts):
        try:
            return step()
        except OperationalError as error:
            if getattr(error.__cause__, "pgcode", None) != _DEADLOCK or attempt == attempts - 1:
                raise
    return None


def _drifted_cases(kind: str) -> list[int]:
    """Cases of `kind` whose fact differs from what the case tables give (or is missing, or has no
    case any more): one read-only statement over both, and for relocations their people and EUR."""
    columns = [column.strip() for column in _COLUMNS.split(",")]
    money = ("people", "eur_minor") if kind == "relocation" else ()  # computed in Python below
    casts = {"needs": "::text[]", "profiles": "::text[]", "hours_to_decision": "::float8",
             "hours_to_payment": "::float8", "sla_hours": "::float8"}
    compared = [column for column in columns[2:] if column not in money]

    def row(alias: str) -> str:
        return "(" + ", ".join(f"{alias}.{column}{casts.get(column, '')}" for column in compared) + ")"

    with transaction.atomic(), connection.cursor() as cursor:
        _whole_tables(cursor)
        cursor.execute(
            f"SELECT coalesce(e.case_id, f.case_id) FROM ({_fact_sql(kind)}) e({_COLUMNS}) "
            f"FULL JOIN (SELECT * FROM {CaseFact._meta.db_table} WHERE kind = %(kind)s) f ON f.case_id = e.case_id "
            f"WHERE e.case_id IS NULL OR f.case_id IS NULL OR {row('e')} IS DISTINCT FROM {row('f')}",
            {"kind": kind, "ids": None})
        drifted = {case_id for (case_id,) in cursor.fetchall()}
    if money:
        stored = {case_id: (counted, people, eur) for case_id, counted, people, eur in
                  CaseFact.objects.filter(kind=kind).values_list("case_id", "counted", "people", "eur_minor")}
        ids = sorted(stored)
        for start in range(0, len(ids), 2000):
            for case_id, (people, eur) in relocation_people_and_eur(ids[start:start + 2000]).items():
                counted, kept_people, kept_eur = stored[case_id]
                if (people, eur if counted else 0) != (kept_people, kept_eur):
                    drifted.add(case_id)
    return sorted(drifted)


def _drifted_months() -> list[tuple[str, datetime.date]]:
    """Months whose rollup rows (or, for grants, response-time buckets) differ from what the facts
    sum to: one read-only statement a table and kind."""
    months: set[tuple[str, datetime.date]] = set()
    month_table, hours_table = MonthRollup._meta.db_table, HoursRollup._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        _whole_tables(cursor)
        for kind in KINDS:
            cursor.execute(
                f"WITH e({_MONTH_KEYS}, {_MONTH_SUMS}) AS MATERIALIZED ({_month_rows_sql()}), "
                f"k AS MATERIALIZED (SELECT {_MONTH_KEYS}, {_MONTH_SUMS} FROM {month_table} WHERE kind = %(kind)s) "
                f"SELECT DISTINCT month FROM ((TABLE e EXCEPT ALL TABLE k) UNION ALL (TABLE k EXCEPT ALL TABLE e)) d",
                {"kind": kind, "months": None})
            months |= {(kind, month) for (month,) in cursor.fetchall()}
        cursor.execute(
            f"WITH e({_HOURS_KEYS}, hours, grants) AS MATERIALIZED ({_hours_rows_sql()}), "
            f"k AS MATERIALIZED (SELECT {_HOURS_KEYS}, hours, grants FROM {hours_table}) "
            f"SELECT DISTINCT month FROM ((TABLE e EXCEPT ALL TABLE k) UNION ALL (TABLE k EXCEPT ALL TABLE e)) d",
            {"months": None})
        months |= {("grant", month) for (month,) in cursor.fetchall()}
    return sorted(months)


def _sum_months_alone(kind: str, month: datetime.date) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_REBUILD_LOCK])
        _sum_months(kind, [month])


def _mend_defender_rows() -> int:
    """Add to each distinct-defender row what it lacks against the facts, in one statement whose
    reading is one snapshot. Adding is right even when refreshes commit meanwhile: each of them
    adds its own defenders' change to the same rows, and the rows are sums over defenders."""
    table = DefenderRollup._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_REBUILD_LOCK])
        _whole_tables(cursor)
        cursor.execute(
            f"INSERT INTO {table} ({_DEFENDER_KEYS}, defenders) SELECT {_DEFENDER_KEYS}, sum(defenders) FROM "
            f"(SELECT * FROM ({_defender_rows_sql()}) e UNION ALL SELECT {_DEFENDER_KEYS}, -defenders FROM {table}) "
            f"d({_DEFENDER_KEYS}, defenders) GROUP BY {_DEFENDER_KEYS} HAVING sum(defenders) <> 0 "
            f"ON CONFLICT ({_DEFENDER_KEYS}) DO UPDATE SET defenders = {table}.defenders + EXCLUDED.defenders",
            {"defenders": None})
        mended = cursor.rowcount
        cursor.execute(f"DELETE FROM {table} WHERE defenders = 0")
    return mended


def queue_rollup_refresh(case: Any, by: Any, old: str, new: str) -> None:
    """The engine's transition hook: refresh through the outbox, so a committed change is counted
    even when the broker is down at that moment, and a rolled-back one never is."""
    kind = getattr(case, "kind", "")
    if kind not in KINDS or connection.vendor != "postgresql":
        return
    PendingRefresh.objects.create(kind=kind, case_id=case.pk)
    outbox_enqueue(task_name="dashboards.refresh_case", kwargs={"kind": kind, "case_id": case.pk})
