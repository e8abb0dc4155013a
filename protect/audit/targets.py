"""How the audit page names the record an event is about, in the words staff use: a case's or a
defender's reference, an account's user name, instead of a table name and a database id.

The audit app knows no domain: each app registers, for its target types, a function from ids to
names (one query for a whole page) and, for the page's filter, one from a typed reference to the
records it names. Registered in AppConfig.ready()."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

Namer = Callable[[list[str]], dict[str, str]]
Finder = Callable[[str], list[tuple[str, str]]]

_NAMERS: dict[str, Namer] = {}
_FINDERS: list[Finder] = []


def register_target_namer(target_type: str, namer: Namer) -> None:
    _NAMERS[target_type] = namer


def register_reference_finder(finder: Finder) -> None:
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def target_names(events: Iterable[Any]) -> dict[tuple[str, str], str]:
    """(target_type, target_id) → name, for every event whose type has a namer: a query per type."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.target_type in _NAMERS and event.target_id:
            wanted[event.target_type].add(event.target_id)
    names: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        for target_id, name in _NAMERS[target_type](sorted(ids)).items():
            names[(target_type, target_id)] = name
    return names


def targets_for_reference(reference: str) -> list[tuple[str, str]]:
    """Every record a typed reference names, as (target_type, target_id)."""
    found: list[tuple[str, str]] = []
    for finder in _FINDERS:
        found += finder(reference)
    return found
