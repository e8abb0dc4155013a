"""The kernel's error: a rule every kind of case shares said no."""

from protect.core.errors import ProtectError


class CaseError(ProtectError):
    """Shown to the person who asked; `field` names the input it concerns, when there is one."""
