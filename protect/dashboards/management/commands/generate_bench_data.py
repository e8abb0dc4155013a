"""manage.py generate_bench_data: realistic data in bulk, then the dashboards' rollups.

    manage.py generate_bench_data --grants 100000     # over the last eight years, in proportion
    manage.py generate_bench_data --first-year 2017   # that year exactly as the first annual report
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from protect.dashboards.benchdata import generate, generate_first_year
from protect.dashboards.services import rollups_rebuild


class Command(BaseCommand):
    help = "Generate benchmark data in bulk (grants, organisations, relocations, alerts) and build the rollups."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--grants", type=int, default=0, help="emergency grants to defenders to add")
        parser.add_argument("--first-year", type=int, help="make this year exactly as the first annual report")
        parser.add_argument("--no-rollups", action="store_true", help="skip the rollup rebuild")

    def handle(self, *args: Any, **options: Any) -> None:

        if settings.PROTECT_ENV == "production":
            raise CommandError("Refusing to generate benchmark data in production.")
        if options["grants"] < 0:
            raise CommandError("--grants must be 0 or more.")
        if not options["grants"] and not options["first_year"]:
            raise CommandError("Say how much: --grants N and/or --first-year YEAR.")
        started = time.perf_counter()
        if options["first_year"]:
            generate_first_year(options["first_year"], log=self.stdout.write)
        if options["grants"]:
            generate(options["grants"], log=self.stdout.write)
        self.stdout.write(f"generated in {time.perf_counter() - started:.1f} s")
        if not options["no_rollups"]:
            rebuilt = time.perf_counter()
            counts = rollups_rebuild()
            self.stdout.write(f"rollups rebuilt in {time.perf_counter() - rebuilt:.1f} s: {counts}")
