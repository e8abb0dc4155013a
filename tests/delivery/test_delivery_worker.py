"""Failures, through a real worker: a web hook receiver that answers 500 or never answers is retried
with exponential back-off, then failed with the reason, without holding up anyone else; while our
mail server is unreachable, e-mail waits (past the attempts a web hook gets) and all of it leaves
once the server is back."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from protect.delivery.models import Delivery
from protect.delivery.services import delivery_email, delivery_webhook, webhook_endpoint_create
from tests.outbound import FAST_RETRIES, SmtpCatcher, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def all_settled(keys: list[str]) -> bool:
    rows = Delivery.objects.filter(key__in=keys)
    return rows.count() == len(keys) and not rows.filter(sent_at=None, failed_at=None, cancelled_at=None).exists()


def test_a_receiver_answering_500_or_timing_out_is_retried_with_back_off_then_failed_and_no_one_else_waits(
    workers, http_receiver, smtp_catcher
):
    http_receiver.status_for["/bad"] = 500
    http_receiver.hang_for["/slow"] = 5  # the worker waits 1 s (FAST_RETRIES)
    workers.start(smtp_catcher.env() | FAST_RETRIES)
    keys = ["tests.hook:bad", "tests.hook:slow", "tests.hook:good", "tests.mail:1", "tests.mail:2"]
    with transaction.atomic():
        for name in ("bad", "slow", "good"):
            endpoint, _secret = webhook_endpoint_create(url=f"{http_receiver.url}/{name}")
            delivery_webhook(key=f"tests.hook:{name}", endpoint=endpoint, event="tests.ping", payload={"n": name})
        for n in (1, 2):
            delivery_email(key=f"tests.mail:{n}", to=f"desk{n}@example.org", subject="Ping", body="A-TEST")
    wait_until(lambda: all_settled(keys), timeout=90, every=0.3, what="every delivery settled")

    rows = {d.key: d for d in Delivery.objects.filter(key__in=keys)}
    assert (rows["tests.hook:bad"].status, rows["tests.hook:bad"].attempts) == ("failed", 3)
    assert rows["tests.hook:bad"].last_error == "HTTP 500"
    assert (rows["tests.hook:slow"].status, rows["tests.hook:slow"].attempts) == ("failed", 3)
    assert rows["tests.hook:slow"].last_error == "no answer within 1 s"
    assert all(rows[k].next_attempt_at is None and rows[k].sending_at is None for k in keys)
    # The others left at their first attempt, each once.
    assert [(rows[k].status, rows[k].attempts) for k in keys[2:]] == [("sent", 1)] * 3
    received = http_receiver.snapshot()
    assert Counter(r["path"] for r in received) == {"/bad": 3, "/slow": 3, "/good": 1}
    assert sorted(m["to"][0] for m in smtp_catcher.snapshot()) == ["desk1@example.org", "desk2@example.org"]
    # Every attempt carries the same webhook-id (a receiver can drop a repeat), spaced 1 s then 2 s
    # (+ up to a quarter of jitter): exponential back-off.
    bad = [r for r in received if r["path"] == "/bad"]
    assert len({r["headers"]["webhook-id"] for r in bad}) == 1
    first_gap, second_gap = bad[1]["at"] - bad[0]["at"], bad[2]["at"] - bad[1]["at"]
    assert 1.0 <= first_gap < 2.0 <= second_gap


def test_while_the_mail_server_is_unreachable_e_mail_waits_and_all_of_it_leaves_once_it_is_back(workers):
    catcher = SmtpCatcher()  # its port, with nothing listening yet
    workers.start(catcher.env() | FAST_RETRIES)
    keys = [f"tests.mail:{n}" for n in range(5)]
    with transaction.atomic():
        for n in range(5):
            delivery_email(key=f"tests.mail:{n}", to=f"desk{n}@example.org", subject="Ping", body="A-TEST")

    def waited_past_the_attempt_limit() -> bool:
        rows = Delivery.objects.filter(key__in=keys)
        return all(d.attempts > 3 and d.status == "pending" and d.next_attempt_at is not None for d in rows)

    wait_until(waited_past_the_attempt_limit, timeout=90, every=0.3, what="more than 3 attempts each, pending")
    assert set(Delivery.objects.filter(key__in=keys).values_list("last_error", flat=True)) == {
        "mail server unavailable (ConnectionRefusedError)"}
    catcher.start()
    try:
        wait_until(lambda: all_settled(keys), timeout=60, every=0.3, what="every e-mail sent")
        assert Counter(d.status for d in Delivery.objects.filter(key__in=keys)) == {"sent": 5}
        assert sorted(m["to"][0] for m in catcher.snapshot()) == [f"desk{n}@example.org" for n in range(5)]
    finally:
        catcher.stop()
