"""The outbox: what a transaction enqueues is relayed once it commits, in one batch, and never twice."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from protect.outbox.models import OutboxMessage
from protect.outbox.services import outbox_enqueue, outbox_relay

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_messages_of_one_transaction_are_relayed_together_when_it_commits():
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            first = outbox_enqueue(task_name="protect.ping", kwargs={})
            second = outbox_enqueue(task_name="protect.ping", kwargs={})
    relays = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(relays) == 1  # one relay for both, not one each
    for message in (first, second):
        message.refresh_from_db()
        assert message.relayed_at is not None and message.attempts == 1
    assert outbox_relay() == 0


def test_a_rolled_back_enqueue_sends_nothing_and_the_next_commit_relays_only_its_own():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(task_name="protect.ping", kwargs={"n": 1})
        raise RuntimeError("roll back")
    with transaction.atomic():
        kept = outbox_enqueue(task_name="protect.ping", kwargs={"n": 2})
    assert list(OutboxMessage.objects.values_list("pk", "attempts")) == [(kept.pk, 1)]
    assert OutboxMessage.objects.get(pk=kept.pk).relayed_at is not None


def test_a_case_to_route_is_served_before_the_follow_ups_queued_ahead_of_it():
    """A worker takes a queue's messages in priority order: routing a new case (priority 0) waits
    for no dashboard refresh or e-mail (priority 6), even ones relayed before it."""
    from protect.celery import app

    queue = f"protect-test-priority-{uuid.uuid4().hex[:8]}"
    default_queue, app.conf.task_default_queue = app.conf.task_default_queue, queue
    try:
        with transaction.atomic():
            outbox_enqueue(task_name="dashboards.refresh_case", kwargs={"kind": "grant", "case_id": 1})
            outbox_enqueue(task_name="protect.delivery.send", kwargs={"delivery_id": 1})
            outbox_enqueue(task_name="cases.route", kwargs={"case_type": "grants.grant", "case_id": 1})
    finally:
        app.conf.task_default_queue = default_queue
    with app.connection_for_read() as connection_, connection_.SimpleQueue(queue) as waiting:
        taken = []
        for _ in range(3):
            message = waiting.get(timeout=5)
            taken.append(message.headers["task"])
            message.ack()
        waiting.queue.delete()
    assert taken == ["cases.route", "dashboards.refresh_case", "protect.delivery.send"]
