"""Logs never carry an IP address, a query string or a request body."""

import json
import logging

from protect.core.logging import PrivacyFilter, StructuredFormatter


def _emit(msg, *args, **extra):
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    PrivacyFilter().filter(record)
    return json.loads(StructuredFormatter().format(record))


def test_ip_addresses_are_replaced():
    line = _emit("login failed from %s and %s", "203.0.113.7", "2001:db8:85a3::8a2e:370:7334")
    assert "203.0.113.7" not in line["msg"] and "2001:db8" not in line["msg"]
    assert line["msg"].count("[ip]") == 2


def test_query_strings_are_redacted_but_the_path_kept():
    line = _emit('"GET /request/status/?receipt=ABCD&passphrase=horse HTTP/1.1" 200')
    assert "ABCD" not in line["msg"] and "horse" not in line["msg"]
    assert "/request/status/?[redacted]" in line["msg"]


def test_the_request_object_is_dropped_from_the_record():
    class FakeRequest:
        body = b"name=Secret+Person"

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Bad request", None, None)
    record.request = FakeRequest()
    PrivacyFilter().filter(record)
    assert record.request is None
