"""What leaves the system, caught on this machine: a web hook receiver and an SMTP catcher on
127.0.0.1, and real Celery workers (each in a process group of its own, so a test can SIGKILL one
whole, pool included) that send to them. Fixtures in tests/delivery/conftest.py and tests/alerts/conftest.py."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent


def wait_until(condition: Callable[[], Any], *, timeout: float, every: float = 0.1, what: str = "") -> Any:
    """Poll `condition` until it returns something true; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what or condition}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HttpReceiver:
    """A threaded HTTP server recording every POST (path, headers, body, time) before answering.

    `status` answers every path (or `status_for[path]` one path); `hang_seconds` (or `hang_for[path]`)
    holds the answer that long after recording the request, until `release()`: a receiver that
    times out, or one holding a worker mid-send so the test can kill it there."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 204
        self.status_for: dict[str, int] = {}
        self.hang_seconds = 0.0
        self.hang_for: dict[str, float] = {}
        self.hanging = 0  # requests being held right now
        self.held: list[str] = []  # paths of every request held
        self._lock = threading.Lock()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "body": body, "at": time.monotonic(),
                                              "headers": {k.lower(): v for k, v in self.headers.items()}})
                    hang = receiver.hang_for.get(self.path, receiver.hang_seconds)
                    status = receiver.status_for.get(self.path, receiver.status)
                if hang:
                    with receiver._lock:
                        receiver.hanging += 1
                        receiver.held.append(self.path)
                    receiver._release.wait(hang)
                    with receiver._lock:
                        receiver.hanging -= 1
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up (timed out, or was killed) while we held the answer

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a sender that went away mid-request is part of what the tests do

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> HttpReceiver:
        self._thread.start()
        return self

    def release(self) -> None:
        """Stop holding answers: every held request is answered now, and none is held after."""
        self.hang_seconds = 0.0
        self.hang_for.clear()
        self._release.set()

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)


class SmtpCatcher:
    """An aiosmtpd server on 127.0.0.1 keeping every message it accepts. Made with a port and started
    later, it is first a mail server that is down."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[dict[str, Any]] = []
        self.delay_seconds = 0.0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        message = message_from_bytes(envelope.content)
        with self._lock:
            self.messages.append({"to": list(envelope.rcpt_tos), "subject": str(message["subject"]),
                                  "message_id": str(message["message-id"]), "message": message})
        return "250 Message accepted for delivery"

    def start(self) -> SmtpCatcher:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages)

    def env(self) -> dict[str, str]:
        """What a worker reads to send its mail here (protect/settings.py)."""
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.port), "EMAIL_USE_TLS": "false", "EMAIL_TIMEOUT": "5"}


# Fast retries for the tests: 1 s, 2 s, then 2 s at most; a web hook is given up after 3 attempts
# and waited on 1 s.
FAST_RETRIES = {"PROTECT_DELIVERY_BACKOFF_SECONDS": "1", "PROTECT_DELIVERY_BACKOFF_MAX_SECONDS": "2",
                "PROTECT_DELIVERY_MAX_ATTEMPTS": "3", "PROTECT_WEBHOOK_TIMEOUT_SECONDS": "1"}


class Workers:
    """Real Celery workers on Redis and the test database, each the leader of its own process group."""

    def __init__(self, database_url: str, queue: str) -> None:
        self.database_url = database_url
        self.queue = queue
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, env: dict[str, str] | None = None, *, concurrency: int = 2) -> subprocess.Popen[bytes]:
        from protect.core.tasks import ping

        full_env = os.environ | {"DATABASE_URL": self.database_url, "PROTECT_TASK_QUEUE": self.queue} | (env or {})
        log = open(ROOT / "var" / f"test-worker-{os.getpid()}-{len(self.running)}.log", "wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "protect", "worker", "--loglevel", "INFO", "--concurrency",
             str(concurrency), "--hostname", f"test-{os.getpid()}-{len(self.running)}@%h", "--without-mingle",
             "--without-gossip"],
            cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        self.running.append(worker)
        deadline = time.monotonic() + 90
        while True:
            try:
                if ping.apply_async(expires=5).get(timeout=5) == "pong":
                    return worker
            except Exception:  # not up yet
                pass
            if worker.poll() is not None or time.monotonic() > deadline:
                self.kill(worker)
                raise RuntimeError("the Celery worker did not start; see var/test-worker-*.log")

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool at once: nothing of it runs another line."""
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.wait(timeout=30)

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                try:
                    os.killpg(worker.pid, signal.SIGQUIT)  # cold shutdown: the test is over
                    worker.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(worker)


# --- fixtures (imported by the conftest of each folder that uses them) --------------------------


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp_catcher() -> Iterator[SmtpCatcher]:
    catcher = SmtpCatcher().start()
    yield catcher
    catcher.stop()


@pytest.fixture
def workers(test_database_url: str) -> Iterator[Workers]:
    """Start real workers with `workers.start(env)`; all are stopped after the test. Tests using it
    commit their data (transactional_db): the workers have connections of their own."""
    from django.conf import settings

    if not os.environ.get("REDIS_URL"):
        pytest.skip("the real-worker tests need REDIS_URL (run them through bin/test)")
    pool = Workers(test_database_url, settings.CELERY_TASK_DEFAULT_QUEUE)
    yield pool
    pool.stop_all()
