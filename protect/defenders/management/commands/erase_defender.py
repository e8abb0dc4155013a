"""`manage.py erase_defender D-XXXXXXXXXX --by coordinator --reason "..."`: crypto-shred a defender."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from protect.core.errors import ProtectError
from protect.defenders.models import Defender
from protect.defenders.services import defender_erase


class Command(BaseCommand):
    help = "Erase a defender for good by destroying their data key. Country, region and profiles stay for statistics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="the defender's reference, e.g. D-7KQ2M9XH4P")
        parser.add_argument("--by", required=True, help="user name of the coordinator who decided the erasure")
        parser.add_argument("--reason", required=True, help="why, without identifying anyone")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            by = get_user_model().objects.get(username=options["by"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {options['by']!r}.") from None
        defender = Defender.objects.select_related("data_key").filter(reference=options["reference"].strip()).first()
        if defender is None:
            raise CommandError(f"No defender with the reference {options['reference']!r}.")
        if defender.erased_at is not None:
            self.stdout.write(f"{defender.reference} was already erased on {defender.erased_at:%Y-%m-%d}.")
            return
        try:
            defender_erase(defender=defender, by=by, reason=options["reason"])
        except ProtectError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{defender.reference} erased: its data key is destroyed; country, region and profiles are kept."
        ))
