"""gunicorn's own logs and headers, made to follow the rules of the rest of the site.

gunicorn logs outside Django: its error log says "Invalid request from ip=…" and its access log
prints the path as received, control characters included (a terminal or log viewer obeys them).
GunicornLogger sends both through the JSON formatter and privacy filter of every other log
(protect.core.logging): no IP address, no query string, control characters escaped.

gunicorn also sends `Server: gunicorn` with every response and has no setting to stop it; it tells
a scanner what to try. drop_server_header() removes it. protect/gunicorn.conf.py uses both.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from gunicorn import glogging
from gunicorn.http import wsgi

from .logging import PrivacyFilter, StructuredFormatter, escape_controls


class GunicornLogger(glogging.Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        handler = logging.StreamHandler(sys.stdout)
        handler.addFilter(PrivacyFilter())
        handler.setFormatter(StructuredFormatter())
        handler._gunicorn = True  # type: ignore[attr-defined]  # gunicorn drops it on a config reload
        for log in (self.error_log, self.access_log):
            for old in [h for h in log.handlers if getattr(h, "_gunicorn", False)]:
                log.removeHandler(old)
            log.addHandler(handler)
            log.propagate = False

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = str(resp.status).split(None, 1)[0]
        # The path only: the query string may carry a receipt code or a name, and the client's
        # address is never logged (DESIGN: no IP address is stored).
        method = escape_controls(str(environ.get("REQUEST_METHOD", "-")))
        path = escape_controls(str(environ.get("PATH_INFO", "-")))
        milliseconds = int(request_time.total_seconds() * 1000)
        self.access_log.info("%s %s %s %sms", method, path, status, milliseconds,
                             extra={"status_code": int(status) if status.isdigit() else None})


def drop_server_header() -> None:
    """Remove the Server line from every response gunicorn writes (idempotent)."""
    original = wsgi.Response.default_headers
    if getattr(original, "_drops_server", False):
        return

    def default_headers(self: Any) -> list[str]:
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers._drops_server = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers
