"""`manage.py app_database_role grant ROLE` (run as the owner role, after `migrate`): give the
application's role its privileges, only SELECT and INSERT on the audit table.
`manage.py app_database_role check` (run as the application's role): exit 1 if this role could
rewrite, truncate or un-trigger the audit log. bin/serve and docker-compose.yml run both."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from protect.audit.roles import app_role_grant, app_role_weaknesses


class Command(BaseCommand):
    help = "Grant the application's database role its privileges (grant ROLE), or check this role (check)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        grant = sub.add_parser("grant", help="as the owner: grant ROLE what the application needs")
        grant.add_argument("role")
        sub.add_parser("check", help="as the application's role: fail if it could alter the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["what"] == "grant":
                app_role_grant(role=options["role"])
                self.stdout.write(f"granted {options['role']}: the audit table is SELECT and INSERT only")
                return
            weaknesses = app_role_weaknesses()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if weaknesses:
            raise CommandError("this database role could rewrite the audit log: it " + "; it ".join(weaknesses)
                               + ". Run the application as its own role (README: Database roles).")
        self.stdout.write("database role ok: the audit table is SELECT and INSERT only")
