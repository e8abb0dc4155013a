"""The search box on the record: who looked for whom is an audited fact (the query is not)."""

from __future__ import annotations

from typing import Any

from protect.audit.models import AuditEvent
from protect.audit.services import log_event


def search_record(*, by: Any, cases: int, defenders: int) -> AuditEvent:
    """A search may look a person up by name, phone or e-mail: the audit log says that one ran and
    what it found, never what was typed (a name or a number is personal data)."""
    return log_event("cases.search.ran", actor=by, data={"cases": cases, "defenders": defenders})
