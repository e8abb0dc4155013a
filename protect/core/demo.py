"""Demo data: the cast of users, and a registry for the apps' own demo seeders."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import OutputWrapper

from protect.accounts.roles import Role

Seeder = Callable[[OutputWrapper], None]
_SEEDERS: list[Seeder] = []

DEMO_USERS = [
    ("caseworker", Role.CASEWORKER, "Amina (caseworker)"),
    ("reviewer", Role.REVIEWER, "Bruno (reviewer)"),
    ("approver", Role.REVIEWER, "Chen (second approver)"),
    ("finance", Role.FINANCE, "Dalia (finance)"),
    ("coordinator", Role.COORDINATOR, "Elif (coordinator)"),
    ("donor", Role.DONOR, "Fund officer (donor)"),
    ("partner", Role.PARTNER, "Partner NGO (partner)"),
    ("host", Role.HOST, "University (host)"),
]


def register(seeder: Seeder) -> Seeder:
    if seeder not in _SEEDERS:
        _SEEDERS.append(seeder)
    return seeder


def registered_seeders() -> list[Seeder]:
    return list(_SEEDERS)


def seed_users(out: OutputWrapper) -> bool:
    """Create the demo cast with fresh random passwords, print them once. False if already there."""
    User = get_user_model()
    if User.objects.filter(username="coordinator").exists():
        return False
    out.write("Demo users (passwords are shown only now):\n")
    for username, role, display in DEMO_USERS:
        password = "-".join(secrets.token_hex(3) for _ in range(3))
        # An address under .example (never delivered): the demo writes its e-mails to var/mail/.
        user = User.objects.create_user(username=username, password=password, display_name=display,
                                        email=f"{username}@protect.example")
        user.groups.add(Group.objects.get(name=role))
        if role == Role.COORDINATOR:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        out.write(f"  {username:<12} {password}   ({role})\n")
    return True
