"""Grant amounts: integer minor units in the grant's currency, valued in EUR at a recorded rate."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from protect.cases.errors import CaseError


class GrantError(CaseError):
    """A grant rule said no; the message is shown to the person who asked."""


def eur_rate_for(currency: str) -> Decimal:
    rates: dict[str, Decimal] = settings.PROTECT_EUR_RATES
    try:
        return rates[currency.upper()]
    except KeyError:
        raise GrantError(f"Currency {currency!r} is not supported; use one of {', '.join(sorted(rates))}.",
                         code="currency", field="currency") from None


def to_eur_minor(amount_minor: int, rate: Decimal) -> int:
    return int((Decimal(amount_minor) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_amount(amount_minor: int, what: str = "The amount", field: str = "amount") -> None:
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise GrantError(f"{what} must be a positive amount.", code="amount", field=field)


def check_cap(amount_eur_minor: int, what: str = "The amount", field: str = "amount") -> None:
    if amount_eur_minor > settings.PROTECT_GRANT_CAP_EUR * 100:
        raise GrantError(f"{what} is above the maximum grant of EUR {settings.PROTECT_GRANT_CAP_EUR:,}.",
                         code="cap", field=field)


def approvals_needed(amount_eur_minor: int) -> int:
    return 2 if amount_eur_minor > settings.PROTECT_GRANT_SECOND_APPROVAL_EUR * 100 else 1
