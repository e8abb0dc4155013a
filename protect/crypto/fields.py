"""Encrypted model fields: the attribute holds plaintext, the column holds AES-GCM ciphertext (bytea).

How it works, and why:

- Each value is sealed under the data key of its row, which the instance names with
  `get_data_key()` (a Defender returns its own key; a grant returns `self.defender.get_data_key()`),
  with a fresh random 96-bit nonce, and with associated data naming the table, the column and the
  row's `crypto_id`. A ciphertext copied to another row or column therefore fails to decrypt.
  `crypto_id` is a UUID set when the instance is created, because the integer pk is unknown before
  the INSERT that needs the ciphertext. It must never change (editable=False, unique).
- Reading: the column comes back from the database as a `Sealed` value; the field's descriptor
  decrypts it on first attribute access and caches the plaintext on the instance, so a page that
  never shows a field never decrypts it. Decryption failure raises `DecryptionError` (and appends
  a "crypto.decrypt.failed" audit event); an erased record raises `DataKeyDestroyed`. A value that
  cannot be proven authentic is never returned, not even as an empty value.
- Writing: `pre_save` seals the current plaintext. Only a value sealed by `pre_save` may reach the
  database: `QuerySet.update()`, `bulk_update()` or a lookup with a plaintext value raise instead
  of writing or comparing plaintext. Filtering is refused except `isnull`; exact-match search goes
  through blind indexes (protect.crypto.blind).
- None and blank: None is stored as SQL NULL (allowed only with null=True, as for any field) and
  reads back as None (EncryptedJSONField with null=False seals None as JSON null, like JSONField);
  reading any field of an erased record, NULL or not, raises DataKeyDestroyed.
  An empty string, an empty list or dict is encrypted like any other value, so a column never
  shows which records have an empty note. Plaintext is padded to 32-byte blocks (primitives.py).
- Not supported on purpose: serialisation (dumpdata would write plaintext), `values()` (gives
  `Sealed` objects, not plaintext: load instances), lookups other than `isnull`. Do not pickle or
  cache instances: their __dict__ holds the values already decrypted.
- Adding an encrypted column to a table that already has rows: declare it null=True without a
  default and fill it in a data migration through the model (the schema editor cannot encrypt).
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django import forms
from django.core import checks, validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.dateparse import parse_date

from . import primitives
from .errors import CryptoError, DecryptionError
from .reporting import report_decryption_failure

if TYPE_CHECKING:
    _FieldBase = models.Field[Any, Any]
else:
    _FieldBase = models.Field

_AAD_PREFIX = b"protect.field.v1\x00"
_SCAN: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner, typeshed omits it


# The fields decrypted while a page is built: a case page is audited as a view listing exactly
# what it decrypted, read here rather than declared by each page (a declaration can forget one).
_decrypted: ContextVar[set[str] | None] = ContextVar("protect_decrypted", default=None)


@contextmanager
def decryptions_seen() -> Iterator[set[str]]:
    """Collect "app.model.field" of every value decrypted inside the block (not its value)."""
    seen: set[str] = set()
    token = _decrypted.set(seen)
    try:
        yield seen
    finally:
        _decrypted.reset(token)


class SealingKey(Protocol):
    """What a field needs of a data key. models.DataKey is one; it is named by shape, not imported,
    because the models are built from these fields (models import fields, never the reverse)."""

    def cipher(self) -> AESGCM: ...

    def seal(self, plaintext: bytes, aad: bytes) -> bytes: ...


class Encrypted(Protocol):
    """A row with encrypted fields: its bound identifier and the key that seals its values."""

    crypto_id: uuid.UUID

    def get_data_key(self) -> SealingKey: ...


class Sealed:
    """A ciphertext as read from the database, not yet decrypted (None for SQL NULL)."""

    __slots__ = ("ciphertext",)

    def __init__(self, ciphertext: bytes | None) -> None:
        self.ciphertext = ciphertext

    def __repr__(self) -> str:
        return "<Sealed>" if self.ciphertext is not None else "<Sealed NULL>"


class _SealedForWrite:
    """A ciphertext made by pre_save: the only thing get_db_prep_value lets through."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


_UNLOADED = object()
OPENER = "_crypto_opener"  # in a row's __dict__: (its data key, the key's cipher, its crypto_id's bytes)


def _opener(instance: Any, field: EncryptedField) -> tuple[Any, AESGCM, bytes]:
    """The row's data key, its cipher and the row part of the associated data, found once per row
    and kept on it (EncryptedField.decrypt reads them there): a page of rows opens every field with
    the same few objects. The key is asked again once destroyed (destroy() drops its cipher): an
    erased record raises for every field, NULL ones included, as DataKey.cipher() does."""
    key = field._data_key(instance)
    kept = instance.__dict__[OPENER] = (key, key.cipher(), _row_id(instance))
    return kept


def _row_id(instance: Any) -> bytes:
    """The row's part of the associated data: its crypto_id, as 16 bytes."""
    crypto_id = getattr(instance, "crypto_id", None)
    if crypto_id is None:
        raise CryptoError(f"{type(instance).__name__} has no crypto_id: its encrypted fields cannot be bound.")
    return crypto_id.bytes if isinstance(crypto_id, uuid.UUID) else uuid.UUID(str(crypto_id)).bytes


class EncryptedAttribute(DeferredAttribute):
    """Decrypts on first access (after Django's deferred loading), then caches the plaintext.

    A data descriptor (it has __set__), unlike Django's DeferredAttribute: otherwise Python would
    hand out the Sealed value from the instance's __dict__ without ever calling __get__."""

    field: EncryptedField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        field = self.field
        value = instance.__dict__.get(field.attname, _UNLOADED)
        if value is _UNLOADED:  # a deferred field: Django loads it
            value = super().__get__(instance, cls)
        if type(value) is Sealed:
            value = instance.__dict__[field.attname] = field.decrypt(instance, value)
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(_FieldBase):
    """Base of the encrypted fields; subclasses say how a value becomes bytes and back."""

    descriptor_class = EncryptedAttribute
    empty_strings_allowed = False

    @property
    def seals_none(self) -> bool:
        """Whether None is a value to encrypt (JSON null) rather than SQL NULL."""
        return False

    def get_internal_type(self) -> str:
        return "BinaryField"  # bytea on PostgreSQL, BLOB on SQLite

    # --- checks ---------------------------------------------------------------------------

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = list(super().check(**kwargs))
        model = getattr(self, "model", None)
        if model is None or model._meta.abstract:
            return errors
        try:
            crypto_id = model._meta.get_field("crypto_id")
        except Exception:  # noqa: BLE001 - FieldDoesNotExist; reported below
            crypto_id = None
        if not isinstance(crypto_id, models.UUIDField) or not crypto_id.unique or crypto_id.editable:
            errors.append(checks.Error(
                f"{model._meta.label}.{self.name} is encrypted, so the model needs "
                "crypto_id = UUIDField(default=uuid4, unique=True, editable=False) (or EncryptedModel).",
                obj=self, id="crypto.E010",
            ))
        if not callable(getattr(model, "get_data_key", None)):
            errors.append(checks.Error(
                f"{model._meta.label}.{self.name} is encrypted, so the model needs get_data_key().",
                obj=self, id="crypto.E011",
            ))
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            errors.append(checks.Error(
                f"{model._meta.label}.{self.name}: an encrypted field cannot be unique, indexed or a primary key "
                "(use a blind index column).",
                obj=self, id="crypto.E012",
            ))
        return errors

    # --- plaintext <-> bytes (subclasses) ---------------------------------------------------

    def to_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_bytes(self, data: bytes) -> Any:
        raise NotImplementedError

    # --- encryption -------------------------------------------------------------------------

    def aad(self, instance: Encrypted) -> bytes:
        """Associated data: format version, table, column, row. A ciphertext opens only where it was sealed."""
        return self.aad_prefix() + _row_id(instance)

    # Computed on first use (the table name is final only once models are ready), then read as plain
    # attributes: a page of 50 rows opens some 350 values, and a method call for each cost more
    # than its AES-GCM open.
    _aad_prefix: bytes | None = None
    _sealed_aad_prefix: bytes | None = None
    _decrypted_label: str | None = None

    def aad_prefix(self) -> bytes:
        """The associated data before the row's crypto_id: the same for every row of this column."""
        prefix = self._aad_prefix
        if prefix is None:
            table = self.model._meta.db_table.encode()
            prefix = self._aad_prefix = _AAD_PREFIX + table + b"\x00" + str(self.column).encode() + b"\x00"
        return prefix

    def sealed_aad_prefix(self) -> bytes:
        """aad_prefix() after the sealed format's version byte, as primitives.seal_padded and
        unseal_versioned take it (the bulk loader seals with it, decrypt opens with it)."""
        prefix = self._sealed_aad_prefix
        if prefix is None:
            prefix = self._sealed_aad_prefix = primitives.SEALED_VERSION_BYTE + self.aad_prefix()
        return prefix

    def _data_key(self, instance: Encrypted) -> SealingKey:
        key = instance.get_data_key()
        if key is None:
            raise CryptoError(f"{type(instance).__name__} has no data key yet: its {self.name} cannot be encrypted.")
        return key

    def decrypt(self, instance: Encrypted, sealed: Sealed) -> Any:
        try:
            opener = instance.__dict__.get(OPENER)
            if opener is None or opener[0].__dict__.get("_cipher") is not opener[1]:
                opener = _opener(instance, self)
            if sealed.ciphertext is None:
                return None
            prefix = self._sealed_aad_prefix or self.sealed_aad_prefix()
            data = primitives.unseal_versioned(opener[1], sealed.ciphertext, prefix + opener[2])
        except DecryptionError as exc:
            report_decryption_failure(instance=instance, field_name=self.name, error=exc)
            raise
        seen = _decrypted.get()
        if seen is not None:
            seen.add(self._decrypted_label or self._label())
        return self.from_bytes(data)

    def _label(self) -> str:
        label = self._decrypted_label = f"{self.model._meta.label_lower}.{self.name}"
        return label

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = getattr(model_instance, self.attname)  # decrypts an untouched value: proves it authentic
        if value is None and not self.seals_none:
            return None
        return _SealedForWrite(self._data_key(model_instance).seal(self.to_bytes(value), self.aad(model_instance)))

    # --- database ---------------------------------------------------------------------------

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed:
        return Sealed(None if value is None else bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, _SealedForWrite):
            return connection.Database.Binary(value.data)
        raise CryptoError(
            f"{self.model._meta.label}.{self.name} is encrypted: write it by saving the instance "
            "(not update()/bulk_update()), and search it through a blind index, not a lookup."
        )

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def value_to_string(self, obj: Any) -> str:
        raise CryptoError(f"{self.model._meta.label}.{self.name} is encrypted and is never serialised.")


class EncryptedTextField(EncryptedField):
    """Text (a name, an address, a narrative). Forms get a textarea unless max_length ≤ 255."""

    empty_strings_allowed = True

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.max_length is not None:
            kwargs["max_length"] = self.max_length
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def to_bytes(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"{self.name} holds text, not {type(value).__name__}")
        return value.encode("utf-8")

    def from_bytes(self, data: bytes) -> str:
        return data.decode("utf-8")

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        defaults: dict[str, Any] = {"max_length": self.max_length}
        if self.max_length is None or self.max_length > 255:
            defaults["widget"] = forms.Textarea
        return super().formfield(**(defaults | kwargs))


class EncryptedJSONField(EncryptedField):
    """Any JSON value (lists of aliases, a dict of contact channels). Tuples come back as lists.

    As with Django's JSONField, None is SQL NULL when null=True, and the JSON value null (sealed
    like any other value) when null=False."""

    @property
    def seals_none(self) -> bool:
        return not self.null

    def to_python(self, value: Any) -> Any:
        return value

    def to_bytes(self, value: Any) -> bytes:
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{self.name} holds JSON values only: {exc}") from None

    def from_bytes(self, data: bytes) -> Any:
        # The decoder's C scanner, not json.loads: to_bytes writes compact JSON, so the value starts
        # at the first character and nothing follows it, and json.loads's checks for surrounding
        # whitespace (and raw_decode's wrapper) took most of the time of reading a small value.
        # orjson is not used: it reads an integer beyond 64 bits as a float, silently.
        text = data.decode("utf-8")
        try:
            value, end = _SCAN(text, 0)
        except (StopIteration, ValueError):  # not JSON at its first character: json.loads says why
            end = -1
        return value if end == len(text) else json.loads(text)

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        try:
            self.to_bytes(value)
        except TypeError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().formfield(**({"form_class": forms.JSONField} | kwargs))


class EncryptedDateField(EncryptedField):
    """A calendar date (a date of birth, a date of detention)."""

    def to_python(self, value: Any) -> Any:
        if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
            return value
        if isinstance(value, datetime.datetime):
            return value.date()
        try:
            parsed = parse_date(str(value))
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(f"{value!r} is not a valid date (YYYY-MM-DD).", code="invalid")
        return parsed

    def to_bytes(self, value: Any) -> bytes:
        value = self.to_python(value)
        return value.isoformat().encode("ascii")

    def from_bytes(self, data: bytes) -> datetime.date:
        return datetime.date.fromisoformat(data.decode("ascii"))

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().formfield(**({"form_class": forms.DateField} | kwargs))
