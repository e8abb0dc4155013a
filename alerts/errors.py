"""The alerts app's one error type: a rule of alerts said no (shown to the person who asked)."""

from protect.cases.errors import CaseError


class AlertError(CaseError):
    """An alert rule said no; the message is shown to the person who asked."""
