"""`manage.py totp_code <username>`: print a demo user's current authenticator code.

For the demo only, so a person can try every role without a phone; refused in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from protect.accounts.models import AuthenticatorDevice


class Command(BaseCommand):
    help = "Demo only: print the current TOTP code of a user's authenticator (refused in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("totp_code is for the demo only and is refused with PROTECT_ENV=production.")
        device = (
            AuthenticatorDevice.objects.filter(user__username=options["username"], confirmed=True)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise CommandError(f"{options['username']!r} has no enrolled authenticator.")
        self.stdout.write(f"{device.totp().token():0{device.digits}d}")
