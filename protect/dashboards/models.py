"""Rollups behind the donor dashboard: what a donor may be told, kept fresh by the workers.

`CaseFact` holds one row per case of any kind, made only of columns that survive erasure (place,
needs, profiles, amounts, dates, counts): no name, reference, narrative or free text, so
crypto-shredding a defender changes no figure. `MonthRollup` sums the facts per month and
dimension; a need and a profile of '' mean "any", so a page filtered on neither reads the '' rows
and no sum counts a grant twice for its two needs. Both are derived: `rollups_rebuild()` makes
them again from the case tables at any time."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models


class CodeList(ArrayField):  # type: ignore[type-arg]
    """A list of codes: a PostgreSQL array, which the rollups' SQL unnests. The rollups are
    PostgreSQL's alone; on the SQLite demo the column is plain text and stays empty."""

    def db_type(self, connection: Any) -> Any:
        return super().db_type(connection) if connection.vendor == "postgresql" else "text"


class CaseFact(models.Model):
    kind = models.CharField(max_length=12)  # "grant", "relocation", "alert"
    case_id = models.BigIntegerField()
    # No foreign key: a fact is rebuilt from the case, and a merge or erasure must not cascade here.
    defender_id = models.BigIntegerField()
    month = models.DateField()  # the month the case counts in: decision, start of stay, publication
    counted = models.BooleanField()  # funded grant, relocation with a stay, published alert
    region = models.CharField(max_length=30)
    country = models.CharField(max_length=2)
    organisation = models.BooleanField()
    needs = CodeList(models.CharField(max_length=30), default=list)
    profiles = CodeList(models.CharField(max_length=30), default=list)
    eur_minor = models.BigIntegerField(default=0)
    people = models.IntegerField(default=0)
    updates = models.IntegerField(default=0)
    outcome = models.CharField(max_length=20, blank=True)
    hours_to_decision = models.FloatField(null=True)
    hours_to_payment = models.FloatField(null=True)
    sla_hours = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "case_id"], name="casefact_once")]
        indexes = [models.Index(fields=["kind", "month"], name="casefact_kind_month"),
                   # The page's aggregate reads the counted facts of a period, of every kind at once.
                   models.Index(fields=["month"], condition=models.Q(counted=True), name="casefact_counted_month")]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}"


class MonthRollup(models.Model):
    kind = models.CharField(max_length=12)
    month = models.DateField()
    region = models.CharField(max_length=30)
    country = models.CharField(max_length=2)
    organisation = models.BooleanField()
    need = models.CharField(max_length=30, blank=True)  # '' = any need
    profile = models.CharField(max_length=30, blank=True)  # '' = any profile
    cases = models.IntegerField()
    eur_minor = models.BigIntegerField()
    people = models.IntegerField()
    updates = models.IntegerField()
    outcomes = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["kind", "month", "region", "country", "organisation", "need", "profile"], name="monthrollup_once")]
        indexes = [models.Index(fields=["kind", "need", "profile", "month"], name="monthrollup_read")]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m}"
