"""Every concrete kind of case, found through the app registry: the kernel never imports a kind."""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db import models

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


def _reference_namer(model: type[models.Model]) -> Callable[[list[str]], dict[str, str]]:
    def names(ids: list[str]) -> dict[str, str]:
        pks = [int(i) for i in ids if i.isascii() and i.isdigit()]
        return {str(pk): ref for pk, ref in model._default_manager.filter(pk__in=pks).values_list("pk", "reference")}

    return names


def _people_models() -> list[type[models.Model]]:
    """Every kind of case, and the defenders they are about: the records a reference names."""
    return [*case_models(), apps.get_model("defenders", "Defender")]


def audit_target_namers() -> dict[str, Callable[[list[str]], dict[str, str]]]:
    """For the audit page: a case or a defender is named by its reference, never by its id."""
    return {model._meta.label_lower: _reference_namer(model) for model in _people_models()}


def audit_reference_finder(reference: str) -> list[tuple[str, str]]:
    """The records a typed reference ("g-abc…", any case) names, for the audit page's filter."""
    reference = reference.strip().upper()
    if not reference:
        return []
    return [(model._meta.label_lower, str(pk)) for model in _people_models()
            for pk in model._default_manager.filter(reference=reference).values_list("pk", flat=True)]
