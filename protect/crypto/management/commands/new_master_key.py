"""`manage.py new_master_key --id ID`: print a fresh master-key ring entry (or a blind-index key).

Prints to stdout only, writes nothing: the operator puts it in the secret store. Put a new master
key first in PROTECT_MASTER_KEYS, keep the old ones after it, then run rotate_master_key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from protect.crypto.keys import new_blind_index_key, new_master_key_entry


class Command(BaseCommand):
    help = "Print a new PROTECT_MASTER_KEYS entry (id:base64key), or a PROTECT_BLIND_INDEX_KEY with --blind-index."
    requires_system_checks: list[str] = []  # it must work while the configured ring is being replaced

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--id", dest="key_id", default=None, help="key id, e.g. k2026 (letters, digits, - _)")
        parser.add_argument("--blind-index", action="store_true", help="print a blind-index key instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["blind_index"]:
            self.stdout.write(new_blind_index_key())
            return
        if not options["key_id"]:
            raise CommandError("give the new key an id: --id k2026")
        try:
            self.stdout.write(new_master_key_entry(options["key_id"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
