"""Alert fan-out to 1,000 web hook recipients with a real Celery worker and a local receiver, beside a
floor measured in the same run: the same receiver taking 1,000 signed POSTs sent one after another
from one process, with nothing else (no database, no queue).

Run: `.venv/bin/python bench/alerts_fanout.py [--recipients 1000] [--worker-concurrency 2]`
(PostgreSQL + Redis as bin/test finds them; a database `protect_bench_alerts` of its own unless
BENCH_DATABASE_URL says otherwise). The receiver runs in a process of its own and answers 204 at
once. Fan-out time = the last delivery's sent_at − the alert's published_at (both from the
database's rows): the outbox relay, the `alerts.distribute` task recording 1,000 sealed deliveries,
and 1,000 `protect.delivery.send` tasks (claim, decrypt, sign, POST, record). The ratio to the floor
holds from one machine to another better than the seconds do.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from common import ROOT, bench_team, bench_user, emit, setup_django

BENCH_DB = "postgres://postgres@127.0.0.1:5432/protect_bench_alerts"


def serve(port: int, received: Any, ready: Any) -> None:
    """The receiver: count each POST, answer 204 (its own process, so it competes with neither side)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            with received.get_lock():
                received.value += 1
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    ready.set()
    server.serve_forever()


def published_alert(recipients: int, url: str) -> tuple[Any, Any]:
    """An approved alert with consent for every tier, and `recipients` active web hook recipients (the
    previous runs' made inactive)."""
    from alerts.models import Alert, Recipient, Tier
    from alerts.services.consent import alert_consent_record
    from alerts.services.drafting import alert_approve, alert_draft, alert_submit_for_review
    from protect.cases.services.routing import case_route
    from protect.defenders.services import defender_create
    from protect.delivery.services import webhook_endpoint_create

    caseworker = bench_user("bench-alerts-cw", "caseworker")
    reviewer = bench_user("bench-alerts-rev", "reviewer")
    team = bench_team("Bench alerts desk", "africa", ["en", "fr"], 0)
    team.members.add(caseworker)
    Recipient.objects.filter(active=True).update(active=False)  # bench set-up, not a use case
    for n in range(recipients):
        endpoint, _secret = webhook_endpoint_create(url=f"{url}/hook/{n}")
        Recipient.objects.create(name=f"Bench hook {n}", channel="webhook", endpoint=endpoint, language="en",
                                 tier=Tier.values[n % len(Tier.values)])
    defender = defender_create(by=caseworker, pseudonym="Bench", legal_name="Bench Person", country="KE")
    alert = alert_draft(by=caseworker, defender=defender, language="en", title="Lawyer detained",
                        summary="A lawyer was detained.", facts="Held without charge.",
                        requested_actions="Call for release.")
    alert = case_route(model=Alert, case_id=alert.pk)
    alert_consent_record(alert=alert, by=caseworker, method="written", may_name=False, photo_allowed=False,
                         facts_allowed="Detention only.", tiers=list(Tier.values), languages=["en"],
                         public_page_allowed=False, valid_until=datetime.date.today() + datetime.timedelta(days=30),
                         naming_is_a_risk=True, information_verified=True, response_plan=True,
                         benefits_outweigh_risks=True)
    alert = alert_submit_for_review(alert=alert, by=caseworker, reviewer=reviewer)
    alert = alert_approve(alert=alert, by=reviewer)
    return alert, caseworker


def floor_seconds(url: str, count: int) -> float:
    """1,000 signed bodies POSTed one after another from this process to the same receiver."""
    from protect.delivery.signing import new_webhook_secret, webhook_headers

    secret = new_webhook_secret()
    body = (b'{"type":"alert.published","timestamp":"2026-01-01T00:00:00Z","data":{"reference":"A-BENCH",'
            b'"title":"Lawyer detained","summary":"A lawyer was detained.","facts":"Held without charge."}}')
    started = time.perf_counter()
    for n in range(count):
        headers = webhook_headers(secret=secret, message_id=f"msg_{uuid.uuid4().hex}", body=body)
        request = urllib.request.Request(f"{url}/floor/{n}", data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read(1024)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()

    # One queue for the run, named before Django and Celery are set up: every task this process
    # queues (the set-up's, the outbox relay's) goes where the bench's worker listens.
    queue = f"protect-bench-{uuid.uuid4().hex[:6]}"
    os.environ["PROTECT_TASK_QUEUE"] = queue
    database_url = setup_django(database_url=os.environ.get("BENCH_DATABASE_URL") or BENCH_DB)
    from alerts.services.drafting import alert_publish
    from protect.delivery.models import Delivery
    from protect.outbox.services import outbox_relay

    received = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    receiver = multiprocessing.Process(target=serve, args=(port, received, ready), daemon=True)
    receiver.start()
    ready.wait(10)
    url = f"http://127.0.0.1:{port}"

    made = time.perf_counter()
    alert, caseworker = published_alert(args.recipients, url)
    made = time.perf_counter() - made

    env = os.environ | {"DATABASE_URL": database_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "protect", "worker", "--loglevel", "WARNING", "--concurrency",
         str(args.worker_concurrency), "--without-mingle", "--without-gossip", "-Q", queue],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        from protect.core.tasks import ping

        ping.apply_async(queue=queue).get(timeout=60)  # the worker is up
        floor = floor_seconds(url, args.recipients)
        with received.get_lock():
            received.value = 0
        alert_publish(alert=alert, by=caseworker, tiers=list(alert.consent_in_force().tiers))
        rows = Delivery.objects.filter(key__startswith=f"alerts.alert:{alert.pk}:publish:")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if rows.filter(sent_at__isnull=False).count() == args.recipients:
                break
            outbox_relay()  # what beat does every 10 s, should an on-commit relay have missed
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        receiver.terminate()

    alert.refresh_from_db()
    sent = rows.filter(sent_at__isnull=False)
    last_sent = max(sent.values_list("sent_at", flat=True))
    last_recorded = max(rows.values_list("created_at", flat=True))
    fanout = (last_sent - alert.published_at).total_seconds()
    recorded = (last_recorded - alert.published_at).total_seconds()
    print(f"alert fan-out to {args.recipients:,} web hook recipients, real worker (concurrency "
          f"{args.worker_concurrency}) on Redis, local receiver ({made:.0f} s to set up)")
    print(f"  sent      {sent.count():,}/{args.recipients:,}; the receiver counted {received.value:,}")
    print(f"  recorded  all {args.recipients:,} deliveries {recorded:.2f} s after publication")
    print(f"  fan-out   {fanout:.2f} s (publication → last sent), {args.recipients / fanout:.0f} deliveries/s")
    print(f"  floor     {floor:.2f} s ({args.recipients:,} signed POSTs in a row from one process), "
          f"{args.recipients / floor:.0f}/s")
    print(f"  ratio     {fanout / floor:.1f}x the floor")
    emit([{"scenario": f"alert fan-out to {args.recipients:,} recipients", "kind": "fanout", "size": args.recipients,
           "clients": 1, "p50": None, "p95": None, "max": fanout * 1000, "rps": args.recipients / fanout,
           "queries": None, "rss_mb": None},
          {"scenario": "  floor: the same signed POSTs in a row", "kind": "fanout_floor", "size": args.recipients,
           "clients": 1, "p50": None, "p95": None, "max": floor * 1000, "rps": args.recipients / floor,
           "queries": None, "rss_mb": None}])


if __name__ == "__main__":
    main()
