"""The two database roles of a deployment, as far as the audit log is concerned.

The owner role runs migrations and owns every table; the application's role (web, worker, beat)
reads and writes the data but may only SELECT and INSERT on the audit table: it cannot UPDATE,
DELETE or TRUNCATE it, and, not owning it, cannot ALTER it (disable or drop its trigger). So a
compromised web process cannot rewrite history, and whatever it can still do (append) is on the
keyed chain. README "Database roles" gives the SQL that creates both roles; PostgreSQL only.
"""

from __future__ import annotations

from django.db import connection

from .models import AuditEvent

# What the application role may never hold on the audit table.
_FORBIDDEN_ON_AUDIT = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise RuntimeError("database roles apply to PostgreSQL only")


def app_role_grant(*, role: str) -> None:
    """Run as the owner after every migration: give `role` what the application needs on every
    table and sequence of the schema, then take back from it all but SELECT and INSERT on the audit table.

    Idempotent. New tables of later migrations get their grants when it runs again (bin/serve and
    the compose `migrate` service run it after `migrate`)."""
    _require_postgresql()
    quoted = connection.ops.quote_name(role)
    audit = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}")
        cursor.execute(f"REVOKE ALL ON {audit} FROM {quoted}")
        cursor.execute(f"REVOKE ALL ON {audit} FROM PUBLIC")
        cursor.execute(f"GRANT SELECT, INSERT ON {audit} TO {quoted}")


def app_role_weaknesses(*, role: str | None = None) -> list[str]:
    """What `role` (by default the role this process connects as) could do to the audit log that
    the application's role must not: [] when it is safe to run the application as it."""
    _require_postgresql()
    table = AuditEvent._meta.db_table
    found: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        name = role or cursor.fetchone()[0]
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [name])
        row = cursor.fetchone()
        if row is None:
            return [f"the role {name!r} does not exist"]
        if row[0]:
            found.append("is a superuser (can do anything, triggers included)")
        cursor.execute(
            "SELECT pg_has_role(%s, tableowner, 'MEMBER') FROM pg_tables "
            "WHERE tablename = %s AND schemaname = current_schema()", [name, table])
        owner = cursor.fetchone()
        if owner is not None and owner[0]:
            found.append("owns the audit table or acts as its owner (can ALTER it, disable or drop its trigger)")
        for privilege in _FORBIDDEN_ON_AUDIT:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [name, table, privilege])
            if cursor.fetchone()[0]:
                found.append(f"holds {privilege} on the audit table")
    return found
