"""Amounts, for every kind of case that handles money (a grant, a relocation's budget and stipends):
integer minor units in an ISO currency, valued in EUR at a rate recorded beside the amount, so a
later change of PROTECT_EUR_RATES never rewrites what a past amount was worth."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models

from .errors import CaseError


def eur_rate_for(currency: str) -> Decimal:
    rates: dict[str, Decimal] = settings.PROTECT_EUR_RATES
    try:
        return rates[currency.upper()]
    except KeyError:
        raise CaseError(f"Currency {currency!r} is not supported; use one of {', '.join(sorted(rates))}.",
                        code="currency", field="currency") from None


def to_eur_minor(amount_minor: int, rate: Decimal) -> int:
    return int((Decimal(amount_minor) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_amount(amount_minor: int, what: str = "The amount", field: str = "amount") -> None:
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor <= 0:
        raise CaseError(f"{what} must be a positive amount.", code="amount", field=field)


# The columns of an amount, the same on every table that stores one (a grant, a budget line, a stipend).
def currency_field() -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(max_length=3)


def eur_rate_field() -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=12, decimal_places=6)
