"""Issue 8, item 3: the application's database role cannot alter the audit log; only the owner
role, which runs migrations, could. Each refusal below is PostgreSQL's, not the application's."""

import secrets
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from protect.audit.models import AuditEvent
from protect.audit.roles import app_role_grant, app_role_weaknesses
from protect.audit.services import log_event

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_role():
    """A fresh application role in the test database (CREATE ROLE rolls back with the test)."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    role = f"protect_app_test_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    app_role_grant(role=role)
    return role


@pytest.fixture
def as_app_role(app_role):
    log_event("tests.thing.happened", data={"n": 1})
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {app_role}")
    try:
        yield app_role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


ATTACKS = {
    "update": "UPDATE audit_auditevent SET action = 'x.y.z'",
    "delete": "DELETE FROM audit_auditevent",
    "truncate": "TRUNCATE audit_auditevent",
    "disable the trigger": "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update",
    "disable all triggers": "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "drop the trigger": "DROP TRIGGER audit_event_no_update ON audit_auditevent",
    "bypass triggers": "SET session_replication_role = replica",
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_app_role_is_refused(as_app_role, attack):
    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(ATTACKS[attack])


def test_the_app_role_still_appends_and_reads_the_log_and_writes_other_tables(as_app_role, django_user_model):
    user = django_user_model.objects.create_user(username="written-as-app-role", password="x" * 16)
    user.display_name = "changed"
    user.save(update_fields=["display_name"])
    log_event("tests.thing.happened", actor=user, data={"n": 2})
    assert AuditEvent.objects.count() == 2
    call_command("verify_audit")


def test_the_check_passes_for_the_app_role_and_names_what_the_owner_could_do(app_role):
    assert app_role_weaknesses(role=app_role) == []
    owner = app_role_weaknesses()  # the tests connect as a superuser that owns the table
    assert any("superuser" in item for item in owner) and any("owns the audit table" in item for item in owner)
    with pytest.raises(CommandError, match="could rewrite the audit log"):
        call_command("app_database_role", "check")


def test_a_role_granted_too_much_is_named(app_role):
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE, TRUNCATE ON audit_auditevent TO {app_role}")
    assert app_role_weaknesses(role=app_role) == ["holds UPDATE on the audit table", "holds TRUNCATE on the audit table"]
    app_role_grant(role=app_role)  # running it again takes them back
    assert app_role_weaknesses(role=app_role) == []


def test_compose_runs_the_stack_as_the_app_role_and_only_migrations_as_the_owner():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    app_urls = {services[name]["environment"]["DATABASE_URL"] for name in ("web", "worker", "beat")}
    assert app_urls == {"postgres://protect_app@postgres:5432/protect"}
    migrate = services["migrate"]
    assert migrate["environment"]["DATABASE_URL"] == "postgres://protect@postgres:5432/protect"
    command = " ".join(migrate["command"])
    assert "app_database_role grant protect_app" in command and "app_database_role check" in command
    init_sql = (ROOT / "deploy" / "postgres" / "10-protect-app-role.sql").read_text()
    assert "CREATE ROLE protect_app LOGIN" in init_sql
    assert "./deploy/postgres:/docker-entrypoint-initdb.d:ro" in services["postgres"]["volumes"]
