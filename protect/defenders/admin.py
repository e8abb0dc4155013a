"""Admin: coordinators may look defenders up by their non-sensitive facts; nothing is edited here.

No encrypted field appears, so opening the admin never decrypts (or reveals) anything; changes go
through the services, which check, validate and audit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from protect.accounts.permissions import is_coordinator

from .models import Defender
from .selectors import defenders_visible_to


@admin.register(Defender)
class DefenderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pseudonym", "reference", "kind", "country", "region", "created_at", "erased_at")
    list_filter = ("region", "kind")
    search_fields = ("=reference",)
    fields = ("reference", "pseudonym", "kind", "country", "region", "languages", "created_at", "merged_into",
              "merged_at", "erased_at", "erasure_reason")
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Defender]:
        return defenders_visible_to(request.user, include_erased=True, include_merged=True)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_coordinator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_coordinator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
