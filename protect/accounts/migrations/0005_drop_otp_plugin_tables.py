"""Drop the tables of django-otp's otp_totp and otp_static plugins, no longer installed.

They held TOTP secrets and recovery codes in clear; the second factor now lives in
AuthenticatorDevice and RecoveryCodeDevice (0004). No production data existed, so nothing is
carried over: users of a demo database enrol again. The plugins' migration records go too, so
installing a plugin again would create its tables afresh. Harmless on a new database."""

from django.db import migrations

DROP = [
    "DROP TABLE IF EXISTS otp_static_statictoken",
    "DROP TABLE IF EXISTS otp_static_staticdevice",
    "DROP TABLE IF EXISTS otp_totp_totpdevice",
    "DELETE FROM django_migrations WHERE app IN ('otp_totp', 'otp_static')",
]


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_second_factor_devices"),
    ]

    operations = [migrations.RunSQL(DROP, reverse_sql=migrations.RunSQL.noop)]
