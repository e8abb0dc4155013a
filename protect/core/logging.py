"""Structured stdout logging that keeps identifying data out of log files.

Logs end up in places (hosting consoles, log shippers) that a case file never should, so the
filter strips what could identify or locate a person: IP addresses, query strings, request bodies."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_H = r"[0-9a-fA-F]{1,4}"
# Full eight groups, or any compressed form with "::"; plain times like 23:55:38 are left alone.
_IPV6 = re.compile(rf"(?<![\w:])(?:{_H}(?::{_H}){{7}}|(?:{_H}(?::{_H})*)?::(?:{_H}(?::{_H})*)?)(?![\w:])")
# "GET /request/status/?code=…" → "GET /request/status/?…": the query may carry a receipt or a name.
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")
_DROPPED_ATTRS = ("request", "server_time", "args_raw")
# Control characters a terminal or log viewer would obey (ESC sequences, a lone CR, C1 controls);
# newlines and tabs stay, JSON escapes them. A path like /%1b[2J arrives here decoded.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ALL_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """Every control character written as \\xNN (newlines and tabs too unless `keep_newlines`)."""
    pattern = _CONTROLS if keep_newlines else _ALL_CONTROLS
    return pattern.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def scrub(text: str) -> str:
    text = _QUERY.sub(r"\1?[redacted]", text)
    text = _IPV4.sub("[ip]", text)
    text = _IPV6.sub("[ip]", text)
    return escape_controls(text, keep_newlines=True)


class PrivacyFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        for attr in _DROPPED_ATTRS:
            if hasattr(record, attr):
                setattr(record, attr, None)
        return True


class StructuredFormatter(logging.Formatter):
    """One JSON object per line: greppable, and parseable by any log shipper."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
