"""Accounts: the user model. Roles are groups (see roles.py)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person with an account: staff, a donor, a partner's API owner or a host institution's contact.

    Defenders never have an account."""

    display_name = models.CharField(max_length=150, blank=True)

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_role(self, role: str) -> bool:
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return role in cached
