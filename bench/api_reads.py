"""Reads under gunicorn, each beside the floor and the naive peer in the same run: the partner API's
referral list (page sizes 10, 50, 100) and one referral, the caseworker's queue page and a case page,
the naive peer (bench/api_urls.py: a DRF ModelViewSet over Grant, guardian's generic tables, offset
pages), the floor (one raw SQL query, same rows, same renderer) and hello-world.

Run: `.venv/bin/python bench/api_reads.py [--grants 100000] [--referrals 500] [--requests 800] [--clients 16]`
(PostgreSQL and Redis; database `protect_bench`, filled by bench/dataset.py). gunicorn serves
bench/api_settings.py (the project's settings and routes, plus the comparison views) with the
production config (protect/gunicorn.conf.py: WEB_CONCURRENCY x WEB_THREADS, 2 x 4); the clients are
threads with keep-alive sessions. Each partner request goes through everything a real one does:
token, scope, throttle (counted in Redis), selectors, serializers, ETag and the audit event; each
queue request the session, the second factor and the template. Goals (bench/run): list and queue
>= 0.6 x the floor's requests/s and >= 25 x the naive peer's; detail >= 0.4 x hello-world's.
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
from common import ROOT, emit, figures, peak_rss_mb, setup_django


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
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE api_referral")  # statistics, as autovacuum gives (it may be off)
    return raw, reference, partner.pk


def query_count(client: object, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)  # type: ignore[attr-defined]
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(url: str, headers: dict[str, str], total: int, clients: int,
         cookies: dict[str, str] | None = None) -> tuple[list[float], float]:
    """`total` requests from `clients` threads: each one's milliseconds, and the seconds it all took."""
    timings: list[float] = []
    lock = threading.Lock()
    per_client = total // clients

    def run() -> None:
        session = requests.Session()
        session.cookies.update(cookies or {})
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
    return timings, time.perf_counter() - started


Target = tuple[str, dict[str, str], dict[str, str] | None]  # url, headers, cookies


def in_turn(targets: dict[str, Target], count: int) -> dict[str, list[float]]:
    """`count` requests to each target from one client, a request to each in turn: each one's
    milliseconds. The single-client p95 of a view and of its floor then see the same moments of a
    noisy machine; timed in blocks one after the other, a stall of a second or two (other tenants of
    the VM, slow requests clustered in time for the view and its floor alike) landed in one block and
    moved their ratio between 1.7 and 2.5 from run to run."""
    sessions = {}
    for name, (_url, _headers, cookies) in targets.items():
        session = sessions[name] = requests.Session()
        session.cookies.update(cookies or {})
    timings: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(count):
        for name, (url, headers, _cookies) in targets.items():
            start = time.perf_counter()
            response = sessions[name].get(url, headers=headers, timeout=30)
            timings[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    return timings


def session_cookie(user_id: int) -> tuple[object, dict[str, str]]:
    """A logged-in, second-factor-verified session for the user: the Django test client that made it
    (to count queries in-process) and its cookie (for the HTTP clients)."""
    from django.conf import settings
    from django.test import Client

    from protect.accounts.models import User
    from tests.helpers import login_verified

    client = Client()
    login_verified(client, User.objects.get(pk=user_id))
    return client, {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--referrals", type=int, default=500)
    parser.add_argument("--requests", type=int, default=800, help="requests per view at full concurrency")
    parser.add_argument("--single", type=int, default=100, help="requests per view for the single-client p95")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4, help="each view measured in this many turns, in turn")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
    url = setup_django()
    from dataset import ensure_dataset
    from django.test import Client

    data = ensure_dataset(args.grants, referrals=args.referrals)
    token = {"Authorization": f"Bearer {data.partner_token}"}
    caseworker_client, cookies = session_cookie(data.caseworker_id)
    partner_client = Client(HTTP_AUTHORIZATION=f"Bearer {data.partner_token}")
    # (row name, kind, page size, path, as the partner (token) or the caseworker (session))
    views: list[tuple[str, str, int | None, str, bool]] = []
    for size in (10, 50, 100):
        views += [(f"api list, {size} a page", "api_list", size, f"/api/v1/referrals/?page_size={size}", True),
                  (f"  floor, {size}", "api_list_floor", size, f"/bench/floor/{data.partner_id}/?page_size={size}",
                   True),
                  (f"  naive peer, {size}", "api_list_naive", size, f"/bench/naive/grants/?page_size={size}", True)]
    views += [
        ("api detail (one referral)", "api_detail", None, f"/api/v1/referrals/{data.referral_reference}/", True),
        ("queue page, 50 a page", "queue", 50, "/cases/", False),
        ("  floor, 50 (the same template)", "queue_floor", 50, f"/bench/queue-floor/{data.caseworker_id}/",
         False),
        ("  naive peer, 50 (as the caseworker)", "queue_naive", 50, "/bench/naive/grants/?page_size=50", False),
        ("case page", "case_page", None, f"/cases/{data.open_grant_reference}/", False),
        ("hello-world", "hello", None, "/bench/hello/", True),
    ]
    counts = {name: query_count(partner_client if partner else caseworker_client, path)
              for name, _kind, _size, path, partner in views}

    port = free_port()
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.api_settings", "PROTECT_ENV": "test",
                        "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "protect.wsgi", "--config", "protect/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    timings_of: dict[str, list[float]] = {name: [] for name, *_rest in views}
    seconds_of = dict.fromkeys(timings_of, 0.0)
    single: dict[str, list[float]] = {}
    try:
        for _ in range(150):
            try:
                if requests.get(base + "/bench/hello/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        for _name, _kind, _size, path, partner in views:
            headers, jar = (token, None) if partner else ({}, cookies)
            load(base + path, headers, args.clients * 2, args.clients, jar)  # warm every worker and thread
        single_targets: dict[str, Target] = {
            name: (base + path, token, None) if partner else (base + path, {}, cookies)
            for name, kind, size, path, partner in views
            if kind in {"queue", "queue_floor", "api_list", "api_list_floor"} and size == 50}
        # In rounds, every view in each: on a shared machine the speed drifts over a run, and views
        # measured one after the other in one block each took that drift for a difference between
        # them (the same pair's ratio moved by a quarter from run to run).
        for _round in range(args.rounds):
            for name, kind, _size, path, partner in views:
                headers, jar = (token, None) if partner else ({}, cookies)
                # The naive peer answers some 20 times slower: a quarter of the requests measure it as well.
                total = max(args.clients * 2, args.requests // 4) if kind.endswith("_naive") else args.requests
                timings, seconds = load(base + path, headers, max(args.clients, total // args.rounds), args.clients,
                                        jar)
                timings_of[name] += timings
                seconds_of[name] += seconds
            for name, times in in_turn(single_targets, max(1, args.single // args.rounds)).items():
                single.setdefault(name, []).extend(times)
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    web_rss = max(mb for pid, mb in rss.items() if pid != server.pid)

    rows: list[dict[str, object]] = []
    print(f"reads under gunicorn ({os.environ.get('WEB_CONCURRENCY', '2')} workers x "
          f"{os.environ.get('WEB_THREADS', '4')} threads), {data.grants:,} grants, {args.requests} requests per "
          f"view, {args.clients} clients; single client {args.single} requests")
    print(f"  {'view':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>8} {'queries':>8}")
    for name, kind, size, _path, _partner in views:
        timings, rate = timings_of[name], len(timings_of[name]) / seconds_of[name]
        row: dict[str, object] = {"scenario": name, "kind": kind, "size": size, "clients": args.clients,
                                  **figures(timings), "rps": rate, "queries": counts[name], "rss_mb": web_rss}
        rows.append(row)
        print(f"  {name:<36} {row['p50']:8.1f} {row['p95']:8.1f} {row['max']:8.1f} {rate:8.1f} {counts[name]:8d}")
        if name in single:
            one = {"scenario": f"{name.strip()}, 1 client", "kind": kind + "_single", "size": size, "clients": 1,
                   **figures(single[name]), "rps": None, "queries": counts[name], "rss_mb": web_rss}
            rows.append(one)
            print(f"  {one['scenario']:<36} {one['p50']:8.1f} {one['p95']:8.1f} {one['max']:8.1f}")
    print(f"  peak RSS of a web process: {web_rss:.0f} MB (goal <= 150 MB)")
    emit(rows)


if __name__ == "__main__":
    main()
