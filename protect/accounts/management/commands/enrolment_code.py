"""`manage.py enrolment_code <username>`: issue the single-use code an account needs to enrol its
authenticator, and print it once.

For the first coordinator (made with `createsuperuser`, before anyone could issue a code on the
web) and for an operator helping at the server; coordinators otherwise use the account page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from protect.accounts.models import User
from protect.accounts.services import enrolment_code_issue
from protect.core.errors import ProtectError


class Command(BaseCommand):
    help = "Issue and print the enrolment code an account needs to set up its authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account named {options['username']!r}.")
        try:
            code = enrolment_code_issue(user=user, by=None)
        except ProtectError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{code}\n(single use, expires in {settings.ENROLMENT_CODE_HOURS} hours; shown only now)")
