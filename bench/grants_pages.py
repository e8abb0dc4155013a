"""Queue page and case page latency at 100k grants, with their query counts.

Run: `.venv/bin/python bench/grants_pages.py [--grants 100000] [--runs 30]` (PostgreSQL; a database
`protect_bench` of its own, topped up to --grants by bench/datagen.py the first time: ~60 s for 100k).
Requests go through Django's full stack (middleware, second factor, templates) with the test
client, as a caseworker of one desk and as a coordinator; the time is the server side only.
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import percentile, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    from datagen import generate_grants

    generate_grants(args.grants)

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from grants.models import Grant
    from grants.workflow import GRANT_WORKFLOW
    from protect.accounts.models import User
    from tests.helpers import login_verified

    caseworker = User.objects.get(username="bench-africa-cw0")
    coordinator, _ = User.objects.get_or_create(username="bench-coordinator")
    coordinator.groups.set([Group.objects.get_or_create(name="coordinator")[0]])
    open_case = Grant.objects.filter(caseworker=caseworker, status="triage").order_by("pk").first()
    assert open_case is not None

    def measure(user: User, path: str) -> tuple[list[float], int, int, int]:
        client = Client()
        login_verified(client, user)
        client.get(path)  # warm caches and connections
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        return timings, len(queries), response.status_code, len(response.content)

    total = Grant.objects.count()
    open_total = Grant.objects.filter(status__in=GRANT_WORKFLOW.group("open")).count()
    print(f"grants pages at {total:,} grants ({open_total:,} open), {args.runs} runs each, server side")
    print(f"  {'page':<44} {'p50 ms':>8} {'p95 ms':>8} {'mean':>7} {'queries':>8} {'status':>6} {'KB':>5}")
    for label, user, path in (
        ("queue, my cases (caseworker)", caseworker, "/cases/"),
        ("queue, my team's (caseworker)", caseworker, "/cases/?scope=team"),
        ("queue, all open (coordinator)", coordinator, "/cases/?scope=all"),
        ("queue, all, filtered need=legal", coordinator, "/cases/?scope=all&need=legal"),
        ("case page (caseworker)", caseworker, f"/cases/{open_case.reference}/"),
        ("case page (coordinator)", coordinator, f"/cases/{open_case.reference}/"),
    ):
        timings, queries, status, size = measure(user, path)
        print(f"  {label:<44} {percentile(timings, 0.5):8.1f} {percentile(timings, 0.95):8.1f} "
              f"{statistics.mean(timings):7.1f} {queries:8d} {status:6d} {size / 1024:5.1f}")


if __name__ == "__main__":
    main()
