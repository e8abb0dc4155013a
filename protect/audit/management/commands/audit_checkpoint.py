"""`manage.py audit_checkpoint`: print the head of the audit chain (sequence, hash, time) as one
JSON line, to append to a store outside the database (another machine, a write-once bucket, a
ticket). `verify_audit --checkpoint FILE` later fails if the chain no longer reaches any of them,
which is how events cut off the end are caught. It writes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from protect.audit.selectors import audit_chain_head


class Command(BaseCommand):
    help = "Print the audit chain's head as a JSON line (seq, hash, at) for an external store."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(audit_chain_head().as_json())
