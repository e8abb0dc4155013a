"""Key ring, field and file encryption, blind indexes, crypto-shredding."""

from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "protect.crypto"
    label = "crypto"
    default_auto_field = "django.db.models.BigAutoField"
