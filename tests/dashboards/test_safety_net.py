"""The beat's safety net mends what drifted from the case tables, and only that, without holding
the case refreshes up: a refresh in flight does not stop it, nor does it stop a refresh."""

from __future__ import annotations

import datetime
import zlib

import psycopg2
import pytest
from django.db import OperationalError, connection, transaction

from alerts.models import Alert
from grants.models import Grant
from protect.dashboards.models import CaseFact, DefenderRollup, HoursRollup, MonthRollup
from protect.dashboards.services import _DEFENDER_LOCKS, _REBUILD_LOCK, rollups_rebuild, rollups_reconcile
from relocation.models import FamilyMember
from tests.dashboards.test_rollups_match_facts import bench_data  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def _rollups() -> tuple[list, ...]:
    return (
        sorted(CaseFact.objects.values_list(
            "kind", "case_id", "defender_id", "month", "counted", "region", "country", "organisation", "needs",
            "profiles", "eur_minor", "people", "updates", "outcome", "hours_to_decision", "hours_to_payment",
            "sla_hours")),
        sorted(MonthRollup.objects.values_list(
            "kind", "month", "region", "country", "organisation", "need", "profile", "cases", "eur_minor", "people",
            "updates", "outcomes")),
        sorted(DefenderRollup.objects.exclude(defenders=0).values_list(
            "scope", "region", "country", "need", "profile", "women", "month", "since", "defenders")),
        sorted(HoursRollup.objects.values_list(
            "scope", "region", "country", "need", "profile", "month", "measure", "hours", "grants")),
    )


def test_the_safety_net_mends_every_kind_of_drift_as_a_rebuild_would(bench_data):  # noqa: F811
    # Changes that queued no refresh: an amount corrected by hand, a family member removed, a
    # fact lost; and rollup rows damaged directly.
    grant = Grant.objects.filter(status="closed").order_by("pk").first()
    Grant.objects.filter(pk=grant.pk).update(approved_amount_eur_minor=grant.approved_amount_eur_minor + 12_345)
    member = FamilyMember.objects.filter(relocation__starts_on__isnull=False).order_by("pk").first()
    FamilyMember.objects.filter(pk=member.pk).delete()
    lost = Alert.objects.filter(published_at__isnull=False).order_by("pk").first()
    CaseFact.objects.filter(kind="alert", case_id=lost.pk).delete()
    damaged = MonthRollup.objects.filter(kind="alert", need="", profile="").order_by("pk").first()
    MonthRollup.objects.filter(pk=damaged.pk).update(cases=damaged.cases + 7)
    DefenderRollup.objects.filter(pk=DefenderRollup.objects.order_by("pk").first().pk).update(defenders=999)
    HoursRollup.objects.filter(pk=HoursRollup.objects.order_by("-pk").first().pk).delete()

    mended = rollups_reconcile()

    assert mended["cases"] == 3  # the grant, the relocation and the alert, nothing else
    assert mended["months"] >= 2 and mended["defender_rows"] >= 1
    reconciled = _rollups()
    rollups_rebuild()
    assert _rollups() == reconciled
    assert rollups_reconcile() == {"cases": 0, "months": 0, "defender_rows": 0}


def test_with_nothing_drifted_the_safety_net_writes_nothing(bench_data):  # noqa: F811
    before = _rollups()
    assert rollups_reconcile() == {"cases": 0, "months": 0, "defender_rows": 0}
    assert _rollups() == before


def _refresh_in_flight() -> psycopg2.extensions.connection:
    """Another connection holding what a case refresh holds while it runs: the rebuild lock,
    shared, and its defender's and month's locks."""
    params = connection.get_connection_params()
    other = psycopg2.connect(**{key: value for key, value in params.items() if key != "cursor_factory"})
    other.autocommit = False
    fact = CaseFact.objects.filter(kind="grant", counted=True).order_by("pk").first()
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_REBUILD_LOCK])
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s), pg_advisory_xact_lock(%s)",
                       [_DEFENDER_LOCKS, fact.defender_id, zlib.crc32(f"grant:{fact.month}".encode())])
    return other


@pytest.mark.django_db(transaction=True)  # the data's own rebuild must have committed and let its lock go
def test_a_refresh_in_flight_does_not_hold_up_the_safety_net_as_it_holds_up_a_rebuild(bench_data):  # noqa: F811
    other = _refresh_in_flight()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout TO '2s'")
        with pytest.raises(OperationalError), transaction.atomic():
            rollups_rebuild()  # waits for every refresh in flight, and every refresh waits for it
        assert rollups_reconcile() == {"cases": 0, "months": 0, "defender_rows": 0}
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout TO 0")


def test_a_second_safety_net_at_the_same_time_skips(bench_data):  # noqa: F811
    from protect.dashboards.services import _RECONCILE_LOCK

    params = connection.get_connection_params()
    other = psycopg2.connect(**{key: value for key, value in params.items() if key != "cursor_factory"})
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_RECONCILE_LOCK])
        Grant.objects.filter(pk=Grant.objects.filter(status="closed").order_by("pk").first().pk).update(
            decided_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        assert rollups_reconcile()["skipped"] == 1
        with other.cursor() as cursor:
            # Let go before closing: a closed connection's locks are released by its server process
            # some time after close() returns, and the next run could still find the lock held.
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_RECONCILE_LOCK])
    finally:
        other.close()
    assert rollups_reconcile()["cases"] == 1
