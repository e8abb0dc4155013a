"""A relocation's budget: planned costs in integer minor units with a currency and the EUR rate
recorded when each line is written, as for grants (protect/cases/money.py)."""

from __future__ import annotations

from typing import Any

from protect.audit.services import log_event
from protect.cases.models import AppliedStep
from protect.cases.money import check_amount, eur_rate_for, to_eur_minor
from protect.core.errors import clean_or_refuse

from ..errors import RelocationError
from ..models import BudgetLine, Relocation
from ..workflow import RELOCATION_WORKFLOW

Kind = BudgetLine.Kind


def relocation_add_budget_line(*, relocation: Relocation, by: Any, kind: str, amount_minor: int, currency: str,
                               note: str = "", idempotency_key: str = "") -> BudgetLine | None:
    """Add one line; a stipend line is per person and per month, one per relocation. The form's
    idempotency key makes a double click add one line: the repeat returns None and adds nothing."""
    if kind not in Kind.values:
        raise RelocationError("Choose what the line pays for.", code="budget_kind", field="kind")
    check_amount(amount_minor, "The amount")
    rate = eur_rate_for(currency)
    note = note.strip()
    if kind == Kind.OTHER and not note:
        raise RelocationError("Say what the other cost is for.", code="note_required", field="note")
    with RELOCATION_WORKFLOW.acting(relocation, "edit_budget", by=by) as locked:
        if idempotency_key:
            _, first = AppliedStep.objects.get_or_create(case_type=locked._meta.label_lower, case_id=locked.pk,
                                                         action="edit_budget", key=idempotency_key[:100])
            if not first:
                return None
        if kind == Kind.STIPEND and locked.budget_lines.filter(kind=Kind.STIPEND).exists():
            raise RelocationError("This relocation has a stipend line already: remove it to change the amount.",
                                  code="stipend_line_exists", field="kind")
        line = BudgetLine(relocation=locked, kind=kind, amount_minor=amount_minor, currency=currency.upper(),
                          eur_rate=rate, amount_eur_minor=to_eur_minor(amount_minor, rate), note=note, created_by=by)
        clean_or_refuse(line, validate_constraints=False)  # the lock and the check above keep one stipend line
        line.save()
        log_event("relocation.budget.line_added", actor=by, target=locked,
                  data={"line_id": line.pk, "kind": kind, "amount_minor": amount_minor, "currency": line.currency,
                        "amount_eur_minor": line.amount_eur_minor})
    return line


def relocation_remove_budget_line(*, relocation: Relocation, by: Any, line_id: int) -> None:
    """Instalments already written keep their amount; removing the stipend line stops new ones."""
    with RELOCATION_WORKFLOW.acting(relocation, "edit_budget", by=by) as locked:
        line = locked.budget_lines.filter(pk=line_id).first()
        if line is None:
            raise RelocationError("No such budget line on this relocation (removed already?).", code="no_line",
                                  field="line")
        data = {"line_id": line.pk, "kind": line.kind, "amount_minor": line.amount_minor, "currency": line.currency}
        line.delete()
        log_event("relocation.budget.line_removed", actor=by, target=locked, data=data)
