"""Rollups behind the donor dashboard: what a donor may be told, kept fresh by the workers.

`CaseFact` holds one row per case of any kind, made only of columns that survive erasure (place,
needs, profiles, amounts, dates, counts): no name, reference, narrative or free text, so
crypto-shredding a defender changes no figure. `MonthRollup` sums the facts per month and
dimension; a need and a profile of '' mean "any", so a page filtered on neither reads the '' rows
and no sum counts a grant twice for its two needs. What does not add up month by month has a
rollup of its own, so the page reads none of the facts: `DefenderRollup` for distinct defenders,
`HoursRollup` for the response-time percentiles. All are derived: `rollups_rebuild()` makes them
again from the case tables at any time."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models

KINDS = ("grant", "relocation", "alert")  # the kinds of case the rollups count


class CodeList(ArrayField):  # type: ignore[type-arg]
    """A list of codes (or numbers): a PostgreSQL array, which the rollups' SQL unnests. The rollups are
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
                   models.Index(fields=["month"], condition=models.Q(counted=True), name="casefact_counted_month"),
                   # A case's refresh reads its defender's facts again (DefenderRollup).
                   models.Index(fields=["defender_id"], name="casefact_defender")]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}"


_SUMMED = ["organisation", "region", "country", "cases", "eur_minor", "people", "updates", "outcomes"]


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
        # The page's sums read one need (or one profile) across the other: each from an index
        # holding every column it sums, so a year of a million grants is an index-only scan.
        indexes = [models.Index(fields=["kind", "need", "profile", "month"], name="monthrollup_read",
                                include=_SUMMED),
                   models.Index(fields=["kind", "profile", "need", "month"], name="monthrollup_by_profile",
                                include=_SUMMED)]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m}"


class Scope(models.TextChoices):
    """Which place filter a row of a non-additive rollup answers: a defender counted once in a
    region is not the sum of their countries, nor everyone the sum of the regions."""

    ALL = "all"
    REGION = "region"  # country is ''
    COUNTRY = "country"


class ScopedRollup(models.Model):
    """The keys every non-additive rollup row starts with: which place filter it answers, the
    place, and the need and profile ('' = any)."""

    scope = models.CharField(max_length=7, choices=Scope.choices)
    region = models.CharField(max_length=30, blank=True)
    country = models.CharField(max_length=2, blank=True)
    need = models.CharField(max_length=30, blank=True)  # '' = any need
    profile = models.CharField(max_length=30, blank=True)  # '' = any profile

    class Meta:
        abstract = True


WOMEN_PROFILE = "women_hrd"  # the share of women and gender-diverse defenders is a headline of its own

# `since` of a defender's first counted month: before any period a page can ask for.
FIRST_TIME = "0001-01-01"


class DefenderRollup(ScopedRollup):
    """Distinct defenders for any period, from rows per month: each month a defender has a counted
    case in (within a scope, need and profile) is one row-count at (month, since), `since` being
    the defender's previous such month. The defenders of the months [start, end) are then the
    counts with start <= month < end and since < start: each one once, at their first month in
    the period, whatever its length. `women` rows repeat the chain of women and gender-diverse
    defenders for the other profiles, for the women's share of a view filtered on one of them.

    Need: a grant's kind of need. Under a need filter only grants count, as in the headline."""

    women = models.BooleanField(default=False)
    month = models.DateField()
    since = models.DateField()  # FIRST_TIME: no counted month before
    defenders = models.IntegerField()

    class Meta:
        # Also the page's read: one profile (and women's) at a time, a range of months, since
        # before it; `defenders` rides along for an index-only scan.
        constraints = [models.UniqueConstraint(
            fields=["scope", "region", "country", "need", "profile", "women", "month", "since"],
            include=["defenders"], name="defenderrollup_once")]

    def __str__(self) -> str:
        return f"defenders {self.month:%Y-%m} since {self.since:%Y-%m}"


class HoursRollup(ScopedRollup):
    """Grants by whole hours taken (submission to decision, to first payment) per month, scope,
    need and profile, one row of buckets each: percentiles are read from them, to the hour.
    `hours` lists the hours that occur (floor; negative when paid on the day, before that hour),
    `grants` how many grants took each. `within_sla` counts the grants decided within their
    deadline (one bucket, hour 0)."""

    month = models.DateField()
    measure = models.CharField(max_length=10)  # "decision", "payment", "within_sla"
    hours = CodeList(models.IntegerField(), default=list)
    grants = CodeList(models.IntegerField(), default=list)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["scope", "region", "country", "need", "profile", "month", "measure"], name="hoursrollup_once")]
        # A case's refresh replaces its month's rows: without it, that DELETE read the whole
        # unique index (month is its sixth column), a third of every refresh.
        indexes = [models.Index(fields=["month"], name="hoursrollup_by_month")]

    def __str__(self) -> str:
        return f"{self.measure} {self.month:%Y-%m}"


class PendingRefresh(models.Model):
    """A case whose fact and rollups a transition changed, until a refresh has counted it: one row
    per transition, only ever added and deleted. A refresh task takes every row no other task holds
    (FOR UPDATE SKIP LOCKED) and refreshes their cases together, so that under load one re-sum of
    a month counts many transitions; a row added after a task read its rows waits for the next."""

    kind = models.CharField(max_length=16)
    case_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind", "id"], name="pendingrefresh_by_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} to refresh"
