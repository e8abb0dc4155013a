"""The partner API's reads under gunicorn: the referral list and one referral, beside a floor view
(one raw SQL query returning the list's rows) and a hello-world view, in the same run.

Run: `.venv/bin/python bench/api_reads.py [--referrals 500] [--requests 600] [--clients 4]`
(PostgreSQL and Redis; database `protect_bench`). gunicorn serves bench/api_settings.py (the
project's settings and routes, plus the two comparison views) with the production config
(protect/gunicorn.conf.py: 2 workers x 4 threads); the clients are threads with keep-alive sessions.
Each partner request goes through everything a real one does: token, scope, throttle (counted in
Redis), selectors, serializers, ETag and the audit event. Goals: list >= 0.6 x the floor's
requests/s; detail >= 0.4 x hello-world's.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time

import requests
from common import ROOT, percentile, setup_django


def ensure_referrals(count: int) -> tuple[str, str, int]:
    """A partner with `count` grant referrals (made once, through the referral service)."""
    from protect.accounts.models import ApiToken
    from protect.accounts.services import api_token_issue, partner_organisation_ensure
    from protect.api.examples import REFERRAL_GRANT_BODY
    from protect.api.models import Referral
    from protect.api.serializers import ReferralIn
    from protect.api.services import referral_create

    organisation = partner_organisation_ensure(name="Bench partner", by=None)
    partner = organisation.account
    have = Referral.objects.filter(partner=partner).count()
    incoming = ReferralIn(data=REFERRAL_GRANT_BODY)
    incoming.is_valid(raise_exception=True)
    for _ in range(have, count):
        referral_create(partner=partner, kind="grant", defender_data=incoming.defender_data(),
                        details=incoming.details())
    ApiToken.objects.filter(user=partner).delete()
    _token, raw = api_token_issue(user=partner, name="bench", by=None,
                                  scopes=["referrals:read", "referrals:write"])
    reference = Referral.objects.filter(partner=partner).order_by("-id").values_list("reference", flat=True)[0]
    return raw, reference, partner.pk


def query_counts(raw: str, paths: list[str]) -> list[int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    counts = []
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        counts.append(len(queries))
    return counts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(url: str, headers: dict[str, str], total: int, clients: int) -> tuple[list[float], float]:
    timings: list[float] = []
    lock = threading.Lock()
    per_client = total // clients

    def run() -> None:
        session = requests.Session()
        mine = []
        for _ in range(per_client):
            start = time.perf_counter()
            response = session.get(url, headers=headers, timeout=30)
            mine.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings, len(timings) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=500)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
    url = setup_django()
    raw, reference, partner_id = ensure_referrals(args.referrals)
    paths = {"list": "/api/v1/referrals/", "detail": f"/api/v1/referrals/{reference}/",
             "floor": f"/bench/floor/{partner_id}/", "hello": "/bench/hello/"}
    counts = dict(zip(paths, query_counts(raw, list(paths.values())), strict=True))

    port = free_port()
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.api_settings", "PROTECT_ENV": "test",
                        "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "protect.wsgi", "--config", "protect/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(base + paths["hello"], timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {raw}"}
        results = {}
        for name, path in paths.items():
            load(base + path, headers, args.clients * 10, args.clients)  # warm every worker and thread
            results[name] = load(base + path, headers, args.requests, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"partner API reads under gunicorn (2 workers x 4 threads), {args.requests} requests per view, "
          f"{args.clients} client threads, {args.referrals} referrals of one partner")
    print(f"  {'view':<10} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'queries':>8}")
    for name, (timings, rate) in results.items():
        print(f"  {name:<10} {percentile(timings, 0.5):8.1f} {percentile(timings, 0.95):8.1f} {rate:8.1f} "
              f"{counts[name]:8d}")
    list_ratio = results["list"][1] / results["floor"][1]
    detail_ratio = results["detail"][1] / results["hello"][1]
    print(f"  list / floor requests/s: {list_ratio:.2f} (goal >= 0.6)")
    print(f"  detail / hello-world requests/s: {detail_ratio:.2f} (goal >= 0.4)")


if __name__ == "__main__":
    main()
