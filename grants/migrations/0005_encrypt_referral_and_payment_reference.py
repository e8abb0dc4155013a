"""The referral target and the payment reference were plaintext, and outlived the defender's
erasure: both are encrypted under the defender's data key, and a payment stays one row through a
keyed blind index of its reference. Existing rows are sealed here (protect/crypto/migrating.py)."""

from django.db import migrations, models

import protect.crypto.fields
from protect.crypto.blind import blind_index
from protect.crypto.migrating import seal_under

PAYMENT_REFERENCE = "payment_reference"  # grants.models.PAYMENT_REFERENCE, frozen here


def seal_existing_rows(apps, schema_editor):
    Grant = apps.get_model("grants", "Grant")
    Disbursement = apps.get_model("grants", "Disbursement")
    for grant in Grant.objects.select_related("defender__data_key").iterator(chunk_size=500):
        seal_under(grant, grant.defender.data_key)
        grant.referred_to = grant.referred_to_plain or ""
        grant.save(update_fields=["referred_to"])
    for payment in Disbursement.objects.select_related("grant__defender__data_key").iterator(chunk_size=500):
        seal_under(payment, payment.grant.defender.data_key)
        payment.payment_reference = payment.payment_reference_plain
        payment.payment_reference_index = blind_index(PAYMENT_REFERENCE, payment.payment_reference_plain)
        payment.save(update_fields=["payment_reference", "payment_reference_index"])


def open_rows_again(apps, schema_editor):
    """Back to plaintext (to step back a release): what an erased defender's key sealed stays gone."""
    Grant = apps.get_model("grants", "Grant")
    Disbursement = apps.get_model("grants", "Disbursement")
    for grant in Grant.objects.select_related("defender__data_key").iterator(chunk_size=500):
        erased = grant.defender.data_key.destroyed_at is not None
        seal_under(grant, grant.defender.data_key)
        grant.referred_to_plain = "" if erased else grant.referred_to
        grant.save(update_fields=["referred_to_plain"])
    for payment in Disbursement.objects.select_related("grant__defender__data_key").iterator(chunk_size=500):
        erased = payment.grant.defender.data_key.destroyed_at is not None
        seal_under(payment, payment.grant.defender.data_key)
        payment.payment_reference_plain = f"erased-{payment.pk}" if erased else payment.payment_reference
        payment.save(update_fields=["payment_reference_plain"])


NOT_NULL = (("grants_grant", "referred_to"), ("grants_disbursement", "payment_reference"))


def set_not_null(apps, schema_editor):
    # PostgreSQL only: SQLite (the demo) cannot alter a column; there the model keeps it filled.
    if schema_editor.connection.vendor == "postgresql":
        for table, column in NOT_NULL:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL")


def drop_not_null(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column in NOT_NULL:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ("grants", "0004_related_names_from_kernel"),
        ("defenders", "0001_initial"),
        ("crypto", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="disbursement", name="one_row_per_payment_reference"),
        migrations.RenameField(model_name="grant", old_name="referred_to", new_name="referred_to_plain"),
        migrations.RenameField(model_name="disbursement", old_name="payment_reference",
                               new_name="payment_reference_plain"),
        migrations.AddField(
            model_name="grant", name="referred_to",
            field=protect.crypto.fields.EncryptedTextField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="disbursement", name="payment_reference",
            field=protect.crypto.fields.EncryptedTextField(max_length=100, null=True),
        ),
        migrations.AddField(
            model_name="disbursement", name="payment_reference_index",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing_rows, open_rows_again, elidable=False),
        migrations.RemoveField(model_name="grant", name="referred_to_plain"),
        migrations.RemoveField(model_name="disbursement", name="payment_reference_plain"),
        # Every row is sealed now; NOT NULL is set directly, since the schema editor would try to
        # write a default into an encrypted column (which only a saved instance may fill).
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(set_not_null, drop_not_null, elidable=False)],
            state_operations=[
                migrations.AlterField(
                    model_name="grant", name="referred_to",
                    field=protect.crypto.fields.EncryptedTextField(blank=True, max_length=200),
                ),
                migrations.AlterField(
                    model_name="disbursement", name="payment_reference",
                    field=protect.crypto.fields.EncryptedTextField(max_length=100),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="disbursement",
            constraint=models.UniqueConstraint(fields=("payment_reference_index",), name="one_row_per_payment_reference"),
        ),
    ]
