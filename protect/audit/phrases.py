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
    "accounts.user.time_zone_changed": "changed the time zone of an account",
    "accounts.password.changed": "changed a password",
    "cases.search.ran": "searched for cases and defenders",
}


def register_phrases(phrases: dict[str, str]) -> None:
    _PHRASES.update(phrases)


def known_actions() -> list[str]:
    return sorted(_PHRASES)


def phrase_of(action: str) -> str:
    """What an action did, in plain words ("approved the grant"); a code nobody registered says
    its last word ("grants.grant.approve" → "approve")."""
    phrase = _PHRASES.get(action)
    if phrase is None:
        if action.endswith(".revealed"):
            phrase = "viewed the confidential details"
        else:
            phrase = action.rsplit(".", 1)[-1].replace("_", " ")
    return phrase


def describe(event: Any) -> str:
    """'Amina approved the grant' style text: who, then what (never the sensitive data)."""
    phrase = phrase_of(event.action)
    who = str(event.actor) if event.actor_id else (event.actor_label or "system")
    return f"{who} {phrase}"
