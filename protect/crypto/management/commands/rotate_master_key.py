"""`manage.py rotate_master_key`: re-wrap every data key under the first key of PROTECT_MASTER_KEYS.

Run it after putting a new key first in the ring (keep the old one after it). It commits batch by
batch and can be interrupted and run again: it continues with the keys not yet re-wrapped. When it
reports 0 remaining, the old key can leave the ring once no backup still needs it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from protect.crypto.errors import CryptoError
from protect.crypto.services import ROTATION_BATCH, RotationReport, rotate_master_key


class Command(BaseCommand):
    help = "Re-wrap every data key under the newest (first) master key. Resumable; data is not rewritten."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=ROTATION_BATCH, help="keys per transaction")
        parser.add_argument("--max-batches", type=int, default=None, help="stop after this many batches")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(report: RotationReport) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  batch {report.batches}: {report.rewrapped} re-wrapped so far")

        try:
            report = rotate_master_key(
                batch_size=options["batch_size"], max_batches=options["max_batches"], progress=progress
            )
        except (CryptoError, ValueError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
        remaining = report.remaining
        self.stdout.write(
            f"Primary master key: {report.primary}\n"
            f"Re-wrapped now: {report.rewrapped}\n"
            f"Already under the primary key: {report.already_current}\n"
            f"Destroyed (erased, skipped): {report.destroyed}\n"
            f"Remaining under an old key: {remaining}"
        )
        if remaining:
            self.stdout.write(self.style.WARNING("Not finished: run the command again to continue."))
        else:
            self.stdout.write(self.style.SUCCESS("Every live data key is wrapped by the primary master key."))
