"""grants 0005 seals the referral target and payment references that older rows hold in plaintext,
under the defender's key, and indexes each payment reference; an erased defender's plaintext goes."""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from protect.crypto.migrating import seal_under
from protect.crypto.models import DataKey

BEFORE = [("grants", "0004_related_names_from_kernel")]
AFTER = [("grants", "0005_encrypt_referral_and_payment_reference")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_plaintext_is_sealed_and_the_reference_indexed():
    try:
        old = _migrate(BEFORE)
        user = old.get_model("accounts", "User").objects.create(username="dalia")
        made = {}
        for name, erased in (("live", False), ("erased", True)):
            live_key = DataKey.generate()
            live_key.save()
            key = old.get_model("crypto", "DataKey").objects.get(pk=live_key.pk)
            defender = old.get_model("defenders", "Defender")(pseudonym=name, legal_name="A. Person", country="KE",
                                                              region="africa", data_key=key)
            seal_under(defender, key)
            defender.save()
            now = timezone.now()
            grant = old.get_model("grants", "Grant")(
                defender=defender, status="referred", channel="hotline", country="KE", region="africa",
                sla_due_at=now, sla_near_at=now, amount_requested_minor=100, eur_rate=decimal.Decimal(1),
                amount_requested_eur_minor=100, referred_to=f"Lawyers' network {name}")
            seal_under(grant, key)
            grant.save()
            payment = old.get_model("grants", "Disbursement")(
                grant=grant, payment_reference=f"SEPA-{name}", amount_minor=100, currency="EUR", payee_kind="defender",
                paid_on=datetime.date.today(), recorded_by=user)
            seal_under(payment, key)
            payment.save()
            if erased:
                live_key.destroy()
                live_key.save()
            made[name] = (grant.pk, payment.pk)
        _migrate(AFTER)
        with connection.cursor() as cursor:
            cursor.execute("SELECT referred_to FROM grants_grant")
            assert all(b"Lawyers" not in bytes(row[0]) for row in cursor.fetchall())
            cursor.execute("SELECT payment_reference FROM grants_disbursement")
            assert all(b"SEPA" not in bytes(row[0]) for row in cursor.fetchall())
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    from grants.models import Disbursement, Grant, payment_reference_index

    grant = Grant.objects.select_related("defender__data_key").get(pk=made["live"][0])
    assert grant.referred_to == "Lawyers' network live"
    payment = Disbursement.objects.select_related("grant__defender__data_key").get(pk=made["live"][1])
    assert payment.payment_reference == "SEPA-live"
    assert payment.payment_reference_index == payment_reference_index("SEPA-live")
    assert Disbursement.objects.filter(payment_reference_index=payment_reference_index("SEPA-erased")).exists()
