"""`manage.py seed_demo`: fill an empty demo database with one user per role and fake cases.

Each app that has demo data provides a `demo.py` with `seed(out) -> None`; they are found with
Django's autodiscovery, so the core never imports the apps (DESIGN: dependencies point one way)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from protect.core import demo


class Command(BaseCommand):
    help = "Create demo users (one per role, passwords printed once) and realistic fake cases."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if not demo.seed_users(self.stdout):
                self.stdout.write("Demo data already present; nothing changed.")
                return
            autodiscover_modules("demo")
            for seeder in demo.registered_seeders():
                seeder(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
