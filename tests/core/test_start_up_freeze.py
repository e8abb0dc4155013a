"""A served process takes the objects it made while starting out of the garbage collector's scans
(protect/core/startup.py): each gunicorn worker once its application is loaded, with every route
loaded first, and each Celery worker process once forked. Run in a fresh interpreter each: a frozen
test process would change how every later test's garbage is collected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GUNICORN_WORKER = """
import gc, json, runpy, sys
import django
django.setup()
config = runpy.run_path("protect/gunicorn.conf.py")
before = gc.get_freeze_count()
config["post_worker_init"](None)
print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                  "views_loaded": "grants.views" in sys.modules and "relocation.views" in sys.modules}))
"""

CELERY_WORKER = """
import gc, json
from protect.celery import app
from celery.signals import worker_process_init
app.loader.import_default_modules()
before = gc.get_freeze_count()
worker_process_init.send(sender=None)
print(json.dumps({"before": before, "after": gc.get_freeze_count()}))
"""


def _run(code: str, test_database_url: str) -> dict[str, object]:
    env = os.environ | {"DATABASE_URL": test_database_url, "DJANGO_SETTINGS_MODULE": "protect.settings",
                        "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_gunicorn_worker_loads_every_route_then_freezes_what_it_made_while_starting(test_database_url):
    found = _run(GUNICORN_WORKER, test_database_url)
    assert found["before"] == 0
    assert found["views_loaded"] is True
    assert int(found["after"]) > 50_000  # a Django process's start-up: modules, models, the URL map


def test_a_celery_worker_process_freezes_what_it_made_while_starting(test_database_url):
    found = _run(CELERY_WORKER, test_database_url)
    assert found["before"] == 0
    assert int(found["after"]) > 50_000
