"""`manage.py import_alert_recipients FILE.csv`: add alert recipients from a spreadsheet.

Columns: name,channel,address,language,tier,secret. A web hook row with an empty secret gets a new
one, printed here once (it is stored sealed and never shown again). Any bad row stops the import:
each is reported by line and nothing is imported."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts.services.recipients import ImportRefused, recipients_import, recipients_read_csv


class Command(BaseCommand):
    help = "Import alert recipients from a CSV file (name,channel,address,language,tier,secret): all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as stream:
                imported = recipients_import(rows=recipients_read_csv(stream))
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError("The file is not UTF-8 text.") from exc
        except ImportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError("Nothing was imported.") from exc
        for item in imported:
            if item.generated_secret:
                self.stdout.write(f"line {item.line}: web hook secret (shown once, give it to the receiver): "
                                  f"{item.generated_secret}")
        self.stdout.write(f"Imported {len(imported)} recipients.")
