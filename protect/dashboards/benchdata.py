"""Realistic data in bulk, for the benchmarks and the dashboards: defenders, emergency grants,
grants to organisations, relocations with family and budgets, and urgent alerts.

Rows go in by PostgreSQL COPY, tens of thousands at a time, never through a model instance or a
service call per row: ids are drawn from each table's sequence in one query, every column a row
does not set holds its field's default, and each encrypted value is sealed by
protect.crypto.bulk exactly as the field would seal it (one data key per defender, wrapped by the
master key; each value bound to its table, column and row), so the app opens every row. While
one batch is written, the next is made (a second connection, when there is more than one batch).
Every case is born in its final state (the engine's history is not what is measured here), so
the rollups are built afterwards in one pass (`rollups_rebuild`).

Proportions follow the mechanism's first annual report: per 330 emergency grants to defenders,
37 grants to organisations, 73 relocations (57% with family, 150 people in all) and 430 alerts."""

from __future__ import annotations

import base64
import datetime
import io
import json
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, models, transaction
from django.utils import timezone

from alerts.models import SLUG_ALPHABET, SLUG_LENGTH, Alert
from grants.models import Grant
from protect.cases.models import REFERENCE_ALPHABET
from protect.crypto.bulk import ColumnSealer, RowSealer, new_wrapped_data_key
from protect.crypto.fields import EncryptedField
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
BATCH = 20_000  # emergency grants per batch: one COPY per table, one commit
# What a desk holds: the last fortnight's requests mostly still in triage or review, the last
# four months' paid and being reported on, older ones decided and mostly closed. (Drawing one
# mix for eight years left 30% of them open: hundreds of years-old cases in every caseworker's
# queue, which no desk has.)
GRANT_STATUSES_BY_AGE = (
    (datetime.timedelta(days=14), ["triage"] * 45 + ["under_review"] * 30 + ["approved"] * 10 + ["disbursing"] * 5 +
     ["rejected"] * 7 + ["referred"] * 3),
    (datetime.timedelta(days=120), ["disbursing"] * 10 + ["reporting"] * 45 + ["closed"] * 30 + ["rejected"] * 12 +
     ["referred"] * 3),
    (datetime.timedelta.max, ["closed"] * 85 + ["rejected"] * 12 + ["referred"] * 3),
)
DECIDED = {"closed", "reporting", "disbursing", "approved", "rejected"}
UNFUNDED = {"rejected", "triage", "under_review", "referred"}
SLA_HOURS = {"critical": 24, "high": 72, "normal": 240}


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


def families_for(relocations: int, people: int, rng: random.Random) -> list[int]:
    """Family members per relocation: 57% of relocations bring family, `people` in all."""
    members = people - relocations
    with_family = max(1, min(relocations, round(relocations * 0.57)))
    counts = [0] * relocations
    for i in range(members):
        counts[i % with_family] += 1
    rng.shuffle(counts)
    return counts


# --- COPY ------------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    """A value in COPY's text format. Generated values hold no tab, newline or backslash."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    return str(value)  # text, numbers, UUIDs, dates and aware datetimes as PostgreSQL reads them


NULL = r"\N"  # SQL NULL in COPY's text format


class _Table:
    """One table written by COPY. A row gives values for `varying` (in that order) and the data key
    and crypto_id that seal its encrypted columns; every other column holds its field's default.

    A row is one str.format of a template made once, so it costs its own values only: those are
    given ready for COPY (NULL, "t"/"f", JSON as text; numbers, UUIDs and datetimes format alone)."""

    def __init__(self, model: type[models.Model], varying: Sequence[str], sealed: dict[str, Any] | None = None
                 ) -> None:
        self.model, self.table = model, model._meta.db_table
        sealed = sealed or {}
        fields = list(model._meta.concrete_fields)
        by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
        unknown = [name for name in [*varying, *sealed] if name not in by_name]
        if unknown:
            raise ValueError(f"{model._meta.label} has no field {unknown}")
        self.sealers: list[ColumnSealer] = []
        parts = []
        for f in fields:
            if f.name in varying or f.attname in varying:
                index = next(i for i, name in enumerate(varying) if name in {f.name, f.attname})
                parts.append(f"{{{index}}}")
                continue
            if isinstance(f, EncryptedField):
                sealer = ColumnSealer(f, sealed.get(f.name, f.get_default()))
                if not sealer.null:
                    self.sealers.append(sealer)
                    parts.append(f"{{{len(varying) + len(self.sealers) - 1}}}")
                    continue
                default = None
            elif f.unique and f.has_default() and callable(f.default):
                raise ValueError(f"{model._meta.label}.{f.name} is unique: give it per row")
            else:
                default = f.pre_save(model(), add=True) if getattr(f, "auto_now_add", False) else f.get_default()
            parts.append(_text(default).replace("{", "{{").replace("}", "}}"))
        self.columns = ", ".join(f'"{f.column}"' for f in fields)
        self.template = "\t".join(parts) + "\n"
        self.sealer = RowSealer(self.sealers) if self.sealers else None
        self.lines: list[str] = []

    def add(self, values: Sequence[Any], cipher: AESGCM | None = None, crypto_id: bytes | None = None) -> None:
        if self.sealer is not None:
            assert cipher is not None and crypto_id is not None
            self.lines.append(self.template.format(*values, *self.sealer.copy_text(cipher, crypto_id)))
        else:
            self.lines.append(self.template.format(*values))

    def take(self) -> tuple[str, str, list[str]]:
        lines, self.lines = self.lines, []
        return self.table, self.columns, lines


_SEQUENCES: dict[str, str] = {}
Batch = list[tuple[str, str, list[str]]]


def _ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys from the table's own sequence (one query), so rows can point at
    each other before any is written."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if table not in _SEQUENCES:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            _SEQUENCES[table] = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_SEQUENCES[table], n])
        return [row[0] for row in cursor.fetchall()]


def _copy(cursor: Any, batch: Batch) -> None:
    for table, columns, lines in batch:
        if lines:
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO("".join(lines)), size=1 << 20)


_ABORT: Batch = []


class _Writer:
    """Batches to COPY, in order.

    A small load (the first year, tests) writes each batch at once in the caller's transaction. A
    large one is written by a thread with its own connection while the caller makes the next batch
    (one batch waiting at most, so memory holds two), all in one transaction: the secondary
    indexes of the tables written (not those behind a constraint) are dropped when it starts and
    built again at the end, because building an index once from all the rows costs a fraction of
    updating twenty of them per row; and the foreign keys, right by construction, are not checked
    row by row (session_replication_role, when the role may set it). A failure on either side rolls
    the whole load back, indexes included."""

    def __init__(self, *, background: bool) -> None:
        self.background = background
        self.failure: BaseException | None = None
        if background:
            self.pending: queue.Queue[Batch | None] = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._run, name="benchdata-copy", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        ended = False  # the caller said its last word: nothing more will come to drain
        try:
            first = self.pending.get()
            if first is None or first is _ABORT:
                return
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO off")  # bench data: after a crash, generate again
                cursor.execute("SET LOCAL maintenance_work_mem TO '256MB'")
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role TO replica")
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                    [[table for table, _columns, _lines in first]])
                indexes = cursor.fetchall()
                for name, _definition in indexes:
                    cursor.execute(f"DROP INDEX {name}")
                batch: Batch | None = first
                while batch is not None:
                    if batch is _ABORT:
                        ended = True
                        raise RuntimeError("the load was abandoned")
                    _copy(cursor, batch)
                    batch = self.pending.get()
                ended = True
                for _name, definition in indexes:
                    cursor.execute(definition)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread by close()
            self.failure = exc
            while not ended and (batch := self.pending.get()) is not None and batch is not _ABORT:
                pass
        finally:
            connection.close()

    def write(self, batch: Batch) -> None:
        if not self.background:
            with connection.cursor() as cursor:
                _copy(cursor, batch)
            return
        if self.failure is not None:
            self.close(commit=False)
            raise RuntimeError("writing the benchmark data failed") from self.failure
        self.pending.put(batch)

    def close(self, *, commit: bool = True) -> None:
        if self.background and self.thread.is_alive():
            self.pending.put(None if commit else _ABORT)
            self.thread.join()
        if self.failure is not None and commit:
            raise RuntimeError("writing the benchmark data failed") from self.failure


_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_AS_REFERENCE = str.maketrans(_BASE32, REFERENCE_ALPHABET)
_AS_SLUG = str.maketrans(_BASE32, (SLUG_ALPHABET * 2)[:32])  # 31 symbols: one comes twice as often


def _random_codes(n: int, length: int, alphabet: dict[int, int]) -> list[str]:
    """`n` random codes (references, public slugs) from the system's random source, 5 bits a symbol:
    never from the seeded sequence, which a second run with the same seed would repeat."""
    text = base64.b32encode(os.urandom(n * length * 5 // 8 + 5)).decode("ascii").translate(alphabet)
    return [text[i * length:(i + 1) * length] for i in range(n)]


def _crypto_id() -> tuple[bytes, str]:
    """A random (version 4) UUID as the bytes bound into each sealed value and as the column's text."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    h = raw.hex()
    return bytes(raw), f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --- the generator ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Person:
    pk: int
    country: str
    region: str
    cipher: AESGCM


class Generator:
    """Rows of a batch, in memory until `flush` hands them to the writer."""

    def __init__(self, *, seed: int = 7, writer: _Writer | None = None) -> None:
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self._needs_text: dict[tuple[str, ...], str] = {}
        self.writer = writer or _Writer(background=False)
        self.keys = _Table(DataKey, ["id", "wrapped", "master_key_id", "created_at"])
        self.defender_rows = _Table(Defender, ["id", "crypto_id", "reference", "kind", "pseudonym", "data_key",
                                               "country", "region", "created_at", "updated_at"],
                                    {"legal_name": "", "risk_notes": "Bench risk notes"})
        self.profiles = _Table(DefenderProfile, ["id", "defender", "profile"])
        self.grant_rows = _Table(Grant, [
            "id", "crypto_id", "reference", "defender", "status", "channel", "country", "region", "urgency",
            "risk_kinds", "needs", "amount_requested_minor", "eur_rate", "amount_requested_eur_minor",
            "approved_amount_minor", "approved_amount_eur_minor", "submitted_at", "sla_due_at", "sla_near_at",
            "decided_at"], {"incident": "Bench incident narrative", "threat": "Bench threat"})
        self.relocation_rows = _Table(Relocation, [
            "id", "crypto_id", "reference", "defender", "status", "channel", "country", "region", "starts_on",
            "ends_on", "submitted_at", "sla_due_at", "sla_near_at"], {"risk": "Bench risk"})
        self.members = _Table(FamilyMember, ["id", "crypto_id", "relocation", "age_band", "created_at"],
                              {"needs": ""})
        self.lines = _Table(BudgetLine, ["id", "crypto_id", "relocation", "kind", "amount_minor", "currency",
                                         "eur_rate", "amount_eur_minor", "created_at"], {"note": ""})
        self.alert_rows = _Table(Alert, [
            "id", "crypto_id", "reference", "public_slug", "defender", "status", "channel", "country", "region",
            "language", "tiers", "published_at", "outcome", "submitted_at", "sla_due_at", "sla_near_at"],
            {"title": "Bench alert", "summary": "Bench summary", "facts": "Bench facts",
             "requested_actions": "Bench actions"})

    def _moment(self, year: int | None) -> datetime.datetime:
        if year is None:
            return self.now - datetime.timedelta(hours=self.rng.randrange(24, 24 * 365 * 8))
        start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
        return start + datetime.timedelta(seconds=self.rng.randrange(360 * 24 * 3600))

    def defenders(self, n: int, *, kind: str = "person") -> list[_Person]:
        made = []
        for pk, reference in zip(_ids(Defender, n), _random_codes(n, 10, _AS_REFERENCE), strict=True):
            key_id, wrapped, master_key_id, cipher = new_wrapped_data_key()
            self.keys.add([key_id, "\\\\x" + wrapped.hex(), master_key_id, self.now])
            country, region = self.rng.choice(COUNTRIES)
            row, crypto_id = _crypto_id()
            self.defender_rows.add([pk, crypto_id, "D-" + reference, kind, f"Bench {kind} {self.rng.randrange(10**9)}",
                                    key_id, country, region, self.now, self.now], cipher, row)
            made.append(_Person(pk, country, region, cipher))
        profiles = [(p.pk, code) for p in made for code in PROFILES
                    if self.rng.random() < (0.45 if code == "women_hrd" else 0.15)]
        for pk, (defender, code) in zip(_ids(DefenderProfile, len(profiles)), profiles, strict=True):
            self.profiles.add([pk, defender, code])
        return made

    def grants(self, people: Sequence[_Person], *, year: int | None, amounts: list[int] | None = None,
               funded_only: bool = False) -> int:
        rng, needs_text = self.rng, self._needs_text
        references = _random_codes(len(people), 10, _AS_REFERENCE)
        for i, (pk, person) in enumerate(zip(_ids(Grant, len(people)), people, strict=True)):
            submitted = self._moment(year)
            urgency = rng.choice(["critical", "high", "normal", "normal"])
            sla = SLA_HOURS[urgency]
            age = self.now - submitted
            status = "closed" if funded_only else rng.choice(
                next(statuses for within, statuses in GRANT_STATUSES_BY_AGE if age <= within))
            amount = amounts[i] if amounts else rng.randrange(500, 10_000) * 100
            funded = NULL if status in UNFUNDED else amount
            decided: Any = NULL
            if status in DECIDED:
                decided = min(submitted + datetime.timedelta(hours=rng.randrange(4, sla * 2)),
                              self.now - datetime.timedelta(minutes=1))
            if decided is not NULL and year is not None:  # decided within the year, so the grant counts in it
                decided = min(decided, datetime.datetime(year, 12, 31, 12, tzinfo=datetime.UTC))
            needs = tuple(sorted(rng.sample(NEEDS, rng.randrange(1, 3))))
            row, crypto_id = _crypto_id()
            self.grant_rows.add([
                pk, crypto_id, "G-" + references[i], person.pk, status,
                rng.choice(["public_form", "hotline", "partner"]), person.country, person.region, urgency,
                '["threats"]', needs_text.get(needs) or needs_text.setdefault(needs, json.dumps(list(needs))),
                amount, 1, amount, funded, funded, submitted, submitted + datetime.timedelta(hours=sla),
                submitted + datetime.timedelta(hours=sla * 0.75), decided], person.cipher, row)
        return len(people)

    def relocations(self, people: Sequence[_Person], *, year: int | None, families: list[int],
                    amounts: list[int] | None = None) -> int:
        rng = self.rng
        ids = _ids(Relocation, len(people))
        amounts = amounts or [rng.randrange(4000, 16000) * 100 for _ in people]
        members = _ids(FamilyMember, sum(families))
        for pk, person, family, amount, line, reference in zip(
                ids, people, families, amounts, _ids(BudgetLine, len(people)),
                _random_codes(len(people), 10, _AS_REFERENCE), strict=True):
            submitted = self._moment(year)
            starts = (submitted + datetime.timedelta(days=rng.randrange(0, 5))).date()
            if year is not None:
                starts = min(starts, datetime.date(year, 12, 31))
            row, crypto_id = _crypto_id()
            self.relocation_rows.add([
                pk, crypto_id, "R-" + reference, person.pk, rng.choice(["ended", "ended", "in_residence"]),
                "hotline", person.country, person.region, starts,
                starts + datetime.timedelta(days=30 * rng.randrange(3, 13)), submitted,
                submitted + datetime.timedelta(hours=240), submitted + datetime.timedelta(hours=180)],
                person.cipher, row)
            for _ in range(family):
                row, crypto_id = _crypto_id()
                self.members.add([members.pop(), crypto_id, pk, rng.choice(["0-11", "12-17", "18-64"]), self.now],
                                 person.cipher, row)
            row, crypto_id = _crypto_id()
            self.lines.add([line, crypto_id, pk, "travel", amount, "EUR", 1, amount, self.now], person.cipher, row)
        return len(people)

    def alerts(self, people: Sequence[_Person], *, year: int | None) -> int:
        rng = self.rng
        for pk, person, reference, slug in zip(
                _ids(Alert, len(people)), people, _random_codes(len(people), 10, _AS_REFERENCE),
                _random_codes(len(people), SLUG_LENGTH, _AS_SLUG), strict=True):
            submitted = self._moment(year)
            published = submitted + datetime.timedelta(hours=rng.randrange(2, 48))
            if year is not None:
                published = min(published, datetime.datetime(year, 12, 31, 12, tzinfo=datetime.UTC))
            closed = rng.random() < 0.4
            row, crypto_id = _crypto_id()
            self.alert_rows.add([
                pk, crypto_id, "A-" + reference, slug, person.pk,
                "closed" if closed else "published", "hotline", person.country, person.region, "en", '["media"]',
                published, rng.choice(["released", "no_change"]) if closed else "", submitted,
                submitted + datetime.timedelta(hours=24), submitted + datetime.timedelta(hours=18)],
                person.cipher, row)
        return len(people)

    def flush(self) -> None:
        """Hand the batch to the writer: keys first, then each table after those it points at."""
        self.writer.write([t.take() for t in (self.keys, self.defender_rows, self.profiles, self.grant_rows,
                                              self.relocation_rows, self.members, self.lines, self.alert_rows)])


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
        gen.flush()
    log(f"  first year {year}: 330 grants, 37 organisation grants, 73 relocations, 430 alerts")
    return {"grants": 330, "organisations": 37, "relocations": 73, "alerts": 430}


def generate(grants: int, *, log: Callable[[str], None] = print, seed: int = 7,
             background: bool | None = None) -> dict[str, int]:
    """`grants` emergency grants to defenders over the last eight years, with organisations,
    relocations and alerts in the first report's proportions; batches commit one by one, each
    written while the next is made (`background`, by default when there is more than one)."""
    writer = _Writer(background=grants > BATCH if background is None else background)
    gen = Generator(seed=seed, writer=writer)
    made = {"grants": 0, "organisations": 0, "relocations": 0, "alerts": 0}
    started = time.perf_counter()
    finished = False
    try:
        while made["grants"] < grants:
            size = min(BATCH, grants - made["grants"])
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
            gen.flush()
            made["grants"] += size
            for kind in ("organisations", "relocations", "alerts"):
                made[kind] += extra[kind]
            log(f"  {made['grants']}/{grants} grants made ({time.perf_counter() - started:.0f} s)")
        finished = True
    finally:
        writer.close(commit=finished)
    log(f"  written, indexes built ({time.perf_counter() - started:.0f} s)")
    return made
