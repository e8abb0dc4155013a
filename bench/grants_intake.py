"""Intake → routed latency with a real Celery worker on Redis, at a steady 10 submissions per second.

Run: `.venv/bin/python bench/grants_intake.py [--rate 10] [--count 100] [--grants 100000]`
(PostgreSQL + Redis, as bin/test finds them; a database `protect_bench` of its own, topped up to
`--grants` grants by datagen.py: generate_bench_data's, ~30% of them open, on the bench desks).
Each request goes through `grant_submit_public` (the public form's service: defender + grant +
outbox row in one transaction); the worker routes it (team by region and language, least-loaded
caseworker, permissions). Latency = routed_at − submitted_at, both written by the database's clock.
Goal: p95 ≤ 1 s at 10 submissions/s. It also says when the follow-ups routing queued (the
caseworker's e-mail, the dashboard refresh), which wait behind routing, were all done.

It also times the least-loaded pick alone (the query that counts every open case of every team
member, across every kind of case) beside a floor, the simplest query on the same connection: the
pick's cost is given as a ratio to the floor, which holds from one machine to another.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid

from common import ROOT, emit, figures, peak_rss_mb, percentile, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=10.0, help="submissions per second")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--grants", type=int, default=100_000, help="grants in the database before the run")
    args = parser.parse_args()

    database_url = setup_django()
    from datagen import ensure_teams, generate_grants
    from django.utils import timezone

    from grants.models import Grant
    from grants.services import RequestDetails, grant_submit_public
    from grants.workflow import GRANT_WORKFLOW

    generate_grants(args.grants)
    teams = ensure_teams()
    pick_ms, floor_ms = time_the_pick(teams["africa"][0])

    queue = f"protect-bench-{uuid.uuid4().hex[:6]}"
    env = os.environ | {"DATABASE_URL": database_url, "PROTECT_TASK_QUEUE": queue}
    worker_rss: dict[int, float] = {}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "protect", "worker", "--loglevel", "WARNING", "--concurrency",
         str(args.worker_concurrency), "--without-mingle", "--without-gossip", "-Q", queue],
        cwd=ROOT, env=env, start_new_session=True,
    )
    from django.conf import settings

    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from protect.celery import app

    app.conf.task_default_queue = queue
    try:
        from protect.core.tasks import ping

        ping.apply_async(queue=queue).get(timeout=60)  # the worker is up
        ids: list[int] = []
        started_at = timezone.now()
        interval = 1.0 / args.rate
        start = time.perf_counter()
        for n in range(args.count):
            target = start + n * interval
            delay = target - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            country, language = (("KE", "en"), ("EG", "ar"))[n % 2]
            grant, _ = grant_submit_public(
                defender_data={"pseudonym": f"Bench {n}", "legal_name": f"Bench Person {n}", "country": country,
                               "profiles": ["journalist"]},
                details=RequestDetails(risk_kinds=["threats"], urgency=("critical", "high", "normal")[n % 3],
                                       needs=["legal"], amount_requested_minor=150_000, currency="EUR",
                                       incident="Bench incident", threat="Bench threat", language=language),
            )
            ids.append(grant.pk)
        submitted_in = time.perf_counter() - start
        deadline = time.monotonic() + 60
        while Grant.objects.filter(pk__in=ids, routed_at__isnull=True).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        rows = list(Grant.objects.filter(pk__in=ids).values_list("submitted_at", "routed_at"))
        drained_s = drain(started_at, submitted_at=start + submitted_in)
        worker_rss = peak_rss_mb(worker.pid)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    routed = [(r - s).total_seconds() * 1000 for s, r in rows if r is not None]
    open_cases = Grant.objects.filter(status__in=GRANT_WORKFLOW.group("open")).count()
    print(f"grants intake → routed, real worker (concurrency {args.worker_concurrency}) on Redis, "
          f"{Grant.objects.count():,} grants ({open_cases:,} open)")
    print(f"  least-loaded pick p50 {pick_ms:.2f} ms; floor (SELECT 1) p50 {floor_ms:.2f} ms; "
          f"ratio {pick_ms / floor_ms:.1f}x")
    print(f"  submitted {args.count} at {args.count / submitted_in:.1f}/s (target {args.rate}/s)")
    print(f"  routed    {len(routed)}/{args.count}")
    if routed:
        print(f"  latency   p50 {percentile(routed, 0.5):.0f} ms   p95 {percentile(routed, 0.95):.0f} ms   "
              f"max {max(routed):.0f} ms   (goal: ≤ 1000 ms)")
    print("  follow-ups (caseworkers' e-mails, dashboard refreshes), at a lower priority than routing: "
          + (f"all done {drained_s:.1f} s after the last submission" if drained_s is not None
             else "not all done 120 s after the last submission"))
    rss = max(worker_rss.values(), default=0.0)
    print(f"  peak RSS of a worker process: {rss:.0f} MB (goal <= 200 MB)")
    emit([{"scenario": f"intake → routed at {args.rate:g}/s ({args.count})", "kind": "intake", "size": args.count,
           "clients": 1, **(figures(routed) if routed else {"p50": None, "p95": None, "max": None}),
           "rps": args.count / submitted_in, "queries": None, "rss_mb": rss, "routed": len(routed),
           "drained_s": drained_s, "count": args.count}])


def drain(since: object, *, submitted_at: float, limit_s: float = 120) -> float | None:
    """Seconds from the last submission until the follow-ups routing queued are done: each assigned
    caseworker's e-mail sent (or given up) and no case waiting for its dashboard refresh. They go at
    a lower priority than routing, so under load they wait: this says for how long."""
    from protect.dashboards.models import PendingRefresh
    from protect.delivery.models import Delivery

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        unsent = Delivery.objects.filter(created_at__gte=since, sent_at=None, failed_at=None).exists()
        if not unsent and not PendingRefresh.objects.exists():
            return time.perf_counter() - submitted_at
        time.sleep(0.2)
    return None


def time_the_pick(team: object, runs: int = 200) -> tuple[float, float]:
    """p50 of the least-loaded pick and of the floor, in ms, interleaved so both see the same machine."""
    from django.db import connection

    from protect.cases.services.routing import pick_caseworker

    picks, floors = [], []
    for _ in range(runs):
        started = time.perf_counter()
        pick_caseworker(team)  # type: ignore[arg-type]
        picks.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        floors.append((time.perf_counter() - started) * 1000)
    return percentile(picks, 0.5), percentile(floors, 0.5)


if __name__ == "__main__":
    main()
