"""Realistic data in bulk, for the benchmarks and the dashboards: defenders, emergency grants,
grants to organisations, relocations with family and budgets, and urgent alerts.

Rows go in by bulk_create in batches, never one service call per row: data keys are generated
(wrapped by the master key) and inserted together, and each encrypted value is sealed once by its
field as the batch is written. Every case is born in its final state (the engine's history is not
what is measured here), so the rollups are built afterwards in one pass (`rollups_rebuild`).

Proportions follow the mechanism's first annual report: per 330 emergency grants to defenders,
37 grants to organisations, 73 relocations (57% with family, 150 people in all) and 430 alerts."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from alerts.models import Alert
from grants.models import Grant
from protect.crypto.models import DataKey
from protect.defenders.models import Defender, DefenderProfile
from relocation.models import BudgetLine, FamilyMember, Relocation

COUNTRIES = [("KE", "africa"), ("UG", "africa"), ("CD", "africa"), ("ZW", "africa"), ("NG", "africa"),
             ("EG", "mena"), ("SY", "mena"), ("TN", "mena"), ("IQ", "mena"),
             ("CO", "americas"), ("MX", "americas"), ("HN", "americas"), ("BR", "americas"),
             ("PH", "asia_pacific"), ("MM", "asia_pacific"), ("KH", "asia_pacific"),
             ("BY", "europe_central_asia"), ("RU", "europe_central_asia"), ("TR", "europe_central_asia"),
             ("AZ", "europe_central_asia")]
NEEDS = ["physical_security", "digital_security", "communications", "security_training", "secure_transport", "legal",
         "medical", "humanitarian", "urgent_relocation", "monitoring_advocacy", "other"]
PROFILES = ["women_hrd", "land_environment", "journalist", "lgbti"]
PER_330 = {"organisations": 37, "relocations": 73, "alerts": 430}
BATCH = 2000


def _split(total: int, parts: int, rng: random.Random, spread: float = 0.3) -> list[int]:
    """`parts` positive integers summing to exactly `total`, varied around the mean."""
    mean = total // parts
    values = [mean] * parts
    for i in range(0, parts - 1, 2):
        delta = rng.randrange(int(mean * spread) + 1)
        values[i] += delta
        values[i + 1] -= delta
    values[-1] += total - sum(values)
    return values


def _moment(rng: random.Random, year: int | None, now: datetime.datetime) -> datetime.datetime:
    if year is None:
        return now - datetime.timedelta(hours=rng.randrange(24, 24 * 365 * 8))
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    return start + datetime.timedelta(seconds=rng.randrange(int(datetime.timedelta(days=360).total_seconds())))


class Generator:
    def __init__(self, *, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.now = timezone.now()

    def defenders(self, n: int, *, kind: str = "person") -> list[Any]:

        keys = [DataKey.generate() for _ in range(n)]
        DataKey.objects.bulk_create(keys, batch_size=BATCH)
        made = []
        for key in keys:
            country, region = self.rng.choice(COUNTRIES)
            defender = Defender(pseudonym=f"Bench {kind} {self.rng.randrange(10**9)}", kind=kind, country=country,
                                region=region, legal_name="", risk_notes="Bench risk notes")
            defender.data_key = key
            made.append(defender)
        Defender.objects.bulk_create(made, batch_size=BATCH)
        profiles = [DefenderProfile(defender=d, profile=p) for d in made for p in PROFILES
                    if self.rng.random() < (0.45 if p == "women_hrd" else 0.15)]
        DefenderProfile.objects.bulk_create(profiles, batch_size=BATCH)
        return made

    def grants(self, defenders: list[Any], *, year: int | None, amounts: list[int] | None = None,
               funded_only: bool = False) -> int:

        statuses = (["closed"] * 60 + ["reporting"] * 8 + ["disbursing"] * 4 + ["approved"] * 3 + ["rejected"] * 8 +
                    ["triage"] * 10 + ["under_review"] * 5 + ["referred"] * 2)
        rows, moments = [], []
        for i, defender in enumerate(defenders):
            submitted = _moment(self.rng, year, self.now)
            urgency = self.rng.choice(["critical", "high", "normal", "normal"])
            sla = {"critical": 24, "high": 72, "normal": 240}[urgency]
            status = "closed" if funded_only else self.rng.choice(statuses)
            decided = status in {"closed", "reporting", "disbursing", "approved", "rejected"}
            amount = amounts[i] if amounts else self.rng.randrange(500, 10_000) * 100
            funded = status not in {"rejected", "triage", "under_review", "referred"}
            grant = Grant(
                defender=defender, status=status, channel=self.rng.choice(["public_form", "hotline", "partner"]),
                country=defender.country, region=defender.region, urgency=urgency, risk_kinds=["threats"],
                needs=sorted(self.rng.sample(NEEDS, self.rng.randrange(1, 3))), amount_requested_minor=amount,
                currency="EUR", eur_rate=Decimal(1), amount_requested_eur_minor=amount,
                approved_amount_minor=amount if funded else None, approved_amount_eur_minor=amount if funded else None,
                incident="Bench incident narrative", threat="Bench threat",
                sla_due_at=submitted + datetime.timedelta(hours=sla),
                sla_near_at=submitted + datetime.timedelta(hours=sla * 0.75),
                decided_at=(submitted + datetime.timedelta(hours=self.rng.randrange(4, sla * 2)))
                if decided else None,
            )
            moments.append(submitted)
            rows.append(grant)
        self._insert(Grant, rows, moments)
        return len(rows)

    def _insert(self, model: Any, rows: list[Any], moments: list[datetime.datetime]) -> None:
        model.objects.bulk_create(rows, batch_size=BATCH)
        # submitted_at is auto_now_add: put it back where the generated case says it was.
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {model._meta.db_table} t SET submitted_at = v.at "  # noqa: S608
                           f"FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE t.id = v.id",
                           [[r.pk for r in rows], moments])

    def relocations(self, defenders: list[Any], *, year: int | None, families: list[int],
                    amounts: list[int] | None = None) -> int:

        rows, moments = [], []
        for defender in defenders:
            submitted = _moment(self.rng, year, self.now)
            starts = (submitted + datetime.timedelta(days=self.rng.randrange(0, 5))).date()
            if year is not None:
                starts = min(starts, datetime.date(year, 12, 31))
            relocation = Relocation(
                defender=defender, status=self.rng.choice(["ended", "ended", "in_residence"]), channel="hotline",
                country=defender.country, region=defender.region, risk="Bench risk", starts_on=starts,
                ends_on=starts + datetime.timedelta(days=30 * self.rng.randrange(3, 13)),
                sla_due_at=submitted + datetime.timedelta(hours=240),
                sla_near_at=submitted + datetime.timedelta(hours=180))
            moments.append(submitted)
            rows.append(relocation)
        self._insert(Relocation, rows, moments)
        members = [FamilyMember(relocation=r, age_band=self.rng.choice(["0-11", "12-17", "18-64"]), needs="")
                   for r, count in zip(rows, families, strict=True) for _ in range(count)]
        FamilyMember.objects.bulk_create(members, batch_size=BATCH)
        amounts = amounts or [self.rng.randrange(4000, 16000) * 100 for _ in rows]
        lines = [BudgetLine(relocation=r, kind="travel", amount_minor=a, currency="EUR", eur_rate=Decimal(1),
                            amount_eur_minor=a, note="") for r, a in zip(rows, amounts, strict=True)]
        BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
        return len(rows)

    def alerts(self, defenders: list[Any], *, year: int | None) -> int:

        rows, moments = [], []
        for defender in defenders:
            submitted = _moment(self.rng, year, self.now)
            published = submitted + datetime.timedelta(hours=self.rng.randrange(2, 48))
            if year is not None:
                published = min(published, datetime.datetime(year, 12, 31, 12, tzinfo=datetime.UTC))
            closed = self.rng.random() < 0.4
            alert = Alert(
                defender=defender, status="closed" if closed else "published", channel="hotline",
                country=defender.country, region=defender.region, language="en", title="Bench alert",
                summary="Bench summary", facts="Bench facts", requested_actions="Bench actions", tiers=["media"],
                published_at=published, outcome=self.rng.choice(["released", "no_change"]) if closed else "",
                sla_due_at=submitted + datetime.timedelta(hours=24),
                sla_near_at=submitted + datetime.timedelta(hours=18))
            moments.append(submitted)
            rows.append(alert)
        self._insert(Alert, rows, moments)
        return len(rows)


def families_for(relocations: int, people: int, rng: random.Random) -> list[int]:
    """Family members per relocation: 57% of relocations bring family, `people` in all."""
    members = people - relocations
    with_family = max(1, min(relocations, round(relocations * 0.57)))
    counts = [0] * relocations
    for i in range(members):
        counts[i % with_family] += 1
    rng.shuffle(counts)
    return counts


def generate_first_year(year: int, *, log: Callable[[str], None] = print) -> dict[str, int]:
    """The year of the first annual report, exactly: 330 emergency grants to defenders; 73
    relocations for 150 people totalling EUR 700,000; 37 grants to organisations totalling
    EUR 300,000; 430 urgent alerts, all decided, started or published within `year`."""
    gen = Generator(seed=year)
    with transaction.atomic():
        gen.grants(gen.defenders(330), year=year, funded_only=True)
        gen.grants(gen.defenders(37, kind="organisation"), year=year, funded_only=True,
                   amounts=_split(300_000 * 100, 37, gen.rng, spread=0.2))
        gen.relocations(gen.defenders(73), year=year, families=families_for(73, 150, gen.rng),
                        amounts=_split(700_000 * 100, 73, gen.rng))
        gen.alerts(gen.defenders(430), year=year)

        # Decisions inside the year, so each grant counts in it.
        Grant.objects.filter(decided_at__year__gt=year, submitted_at__year=year).update(
            decided_at=datetime.datetime(year, 12, 31, 12, tzinfo=datetime.UTC))
    log(f"  first year {year}: 330 grants, 37 organisation grants, 73 relocations, 430 alerts")
    return {"grants": 330, "organisations": 37, "relocations": 73, "alerts": 430}


def generate(grants: int, *, log: Callable[[str], None] = print, seed: int = 7) -> dict[str, int]:
    """`grants` emergency grants to defenders over the last eight years, with organisations,
    relocations and alerts in the first report's proportions; batches commit one by one."""

    gen = Generator(seed=seed)
    made = {"grants": 0, "organisations": 0, "relocations": 0, "alerts": 0}
    started = time.perf_counter()
    while made["grants"] < grants:
        size = min(BATCH * 5, grants - made["grants"])
        with transaction.atomic():
            # A defender often comes back: about 1.3 grants each.
            people = gen.defenders(max(1, size * 10 // 13))
            gen.grants([people[i % len(people)] for i in range(size)], year=None)
            extra = {kind: size * share // 330 for kind, share in PER_330.items()}
            if extra["organisations"]:
                gen.grants(gen.defenders(extra["organisations"], kind="organisation"), year=None)
            if extra["relocations"]:
                gen.relocations(people[:extra["relocations"]], year=None,
                                families=families_for(extra["relocations"], extra["relocations"] * 150 // 73,
                                                      gen.rng))
            if extra["alerts"]:
                gen.alerts([people[i % len(people)] for i in range(extra["alerts"])], year=None)
        made["grants"] += size
        for kind in ("organisations", "relocations", "alerts"):
            made[kind] += extra[kind]
        log(f"  {made['grants']}/{grants} grants ({time.perf_counter() - started:.0f} s)")
    return made
