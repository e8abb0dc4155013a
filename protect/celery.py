"""The Celery application: tasks auto-discovered, late acknowledgement, bounded retries by default."""

from __future__ import annotations

import os

from celery import Celery, Task
from celery.signals import worker_process_init

from protect.core.startup import freeze_start_up_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protect.settings")


class ProtectTask(Task):  # type: ignore[type-arg]
    """Default for every task: a transient failure (database or broker gone) is retried with
    exponential back-off and jitter, a bounded number of times; anything else fails loudly."""

    autoretry_for: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OSError)
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 6
    acks_late = True
    reject_on_worker_lost = True


app = Celery("protect", task_cls=ProtectTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _add_database_errors_to_retry() -> None:
    # Imported lazily: Django must be configured before its db module is touched.
    from django.db import InterfaceError, OperationalError

    ProtectTask.autoretry_for = (*ProtectTask.autoretry_for, OperationalError, InterfaceError)


app.on_after_configure.connect(lambda sender, **kwargs: _add_database_errors_to_retry(), weak=False)


@worker_process_init.connect(weak=False)
def _freeze_start_up_objects(**_kwargs: object) -> None:
    """Each worker process, once forked: the objects made while starting are no longer scanned by
    the garbage collector (protect/core/startup.py)."""
    freeze_start_up_objects(load_routes=False)
