"""`manage.py verify_audit [--checkpoint FILE]`: prove the audit log untouched (exit 0) or name the
first bad event (exit 1).

Without the audit key nobody can recompute a chain that verifies; but cutting events off the end
leaves a shorter chain that is still whole. The checkpoints printed by `audit_checkpoint` and kept
outside the database catch that: the chain must still pass through each of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from protect.audit.chain import Checkpoint
from protect.audit.selectors import audit_chain_verify


def read_checkpoints(path: str) -> list[Checkpoint]:
    """Every non-empty line of FILE is one checkpoint as printed by audit_checkpoint."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise CommandError(f"cannot read the checkpoint file {path}: {exc.strerror}") from exc
    checkpoints = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                checkpoints.append(Checkpoint.from_json(line))
            except ValueError as exc:
                raise CommandError(f"{path}, line {number}: not a checkpoint ({exc})") from exc
    if not checkpoints:
        raise CommandError(f"{path} holds no checkpoint")
    return checkpoints


class Command(BaseCommand):
    help = "Walk the keyed audit chain; exit non-zero naming the first edited, deleted or reordered event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoint", metavar="FILE", action="append", default=[],
                            help="a file of checkpoints from audit_checkpoint (one JSON line each); repeatable")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoints = [checkpoint for path in options["checkpoint"] for checkpoint in read_checkpoints(path)]
        count, broken = audit_chain_verify(checkpoints=checkpoints)
        if broken is not None:
            where = f" (row id {broken.pk})" if broken.pk is not None else ""
            raise CommandError(f"audit chain BROKEN at event #{broken.seq}{where}: {broken.reason}")
        reached = f", {len(checkpoints)} checkpoint(s) reached" if checkpoints else ""
        self.stdout.write(f"audit chain intact: {count} events verified{reached}")
