"""The outbox: what a transaction enqueues is relayed once it commits, in one batch, and never twice."""

from __future__ import annotations

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
