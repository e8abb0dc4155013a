"""Carrying every row of a merged-away defender over to the defender kept, found through the app
registry: no app registers anything, so a new kind of case cannot be left behind.

A row that points to a defender is sealed under that defender's data key, and so is every row
whose key is read through it (a grant's notes, messages, payments and files). Moving the row
therefore means: read every sealed value of the row and of those dependent rows under the old key,
re-point the row, then write them all again (and re-encrypt their files) under the new key.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.db import models

from protect.crypto.fields import EncryptedField
from protect.crypto.files import encrypted_file_move
from protect.crypto.models import EncryptedFile

from .models import Defender, DefenderGroupObjectPermission, DefenderProfile, DefenderUserObjectPermission

# The defender's own tables, which a merge unites rather than moves (see defender_merge_duplicates):
# the duplicate keeps its rows for the record, and the defender kept gains the same.
UNITED = (DefenderProfile, DefenderUserObjectPermission, DefenderGroupObjectPermission)


def defender_links() -> list[tuple[type[models.Model], str]]:
    """Every (model, foreign key name) that points to a Defender, the defender's own record link aside."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Defender and model is not Defender
    ]


def _file_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is EncryptedFile]


def _sealed_fields(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def _is_sealed(model: Any) -> bool:
    return isinstance(model, type) and bool(_sealed_fields(model) or _file_fields(model))


def _dependents(row: models.Model) -> list[tuple[models.Model, str]]:
    """Rows sealed under a key read through `row` (reverse foreign keys to it), with the field name."""
    found: list[tuple[models.Model, str]] = []
    for relation in row._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one) or not _is_sealed(relation.related_model):
            continue
        field_name = relation.field.name
        for child in relation.related_model._default_manager.filter(**{field_name: row}):
            found.append((child, field_name))
            found.extend(_dependents(child))
    return found


def _unseal(row: models.Model) -> None:
    """Read every sealed value now, under the key the row still has: saving seals it again."""
    for name in _sealed_fields(type(row)):
        getattr(row, name)


def _reseal(row: models.Model, keep: Defender) -> None:
    row.save()
    for name in _file_fields(type(row)):  # files are sealed under the defender's key itself
        stored = getattr(row, name)
        if stored is not None:
            encrypted_file_move(file=stored, owner=keep)


def _move(row: models.Model, field_name: str, keep: Defender) -> None:
    dependents = _dependents(row)
    _unseal(row)
    for child, _parent_field in dependents:
        _unseal(child)
    setattr(row, field_name, keep)
    _reseal(row, keep)
    instances = {(type(row), row.pk): row}
    for child, parent_field in dependents:
        # Hand each child the re-pointed parent instance, so its key is read through `keep`.
        parent = getattr(child, parent_field)
        setattr(child, parent_field, instances.get((type(parent), parent.pk), parent))
        instances[(type(child), child.pk)] = child
        _reseal(child, keep)


def carry_over(*, keep: Defender, duplicate: Defender) -> Counter[str]:
    """Move every row that points to `duplicate` to `keep`; returns how many rows per model."""
    moved: Counter[str] = Counter()
    for model, field_name in defender_links():
        if model in UNITED:
            continue
        for row in model._default_manager.filter(**{field_name: duplicate}):
            _move(row, field_name, keep)
            moved[model._meta.label_lower] += 1
    return moved
