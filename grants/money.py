"""Grant amounts: the cap and the second approval. Amounts, currencies and EUR rates are the
kernel's (protect/cases/money.py), shared with relocation budgets."""

from __future__ import annotations

from django.conf import settings

from protect.cases.errors import CaseError
from protect.cases.money import check_amount, eur_rate_for, to_eur_minor

__all__ = ["GrantError", "approvals_needed", "check_amount", "check_cap", "eur_rate_for", "to_eur_minor"]


class GrantError(CaseError):
    """A grant rule said no; the message is shown to the person who asked."""


def check_cap(amount_eur_minor: int, what: str = "The amount", field: str = "amount") -> None:
    if amount_eur_minor > settings.PROTECT_GRANT_CAP_EUR * 100:
        raise GrantError(f"{what} is above the maximum grant of EUR {settings.PROTECT_GRANT_CAP_EUR:,}.",
                         code="cap", field=field)


def approvals_needed(amount_eur_minor: int) -> int:
    return 2 if amount_eur_minor > settings.PROTECT_GRANT_SECOND_APPROVAL_EUR * 100 else 1
