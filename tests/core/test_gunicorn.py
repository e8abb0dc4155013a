"""gunicorn as deployed (protect/gunicorn.conf.py): its own error and access logs go through the
JSON logger with no IP address, no query string and control characters escaped, and no response
carries a Server header. A real gunicorn on a free loopback port, spoken to over a raw socket."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

REQUESTS = {
    "page": b"GET /request/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    "control characters in the request line": b"GET /\x1b[2Jhello\x07 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "not HTTP at all": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n",
    "encoded control characters and a receipt in the query": (
        b"GET /cases/%1b[31mred%00/?receipt=SECRET-RECEIPT HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def served(test_database_url, tmp_path_factory) -> tuple[dict[str, bytes], str]:
    """(the response to each of REQUESTS, all that gunicorn wrote to stdout and stderr)."""
    port = _free_port()
    env = os.environ | {"DATABASE_URL": test_database_url, "WEB_CONCURRENCY": "1", "WEB_THREADS": "2",
                        "PROTECT_VAR_DIR": str(tmp_path_factory.mktemp("gunicorn"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "protect.wsgi", "--config", "protect/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    responses: dict[str, bytes] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        for name, raw in REQUESTS.items():
            responses[name] = _exchange(port, raw)
        time.sleep(0.5)  # the access line of the last request
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            stdout, stderr = server.communicate()
    return responses, (stdout + stderr).decode("utf-8", errors="backslashreplace")


def test_gunicorn_sends_no_server_header(served):
    responses, _logs = served
    assert responses["page"].startswith(b"HTTP/1.1 200")
    for name, response in responses.items():
        headers = response.split(b"\r\n\r\n", 1)[0].lower().split(b"\r\n")
        assert not [h for h in headers if h.startswith(b"server:")], (name, headers)


def test_gunicorn_logs_are_json_with_no_ip_no_query_and_control_characters_escaped(served):
    responses, logs = served
    assert responses["control characters in the request line"].startswith(b"HTTP/1.1 400")
    assert responses["encoded control characters and a receipt in the query"].startswith(b"HTTP/1.1 400")
    assert "127.0.0.1" not in logs, logs  # neither the client's address nor the one bound
    assert "SECRET-RECEIPT" not in logs
    assert not [c for c in logs if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F], logs
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]  # every line is JSON
    assert any(line["logger"] == "gunicorn.error" and "Invalid request" in line["msg"] for line in lines), logs
    access = [line["msg"] for line in lines if line["logger"] == "gunicorn.access"]
    assert any(msg.startswith("GET /cases/\\x1b[31mred\\x00/ 400") for msg in access), access
