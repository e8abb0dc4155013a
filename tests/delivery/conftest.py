"""The local web hook receiver, SMTP catcher and real workers (tests/outbound.py)."""

from tests.outbound import http_receiver, smtp_catcher, workers  # noqa: F401
