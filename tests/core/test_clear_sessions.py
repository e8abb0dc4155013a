"""Beat removes expired sessions: an old session row still says someone was signed in, and when."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from protect.core.tasks import clear_sessions

pytestmark = pytest.mark.django_db


def test_the_task_removes_expired_sessions_and_keeps_live_ones():
    expired, live = SessionStore(), SessionStore()
    expired["requester"] = {"id": 1}
    live["requester"] = {"id": 2}
    expired.create()
    live.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(minutes=1))

    clear_sessions.apply().get()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_beat_runs_it_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["sessions-clear"]
    assert entry == {"task": "protect.clear_sessions", "schedule": timedelta(hours=1)}
