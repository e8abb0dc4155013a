"""The relocation app's error: a rule of relocation said no (shown to the person who asked)."""

from protect.core.errors import ProtectError


class RelocationError(ProtectError):
    """`field` names the input it concerns, when there is one."""
