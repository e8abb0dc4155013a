"""Every concrete kind of case, found through the app registry: the kernel never imports a kind."""

from __future__ import annotations

from django.apps import apps

from .models import Case


def case_models() -> list[type[Case]]:
    return [model for model in apps.get_models() if issubclass(model, Case)]


def case_model(label: str) -> type[Case]:
    """The kind named by its model label ("grants.grant"); LookupError for anything else."""
    model = apps.get_model(label)
    if not issubclass(model, Case):
        raise LookupError(f"{label} is not a kind of case")
    return model


def audit_phrases() -> dict[str, str]:
    """How a timeline says what the kernel did on any kind: "<who> <phrase>"."""
    phrases: dict[str, str] = {}
    for model in case_models():
        app, kind = model._meta.app_label, model._meta.model_name
        phrases |= {
            f"{app}.{kind}.submitted": "registered the request",
            f"{app}.{kind}.route": "routed the case to a team and caseworker",
            f"{app}.{kind}.escalated_near": "escalated the case: its deadline is near",
            f"{app}.{kind}.escalated_overdue": "escalated the case: its deadline has passed",
            f"{app}.{kind}.revealed": "viewed the confidential details",
            f"{app}.{kind}.reassigned": "reassigned the case to another caseworker",
            f"{app}.{kind}.access_revoked": "ended personal access to the closed case",
            f"{app}.{kind}.receipt_reissued": "issued the requester a new receipt (the old one stopped working)",
            f"{app}.message.sent": "sent the requester a question",
            f"{app}.message.received": "answered the question",
            f"{app}.note.added": "added a note",
            f"{app}.file.attached": "attached a file",
            f"{app}.file.downloaded": "downloaded a file",
        }
    return phrases | {  # the requester's status page (services/requester.py), for every kind
        "cases.requester.logged_in": "opened the status page",
        "cases.requester.login_failed": "failed to open the status page",
        "cases.requester.locked": "paused the status page after repeated wrong passphrases",
    }
