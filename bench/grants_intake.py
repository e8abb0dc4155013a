"""Intake → routed latency with a real Celery worker on Redis, at a steady 10 submissions per second.

Run: `.venv/bin/python bench/grants_intake.py [--rate 10] [--count 100]` (PostgreSQL + Redis, as
bin/test finds them; a database `protect_bench` of its own). Each request goes through
`grant_submit_public` (the public form's service: defender + grant + outbox row in one transaction);
the worker routes it (team by region and language, least-loaded caseworker, SLA, permissions).
Latency = routed_at − submitted_at, both written by the database's clock. Goal: routed within 1 s.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid

from common import ROOT, percentile, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=10.0, help="submissions per second")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()

    database_url = setup_django()
    from common import bench_team

    from grants.models import Grant
    from grants.services import RequestDetails, grant_submit_public

    bench_team("Bench Africa desk", "africa", ["en", "fr"], caseworkers=6)
    bench_team("Bench MENA desk", "mena", ["ar", "en"], caseworkers=4)

    queue = f"protect-bench-{uuid.uuid4().hex[:6]}"
    env = os.environ | {"DATABASE_URL": database_url, "PROTECT_TASK_QUEUE": queue}
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
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    routed = [(r - s).total_seconds() * 1000 for s, r in rows if r is not None]
    print(f"grants intake → routed, real worker (concurrency {args.worker_concurrency}) on Redis")
    print(f"  submitted {args.count} at {args.count / submitted_in:.1f}/s (target {args.rate}/s)")
    print(f"  routed    {len(routed)}/{args.count}")
    if routed:
        print(f"  latency   p50 {percentile(routed, 0.5):.0f} ms   p95 {percentile(routed, 0.95):.0f} ms   "
              f"max {max(routed):.0f} ms   (goal: ≤ 1000 ms)")


if __name__ == "__main__":
    main()
