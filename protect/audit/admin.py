"""The admin and the audit log: the log itself is read-only there (nobody edits or deletes
history, not even a superuser), and every write made through any other ModelAdmin is audited.

Why at the ModelAdmin and not in each app's admin: an admin page that saves without a service
(a password set on the user page, a group edited, a row deleted) would otherwise leave no trace,
and a new ModelAdmin would have to remember. AuditConfig.ready() wraps every registered ModelAdmin
once the admin modules are loaded (`audit_admin_writes`); a test checks that none is left out.
The events hold the model, ids, field names and action names, never a field's value.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from .models import AuditEvent
from .services import log_event

_MAX_IDS = 1000  # an action on more rows records the first ids and the count


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("seq", "occurred_at", "actor", "actor_label", "action", "target_type", "target_id")
    list_filter = ("action",)
    ordering = ("-seq",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _changes(message: Any) -> dict[str, Any]:
    """Field labels and related-row counts from the admin's change message (Django records the
    labels in English), never values nor the names of related objects."""
    if not isinstance(message, list):
        return {}
    fields: list[str] = []
    related = {"added": 0, "changed": 0, "deleted": 0}
    for entry in message:
        for verb, detail in entry.items() if isinstance(entry, dict) else ():
            if not isinstance(detail, dict) or verb not in related:
                continue
            if "name" in detail or "object" in detail:  # an inline row: counted, its str() never kept
                related[verb] += 1
            elif verb == "changed":
                fields.extend(str(name) for name in detail.get("fields", []))
    data: dict[str, Any] = {"fields": sorted(set(fields))}
    if any(related.values()):
        data["related"] = related
    return data


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Mixed in front of every registered ModelAdmin: add, change, delete and actions are audited."""

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        log_event("admin.object.added", actor=request.user, target=obj, data=_changes(message))
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        log_event("admin.object.changed", actor=request.user, target=obj, data=_changes(message))
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before the deletion (with a queryset, or a list of one from the delete page), so
        # the ids still exist; a queryset keeps the rows it read for the second loop.
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            log_event("admin.object.deleted", actor=request.user, target=obj)
        return entries

    def get_action(self, action: Any) -> Any:
        found = super().get_action(action)
        if found is None:
            return None
        func, name, description = found
        if name == "delete_selected":  # each deletion is audited by log_deletions, once confirmed
            return found

        @functools.wraps(func)  # keeps allowed_permissions and the description
        def audited(modeladmin: Any, request: HttpRequest, queryset: Any) -> Any:
            ids = [str(pk) for pk in queryset.values_list("pk", flat=True)[: _MAX_IDS + 1]]
            with transaction.atomic():
                response = func(modeladmin, request, queryset)
                log_event("admin.action.ran", actor=request.user, data={
                    "action": name, "model": queryset.model._meta.label_lower,
                    "ids": ids[:_MAX_IDS], "more": len(ids) > _MAX_IDS,
                })
            return response

        return audited, name, description


def audit_admin_writes(site: admin.AdminSite) -> None:
    """Put AuditedModelAdmin in front of every ModelAdmin registered on `site` (idempotent)."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedModelAdmin):
            continue
        original = type(model_admin)
        audited = type(original.__name__, (AuditedModelAdmin, original), {"__module__": original.__module__})
        site._registry[model] = audited(model, site)
