"""Reading settings from the environment: helpers that refuse a bad value, naming the variable.

settings.py is their only caller, so a typo in a deployment stops every process at start rather
than silently weakening it. Any secret may be given as NAME_FILE (a path) instead of NAME, for
Docker/Kubernetes secrets. This module imports nothing from the project: settings.py loads it
before Django is configured.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    """A string from NAME, or from the file NAME_FILE points at; `default` when neither is set."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set (or {name}_FILE).")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {sorted(choices)}.")
    return value


def env_url(name: str, default: str, schemes: set[str]) -> str:
    value = env_str(name, default)
    scheme = urlparse(value).scheme
    if scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must use one of the schemes {sorted(schemes)}, not {scheme!r}.")
    return value


def env_mapping(name: str, default: str) -> dict[str, str]:
    raw = os.environ.get(name) or default
    pairs: dict[str, str] = {}
    for item in raw.split(","):
        key, sep, value = item.partition(":")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name} must look like 'key:value,key:value', not {raw!r}.")
        pairs[key.strip()] = value.strip()
    return pairs


def env_sla_hours(name: str, default: str) -> dict[str, int]:
    """Whole hours to answer by urgency ('critical:24,high:72,normal:240'): every urgency given, once."""
    try:
        hours = {key: int(value) for key, value in env_mapping(name, default).items()}
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} values must be whole hours.") from exc
    if set(hours) != {"critical", "high", "normal"} or min(hours.values()) < 1:
        raise ImproperlyConfigured(f"{name} must give critical, high and normal, each at least one hour.")
    return hours
