"""gunicorn settings shared by bin/demo, bin/serve and docker-compose.yml."""

import os

from protect.core.serving import drop_server_header
from protect.core.startup import freeze_start_up_objects

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60
graceful_timeout = 20
# gunicorn's error and access logs go through the site's JSON logger and privacy filter: no remote
# address, no query string, control characters escaped (DESIGN: no IP address is stored).
logger_class = "protect.core.serving.GunicornLogger"
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No `Server: gunicorn` header: it only tells a scanner what to try.
drop_server_header()


def post_worker_init(worker: object) -> None:
    """Each worker, its application loaded: the objects made while starting are no longer scanned
    by the garbage collector (protect/core/startup.py)."""
    freeze_start_up_objects()
