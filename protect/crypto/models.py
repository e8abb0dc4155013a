"""Data keys (one per defender, wrapped by the master ring), the encrypted-model base, encrypted files.

Crypto-shredding: `DataKey.destroy()` overwrites the wrapped key with nothing. Every value sealed
under it is then unreadable in the live database at once. Copies of the wrapped key in backups and
in PostgreSQL's not-yet-vacuumed row versions stay unwrappable as long as the master key that
wrapped them is in the ring: erasure reaches the backups once `rotate_master_key` has run and the
old master key has been removed from the ring after the backup retention period (README).
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models, transaction
from django.utils import timezone

from . import primitives
from .errors import DataKeyDestroyed
from .fields import OPENER, EncryptedField, EncryptedTextField
from .keys import MasterKeyRing, master_keyring


class DataKey(models.Model):
    """A random 256-bit AES key, stored only wrapped by a master key. Never shown, never logged."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.BinaryField(editable=False)
    master_key_id = models.CharField(max_length=32, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    rewrapped_at = models.DateTimeField(null=True, blank=True, editable=False)
    destroyed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["master_key_id", "id"], name="datakey_live_by_master",
                         condition=models.Q(destroyed_at=None)),
        ]

    def __str__(self) -> str:
        return f"data key {self.id}"

    @classmethod
    def generate(cls) -> DataKey:
        """A new, unsaved data key wrapped under the primary master key (ready to use at once)."""
        key = cls()
        raw = primitives.new_data_key()
        key.wrapped, key.master_key_id = primitives.wrap_data_key(raw, data_key_id=key.id, ring=master_keyring())
        key._cipher = AESGCM(raw)
        return key

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None or not self.wrapped

    def cipher(self) -> AESGCM:
        """The unwrapped key as an AES-GCM object, cached on this instance only.

        Cached per instance, never per process, so an erasure is seen by the next request of every
        process: nothing outlives the objects a request loaded."""
        if self.is_destroyed:
            self.__dict__.pop("_cipher", None)
            raise DataKeyDestroyed()
        cipher: AESGCM | None = self.__dict__.get("_cipher")
        if cipher is None:
            raw = primitives.unwrap_data_key(bytes(self.wrapped), data_key_id=self.id, ring=master_keyring())
            cipher = AESGCM(raw)
            self._cipher = cipher
        return cipher

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        return primitives.seal(self.cipher(), plaintext, aad)

    def rewrap(self, ring: MasterKeyRing) -> None:
        """Unwrap with whichever ring key wrapped it, wrap under the primary (caller saves)."""
        raw = primitives.unwrap_data_key(bytes(self.wrapped), data_key_id=self.id, ring=ring)
        self.wrapped, self.master_key_id = primitives.wrap_data_key(raw, data_key_id=self.id, ring=ring)
        self.rewrapped_at = timezone.now()

    def destroy(self) -> None:
        """Crypto-shred: forget the wrapped key (caller saves, in services.data_key_destroy)."""
        self.wrapped = b""
        self.master_key_id = ""
        self.destroyed_at = timezone.now()
        self.__dict__.pop("_cipher", None)


class HasDataKey(Protocol):
    """Anything that owns encrypted values or files: a defender (its own key), a grant (its defender's)."""

    crypto_id: uuid.UUID

    def get_data_key(self) -> DataKey: ...


class EncryptedModel(models.Model):
    """Optional base for models with encrypted fields: the row identifier bound into each ciphertext.

    Subclasses implement `get_data_key()` (a Defender returns its own key; a grant returns its
    defender's). A model may instead declare `crypto_id` itself, as long as it is a unique UUID
    with a default and `editable=False`, and never changes."""

    crypto_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        abstract = True

    def get_data_key(self) -> DataKey:
        raise NotImplementedError(f"{type(self).__name__} must say which data key encrypts it (get_data_key).")

    @classmethod
    def encrypted_fields(cls) -> list[EncryptedField]:
        return [f for f in cls._meta.concrete_fields if isinstance(f, EncryptedField)]

    def decrypt_all(self) -> None:
        """Decrypt every encrypted field now (e.g. before re-pointing the row to another data key)."""
        for f in self.encrypted_fields():
            getattr(self, f.attname)

    def forget_plaintext(self) -> None:
        """Drop decrypted values held by this instance, and the data key it opened them with; the
        next access reads and decrypts again, with the key the row has then."""
        for f in self.encrypted_fields():
            self.__dict__.pop(f.attname, None)
        self.__dict__.pop(OPENER, None)


class SelfKeyedModel(EncryptedModel):
    """A row that owns its data key, made with it (a web hook endpoint's secret, an API answer kept
    for a retry): not a defender's data, yet nothing in it is readable from a database dump, and
    deleting the key shreds it."""

    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+", editable=False, blank=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            if self.data_key_id is None:
                key = DataKey.generate()
                key.save(force_insert=True)
                self.data_key = key
            super().save(*args, **kwargs)

    def get_data_key(self) -> DataKey:
        return self.data_key


class EncryptedFile(EncryptedModel):
    """An uploaded file, encrypted in chunks under its owner's data key (protect.crypto.files).

    The bytes live in PROTECT_FILES_DIR under a random name; the original file name is encrypted;
    the type is the one detected from the content, never the one the client claimed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    storage_name = models.CharField(max_length=64, unique=True, editable=False)
    original_name = EncryptedTextField(blank=True)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    chunk_size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"file {self.id}"

    def get_data_key(self) -> DataKey:
        return self.data_key

    @property
    def download_name(self) -> str:
        """The original name's stem with the extension of the detected type (never the claimed one)."""
        stem = (self.original_name or "file").rsplit(".", 1)[0].strip() or "file"
        return f"{stem[:100]}.{self.extension}"
