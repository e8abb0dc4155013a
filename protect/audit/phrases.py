"""Audit actions in plain words, for timelines. Apps register their phrases in AppConfig.ready()."""

from __future__ import annotations

from typing import Any

_PHRASES: dict[str, str] = {
    "accounts.user.login": "logged in",
    "accounts.user.login_failed": "failed to log in",
    "accounts.user.disabled": "disabled an account",
    "accounts.2fa.enrolled": "set up a second factor",
    "accounts.2fa.reset": "reset a second factor",
    "audit.chain.verified": "verified the audit log",
    "audit.chain.rekeyed": "re-chained the audit log under its key",
    "audit.log.viewed": "read the audit log",
    "admin.object.added": "added a record in the admin",
    "admin.object.changed": "changed a record in the admin",
    "admin.object.deleted": "deleted a record in the admin",
    "admin.action.ran": "ran an admin action",
}


def register_phrases(phrases: dict[str, str]) -> None:
    _PHRASES.update(phrases)


def describe(event: Any) -> str:
    """'Amina approved the grant' style text: who, then what (never the sensitive data)."""
    phrase = _PHRASES.get(event.action)
    if phrase is None:
        if event.action.endswith(".revealed"):
            phrase = "viewed the confidential details"
        else:
            phrase = event.action.rsplit(".", 1)[-1].replace("_", " ")
    who = str(event.actor) if event.actor_id else (event.actor_label or "system")
    return f"{who} {phrase}"
