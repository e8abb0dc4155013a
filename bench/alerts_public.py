"""Public alert pages and Atom feed: latency and query counts beside a floor, at N public alerts.

Run: `.venv/bin/python bench/alerts_public.py [--alerts 300] [--runs 30]` (PostgreSQL; a database of
its own, `protect_bench_alerts_public` unless BENCH_DATABASE_URL says otherwise, topped up to --alerts
published alerts through the services, each with two updates, the first time: ~0.3 s an alert).
Every request goes through Django's full stack as an anonymous reader (the pages are never cached:
each decrypts what it shows); the floor is the landing page `/` in the same run (no query, no
decryption), so the difference is what reading, checking and decrypting the alerts costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from common import bench_team, bench_user, percentile, setup_django

TEXTS = {"title": "Journalist detained after reporting on land grabs",
         "summary": "A journalist was detained at dawn and taken to an unknown place.",
         "facts": "Held without charge for three days; no access to a lawyer.",
         "requested_actions": "Write to the authorities and ask for the journalist's release."}


def top_up(count: int) -> None:
    from alerts.models import Alert
    from alerts.services.consent import alert_consent_record
    from alerts.services.drafting import (
        alert_approve,
        alert_draft,
        alert_publish,
        alert_submit_for_review,
        alert_update,
    )
    from protect.cases.services.routing import case_route
    from protect.defenders.services import defender_create

    bench_team("bench-alerts-africa", "africa", ["en", "fr"], 1)
    caseworker = bench_user("bench-africa-cw0", "caseworker")
    reviewer = bench_user("bench-alert-reviewer", "reviewer")
    have = Alert.objects.filter(status="published").count()
    started = time.perf_counter()
    for n in range(have, count):
        defender = defender_create(by=caseworker, pseudonym=f"Bench {n}", legal_name=f"Bench Person {n}",
                                   country="KE")
        alert = case_route(model=Alert, case_id=alert_draft(by=caseworker, defender=defender, language="en",
                                                            **TEXTS).pk)
        alert_consent_record(alert=alert, by=caseworker, method="written", may_name=False, photo_allowed=False,
                             facts_allowed="Detention.", tiers=["un"], languages=["en", "fr"],
                             public_page_allowed=True, public_facts_allowed=True, valid_until=None,
                             naming_is_a_risk=True, information_verified=True, response_plan=True,
                             benefits_outweigh_risks=True)
        alert = alert_approve(alert=alert_submit_for_review(alert=alert, by=caseworker, reviewer=reviewer),
                              by=reviewer)
        alert = alert_publish(alert=alert, by=caseworker, tiers=["un"])
        for k in range(2):
            alert_update(alert=alert, by=caseworker, idempotency_key=f"bench-{k}", news=f"News number {k + 1}.")
    if count > have:
        print(f"added {count - have} public alerts in {time.perf_counter() - started:.0f} s")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would: the planner needs to know the tables grew


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alerts", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django(database_url=os.environ.get("BENCH_DATABASE_URL")
                 or "postgres://postgres@127.0.0.1:5432/protect_bench_alerts_public")
    top_up(args.alerts)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from alerts.models import Alert

    slug = Alert.objects.filter(status="published").order_by("-pk").values_list("public_slug", flat=True)[0]
    client = Client()

    def measure(path: str) -> tuple[list[float], int, int, int]:
        client.get(path)  # warm caches and connections
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        return timings, len(queries), response.status_code, len(response.content)

    total = Alert.objects.filter(status="published").count()
    print(f"public alert pages at {total:,} public alerts (two updates each), {args.runs} runs each, server side")
    print(f"  {'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'mean':>7} {'queries':>8} {'status':>6} {'KB':>6}")
    for label, path in (
        ("floor: landing page /", "/"),
        ("list, first page (20 alerts)", "/alerts/"),
        ("list in French, page 5", "/fr/alerts/?page=5"),
        ("one alert", f"/alerts/{slug}/"),
        ("Atom feed (50 alerts + 100 updates)", "/alerts/feed/"),
    ):
        timings, queries, status, size = measure(path)
        print(f"  {label:<40} {percentile(timings, 0.5):8.1f} {percentile(timings, 0.95):8.1f} "
              f"{statistics.mean(timings):7.1f} {queries:8d} {status:6d} {size / 1024:6.1f}")


if __name__ == "__main__":
    main()
