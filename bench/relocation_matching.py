"""Matching over 1,000 hosts, and the relocation board at 10,000 relocations, each beside a floor
measured in the same run.

Run: `.venv/bin/python bench/relocation_matching.py [--hosts 1000] [--relocations 10000] [--runs 30]`
(PostgreSQL; a database `protect_bench_relocation` of its own unless BENCH_DATABASE_URL says
otherwise, topped up the first time: ~1 min for 10k relocations).

- matching: the worker's whole job (`relocation_rank_hosts`: read every active host, its windows and
  the stays holding its places, rank them, seal and store the ranking), for a fresh criteria version
  each run. Floor: one raw SQL query returning the same input rows (each host with its covering
  windows and overlapping stays).
- board: GET /relocations/ through Django's whole stack (middleware, second factor, template) with
  the test client, as a coordinator (sees all) and as a caseworker of one desk. Floor: a plain view
  (bench/api_urls.py: relocation_board_floor) rendering the board's own template from one raw SQL
  query returning the same rows (the 50 earliest deadlines of each stage, with pseudonym and host),
  through the same stack for the same logged-in user.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import time
from collections.abc import Callable

from common import emit, figures, percentile, setup_django

LANGUAGES = ["ar", "en", "es", "fr", "ru", "pt", "de", "nl", "tr", "sw"]
COUNTRIES = ["BE", "DE", "NL", "FR", "ES", "TN", "MX", "CO", "KE", "ZA", "GE", "AM", "CA", "SE", "IE"]
OFFERS = ["housing", "stipend", "training", "psychosocial", "language_courses"]
STAGE_WEIGHTS = {"requested": 2, "assessing": 8, "host_matching": 8, "preparing": 6, "in_residence": 16,
                 "extended": 4, "ended": 50, "cancelled": 6}
TODAY = datetime.date.today()


def generate_hosts(total: int, rng: random.Random) -> None:
    from relocation.models import HostAvailability, HostInstitution

    existing = HostInstitution.objects.count()
    if existing >= total:
        return
    hosts = HostInstitution.objects.bulk_create([
        HostInstitution(organisation=f"Bench host {n}", city=f"City {n % 97}", country=rng.choice(COUNTRIES),
                        languages=sorted(rng.sample(LANGUAGES, rng.randint(1, 3))), places=rng.randint(1, 4),
                        family_places=rng.randint(0, 5), offers=sorted(rng.sample(OFFERS, rng.randint(1, 4))))
        for n in range(existing, total)], batch_size=1000)
    windows = []
    for host in hosts:
        start = TODAY + datetime.timedelta(days=rng.randint(-200, 100))
        windows.append(HostAvailability(host=host, starts_on=start,
                                        ends_on=start + datetime.timedelta(days=rng.randint(120, 700))))
        if rng.random() < 0.3:
            later = start + datetime.timedelta(days=800)
            windows.append(HostAvailability(host=host, starts_on=later, ends_on=later + datetime.timedelta(days=365)))
    HostAvailability.objects.bulk_create(windows, batch_size=2000)
    print(f"  generated {total - existing} hosts", flush=True)


def generate_relocations(total: int, rng: random.Random) -> None:
    from datagen import REGIONS, ensure_teams
    from django.db import transaction
    from django.utils import timezone

    from protect.crypto.services import data_key_create
    from protect.defenders.models import Defender
    from relocation.models import HostInstitution, Relocation

    existing = Relocation.objects.count()
    if existing >= total:
        return
    teams = ensure_teams()
    host_ids = list(HostInstitution.objects.values_list("pk", flat=True))
    stages = [stage for stage, weight in STAGE_WEIGHTS.items() for _ in range(weight)]
    now = timezone.now()
    started = time.perf_counter()
    added = 0
    while existing + added < total:
        size = min(2000, total - existing - added)
        with transaction.atomic():
            defenders = []
            for n in range(size):
                region, countries, _language = REGIONS[rng.randrange(len(REGIONS))]
                defender = Defender(pseudonym=f"Bench relocated {existing + added + n}", kind="person",
                                    legal_name=f"Person {rng.randrange(10**9)}", country=rng.choice(countries),
                                    region=region, risk_notes="Bench risk notes")
                defender.data_key = data_key_create()
                defenders.append(defender)
            Defender.objects.bulk_create(defenders, batch_size=500)
            relocations = []
            for defender in defenders:
                team, caseworkers = teams[defender.region]
                status = rng.choice(stages)
                submitted = now - datetime.timedelta(hours=rng.randrange(1, 24 * 365))
                hours = rng.choice([48, 120, 336])
                relocation = Relocation(
                    defender=defender, status=status, channel="public_form", country=defender.country,
                    region=defender.region, urgency=rng.choice(["critical", "high", "normal"]), team=team,
                    caseworker=None if status == "requested" else rng.choice(caseworkers),
                    sla_due_at=submitted + datetime.timedelta(hours=hours),
                    sla_near_at=submitted + datetime.timedelta(hours=hours * 0.75),
                    risk="Bench risk narrative " * 4, why_relocation="Bench reasons")
                if status in ("preparing", "in_residence", "extended", "ended"):
                    start = TODAY + datetime.timedelta(days=rng.randint(-400, 60))
                    relocation.host_id = rng.choice(host_ids)
                    relocation.starts_on = start
                    relocation.ends_on = start + datetime.timedelta(days=rng.randint(90, 360))
                relocations.append(relocation)
            Relocation.objects.bulk_create(relocations, batch_size=500)
        added += size
        print(f"  generated {existing + added}/{total} relocations ({time.perf_counter() - started:.0f} s)",
              flush=True)


def timed(run: Callable[[], object], runs: int) -> list[float]:
    run()  # warm caches and connections
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def timed_in_turn(
    first: Callable[[], object], second: Callable[[], object], runs: int,
) -> tuple[list[float], list[float]]:
    """Two series timed in turn, one run of each at a time: a page and its floor then see the same
    moments of a shared machine (timed one series after the other, the drift between them was as
    large as the gap being measured)."""
    first()
    second()
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for run, timings in ((first, a), (second, b)):
            start = time.perf_counter()
            run()
            timings.append((time.perf_counter() - start) * 1000)
    return a, b


def line(label: str, timings: list[float], floor: list[float] | None = None, extra: str = "") -> str:
    p50 = percentile(timings, 0.5)
    ratio = f"{p50 / percentile(floor, 0.5):6.1f}x floor" if floor else " " * 13
    return (f"  {label:<48} p50 {p50:8.2f} ms  p95 {percentile(timings, 0.95):8.2f} ms  "
            f"mean {statistics.mean(timings):8.2f}  {ratio} {extra}")


MATCHING_FLOOR_SQL = """
SELECT h.id, h.country, h.languages, h.places, h.family_places, h.offers,
       (SELECT array_agg(ARRAY[w.starts_on, w.ends_on]) FROM relocation_hostavailability w
         WHERE w.host_id = h.id AND w.starts_on <= %(start)s AND w.ends_on >= %(end)s) AS windows,
       (SELECT array_agg(ARRAY[r.starts_on, r.ends_on]) FROM relocation_relocation r
         WHERE r.host_id = h.id AND r.status = ANY(%(holding)s) AND r.starts_on <= %(end)s
           AND r.ends_on >= %(start)s) AS stays
FROM relocation_hostinstitution h WHERE h.is_active ORDER BY h.id
"""

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--relocations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"  # the project, plus the floor's route
    setup_django(database_url=os.environ.get("BENCH_DATABASE_URL")
                 or "postgres://postgres@127.0.0.1:5432/protect_bench_relocation")
    rng = random.Random(11)
    generate_hosts(args.hosts, rng)
    generate_relocations(args.relocations, rng)

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from protect.accounts.models import User
    from relocation.models import HOLDS_A_PLACE, HostInstitution, HostMatching, Relocation
    from relocation.services import relocation_rank_hosts
    from tests.helpers import login_verified

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    # --- matching ---------------------------------------------------------------------------
    relocation = Relocation.objects.filter(status="host_matching").order_by("pk").first()
    assert relocation is not None
    start, end = TODAY + datetime.timedelta(days=30), TODAY + datetime.timedelta(days=210)
    matching, _ = HostMatching.objects.get_or_create(
        relocation=relocation, defaults={"wanted_from": start, "wanted_until": end, "languages": ["ar", "fr"],
                                         "needs": ["housing", "psychosocial"], "visa_easy": ["TN"],
                                         "visa_impossible": ["CA"]})

    def rank_once() -> object:
        HostMatching.objects.filter(pk=matching.pk).update(version=F("version") + 1)  # fresh criteria version
        version = HostMatching.objects.values_list("version", flat=True).get(pk=matching.pk)
        stored = relocation_rank_hosts(relocation_id=relocation.pk, version=version)
        assert stored is not None
        return stored

    def floor_matching() -> object:
        with connection.cursor() as cursor:
            cursor.execute(MATCHING_FLOOR_SQL, {"start": start, "end": end, "holding": list(HOLDS_A_PLACE)})
            return cursor.fetchall()

    hosts = HostInstitution.objects.filter(is_active=True).count()
    print(f"relocation bench: {hosts:,} active hosts, {Relocation.objects.count():,} relocations, "
          f"{args.runs} runs each")
    matching_floor = timed(floor_matching, args.runs)
    with CaptureQueriesContext(connection) as queries:
        rank_once()
    matching_times = timed(rank_once, args.runs)
    print(line("matching floor: one SQL query, same input rows", matching_floor))
    print(line(f"matching: rank {hosts:,} hosts and store (worker)", matching_times, matching_floor,
               f"{len(queries)} queries"))
    rows: list[dict[str, object]] = [
        {"scenario": f"matching over {hosts:,} hosts", "kind": "matching", "size": hosts, "clients": 1,
         **figures(matching_times), "rps": None, "queries": len(queries), "rss_mb": None},
        {"scenario": "  floor: one SQL query", "kind": "matching_floor", "size": hosts, "clients": 1,
         **figures(matching_floor), "rps": None, "queries": 1, "rss_mb": None}]

    # --- the board ----------------------------------------------------------------------------
    coordinator, _ = User.objects.get_or_create(username="bench-coordinator")
    coordinator.groups.set([Group.objects.get_or_create(name="coordinator")[0]])
    caseworker = User.objects.get(username="bench-africa-cw0")
    team_ids = list(caseworker.teams.values_list("pk", flat=True))
    for label, user, everything in (("coordinator", coordinator, True), ("caseworker, one desk", caseworker, False)):
        client = Client()
        login_verified(client, user)

        floor_url = "/bench/relocation-floor/" + ("" if everything else f"?teams={','.join(map(str, team_ids))}")

        def floor_board(client: Client = client, floor_url: str = floor_url) -> object:
            response = client.get(floor_url)
            assert response.status_code == 200
            return response

        board_floor, board_times = timed_in_turn(floor_board, lambda client=client: client.get("/relocations/"),
                                                 args.runs)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/relocations/")
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries_of_floor:
            floor_board()
        floor_queries = len(queries_of_floor)
        print(line(f"board floor ({label}): same template, one SQL query", board_floor))
        print(line(f"board /relocations/ ({label})", board_times, board_floor,
                   f"{len(queries)} queries, {len(response.content) / 1024:.0f} KB"))
        rows += [{"scenario": f"relocation page /relocations/ ({label})", "kind": "relocation_page",
                  "size": None, "clients": 1, **figures(board_times), "rps": None, "queries": len(queries),
                  "rss_mb": None},
                 {"scenario": "  floor: same template, one SQL query", "kind": "relocation_page_floor", "size": None,
                  "clients": 1, **figures(board_floor), "rps": None, "queries": floor_queries, "rss_mb": None}]
    emit(rows)


if __name__ == "__main__":
    main()
