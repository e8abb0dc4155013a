"""The error of the defenders app: a rule about defenders said no."""

from __future__ import annotations

from protect.core.errors import ProtectError


class DefenderError(ProtectError):
    """A write to a defender that the rules refuse (already erased, merged into itself, …)."""
