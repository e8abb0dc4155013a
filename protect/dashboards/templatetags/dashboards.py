"""Figures written as an annual report writes them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: int | None) -> str:
    """700000 -> "700,000" (the same in every language: the report quotes it beside "EUR")."""
    return "" if value is None else f"{value:,}"
