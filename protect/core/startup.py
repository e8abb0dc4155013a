"""What a long-lived process (a gunicorn worker, a Celery worker process) does once it has started.

Python's garbage collector, in a full collection, walks every object the process holds: in a
Django process, some 170,000 made while starting (modules, models, the URL map) that live as long
as it does. Measured on the relocation board (bench/relocation_matching.py): a full collection
took about 70 ms and came once every six requests, which made the page's p95 nearly twice its p50
(161 against 88 ms); with those objects frozen, a full collection took 4 to 7 ms and the p95 was
93 ms. The objects stay alive either way: frozen, they are only no longer scanned.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def freeze_start_up_objects(*, load_routes: bool = True) -> None:
    """Take every object made so far out of the collector's scans (gc.freeze); first, with
    `load_routes`, load what a web process's first request would (the URL map, so every view
    module). A Celery worker process freezes what it has: it must report ready within seconds of
    its fork, and its tasks rarely need the URL map."""
    if load_routes:
        get_resolver().reverse_dict  # noqa: B018 - builds the URL map: imports every view module now
    gc.freeze()
