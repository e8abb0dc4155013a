"""Admin for accounts: users, teams and API tokens. Security changes go through the services
(so they are audited), and the whole admin requires a verified second factor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_otp.admin import OTPAdminSite

from protect.core.errors import ProtectError

from . import services
from .forms import TeamAdminForm
from .models import ApiToken, Team, User
from .permissions import is_coordinator

# The admin answers only to verified sessions (django-otp's documented way to make the default
# site OTP-aware), in addition to SecondFactorRequiredMiddleware. Its login page redirects to ours.
admin.site.__class__ = OTPAdminSite

# Second-factor devices (AuthenticatorDevice, RecoveryCodeDevice) are deliberately not registered:
# they change only through enrolment and the audited coordinator reset, never by hand (a device
# added in the admin would be a second factor nobody enrolled).


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(User)
class ProtectUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Protect", {"fields": ("display_name",)}),
    )
    # Disabling must end sessions and revoke tokens: only the "disable" action does that.
    readonly_fields = ("is_active", "last_login", "date_joined")
    actions = ["disable_accounts", "reset_second_factor"]

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.user_admin_saved(user=form.instance, by=_actor(request), created=not change,
                                  fields=list(form.changed_data))

    @admin.action(description="Disable the selected accounts (ends sessions, revokes API tokens)")
    def disable_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._run(request, queryset, lambda user: services.user_disable(
            user=user, by=_actor(request), reason="Disabled from the admin"))

    @admin.action(description="Reset the second factor of the selected accounts (they enrol again)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        codes = self._run(request, queryset, lambda user: services.second_factor_reset(
            user=user, by=_actor(request), reason="Reset from the admin"))
        return self._enrolment_codes_page(request, codes) if codes else None

    def response_add(self, request: HttpRequest, obj: User, post_url_continue: str | None = None) -> HttpResponse:
        """A new account cannot enrol without a code: issue it now and show it this once."""
        try:
            code = services.enrolment_code_issue(user=obj, by=_actor(request))
        except ProtectError as exc:
            self.message_user(request, f"{obj.get_username()}: {exc.message}", level=messages.ERROR)
            return super().response_add(request, obj, post_url_continue)
        return self._enrolment_codes_page(request, [(obj, code)])

    def _enrolment_codes_page(self, request: HttpRequest, codes: list[tuple[User, str]]) -> HttpResponse:
        return render(request, "admin/accounts/enrolment_codes.html",
                      {**self.admin_site.each_context(request), "codes": codes,
                       "hours": settings.ENROLMENT_CODE_HOURS, "title": "Enrolment codes"})

    def _run(self, request: HttpRequest, queryset: QuerySet[User], action: Any) -> list[tuple[User, Any]]:
        if not is_coordinator(request.user):
            self.message_user(request, "Only coordinators may do this.", level=messages.ERROR)
            return []
        results: list[tuple[User, Any]] = []
        for user in queryset:
            try:
                results.append((user, action(user)))
            except ProtectError as exc:
                self.message_user(request, f"{user.get_username()}: {exc.message}", level=messages.ERROR)
        self.message_user(request, f"Done for {len(results)} account(s).")
        return results


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    list_display = ("name", "region", "languages", "coordinator")
    list_filter = ("region",)
    filter_horizontal = ("members",)

    def save_model(self, request: HttpRequest, obj: Team, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.team_update(team=obj, by=_actor(request), name=data["name"], region=data["region"],
                                 languages=data["languages"], coordinator=data["coordinator"])
        else:
            created = services.team_create(name=data["name"], region=data["region"], languages=data["languages"],
                                           coordinator=data["coordinator"], by=_actor(request))
            obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        team = form.instance
        wanted = set(form.cleaned_data["members"])
        current = set(team.members.all())
        for user in sorted(wanted - current, key=lambda u: u.pk):
            services.team_add_member(team=team, user=user, by=_actor(request))
        for user in sorted(current - wanted, key=lambda u: u.pk):
            services.team_remove_member(team=team, user=user, by=_actor(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_coordinator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_coordinator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only list; tokens are issued on the account page (the raw value is shown once there)."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    exclude = ("token_hash",)
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(token=token, by=_actor(request))
        self.message_user(request, "Revoked.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
