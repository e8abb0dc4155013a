"""The partner's list reads each referral with its case's status in one query: a view with one join
per kind a partner may refer (KINDS below). A new referable kind adds its branch in a migration of
its own, which replaces the view."""

from django.db import migrations, models


# One LEFT JOIN per kind, not a UNION: the partner's page is then read newest first along the
# referral index (partner, -id) and stops at the page's end, probing each kind's primary key.
KINDS = (("g", "grants_grant", "grants.grant"), ("l", "relocation_relocation", "relocation.relocation"))


def _either(column):
    return "COALESCE(" + ", ".join(f"{alias}.{column}" for alias, _table, _label in KINDS) + f") AS {column}"


VIEW = (
    "CREATE VIEW api_referralstatus AS SELECT r.id, r.partner_id, r.case_type, r.kind, r.reference, r.created_at, "
    + ", ".join(_either(c) for c in ("referred_by_id", "status", "urgency", "submitted_at", "status_changed_at"))
    + " FROM api_referral r "
    + " ".join(f"LEFT JOIN {table} {alias} ON r.case_type = '{label}' AND {alias}.id = r.case_id"
               for alias, table, label in KINDS)
)


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_token_requests'),
        ('grants', '0005_encrypt_referral_and_payment_reference'),
        ('relocation', '0004_preparation_budget'),
    ]

    operations = [
        migrations.RunSQL(VIEW, "DROP VIEW api_referralstatus"),
        migrations.CreateModel(
            name='ReferralStatus',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case_type', models.CharField(max_length=100)),
                ('kind', models.CharField(max_length=20)),
                ('reference', models.CharField(max_length=12)),
                ('created_at', models.DateTimeField()),
                ('status', models.CharField(max_length=20)),
                ('urgency', models.CharField(max_length=10)),
                ('submitted_at', models.DateTimeField()),
                ('status_changed_at', models.DateTimeField(null=True)),
            ],
            options={
                'db_table': 'api_referralstatus',
                'managed': False,
            },
        ),
    ]
