"""`manage.py verify_audit`: prove the audit log untouched (exit 0) or name the first bad event (exit 1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from protect.audit.chain import verify
from protect.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Walk the audit hash chain; exit non-zero naming the first edited, deleted or reordered event."

    def handle(self, *args: Any, **options: Any) -> None:
        events = AuditEvent.objects.order_by("seq").only(
            "pk", "seq", "occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id", "data",
            "prev_hash", "hash",
        ).iterator(chunk_size=2000)
        count, broken = verify(events)
        if broken is not None:
            raise CommandError(f"audit chain BROKEN at event #{broken.seq} (row id {broken.pk}): {broken.reason}")
        self.stdout.write(f"audit chain intact: {count} events verified")
