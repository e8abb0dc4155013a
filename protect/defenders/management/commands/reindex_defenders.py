"""`manage.py reindex_defenders`: rebuild the duplicate-detection indexes after a blind-index key change."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from protect.defenders.services import defenders_reindex


class Command(BaseCommand):
    help = "Recompute every defender's blind indexes under the current PROTECT_BLIND_INDEX_KEY (resumable)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        done = defenders_reindex(batch_size=options["batch_size"])
        self.stdout.write(f"blind indexes rebuilt for {done} defenders")
