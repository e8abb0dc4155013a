"""The one payments inbox (/cases/payments/) for every kind that pays out: each kind registers a
section (its rows, read through its own permission-scoped selector, and the template that shows
them) in its AppConfig.ready(), and finance works through one page. The kernel imports no kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class PaymentSection:
    key: str  # "grants", "relocation.stipends": also the id of the section on the page
    title: StrOrPromise
    template: str  # renders `section.rows`; forms post to the kind's own action routes
    rows: Callable[[Any], list[dict[str, Any]]]  # (user) -> rows, from a selector scoped to the user


_SECTIONS: dict[str, PaymentSection] = {}


def register_payment_section(section: PaymentSection) -> None:
    _SECTIONS[section.key] = section


def payment_sections() -> list[PaymentSection]:
    """In the order the apps registered them (INSTALLED_APPS order)."""
    return list(_SECTIONS.values())
