"""Accounts forms: login, codes, reasons, tokens and teams."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import TEAM_LANGUAGES, ApiScope, Region, Team, User

# One message for an unknown name, a wrong password, a disabled account and a paused (locked)
# login, so the page never confirms that an account exists; it still tells a locked-out
# colleague what to do.
LOGIN_FAILED = _(
    "The user name or password is not right, or logging in is paused after too many attempts. "
    "Check them and try again in a few minutes, or ask a coordinator."
)


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": LOGIN_FAILED, "inactive": LOGIN_FAILED}


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code (from your coordinator)"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false",
                                      "autofocus": True}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name (what the token is for)"), max_length=100)
    scopes = forms.MultipleChoiceField(label=_("What the token may do"), choices=ApiScope.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       initial=[ApiScope.REFERRALS_WRITE, ApiScope.REFERRALS_READ])
    expires_in_days = forms.IntegerField(label=_("Expires after (days, empty for never)"), min_value=1,
                                         max_value=3650, required=False, initial=365)

    def expires_at(self) -> Any:
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + timedelta(days=days) if days else None


class PartnerOrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation's name"), max_length=150)


class TeamAdminForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(choices=sorted(TEAM_LANGUAGES.items()), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    region = forms.ChoiceField(choices=Region.choices)

    class Meta:
        model = Team
        fields = ["name", "region", "languages", "coordinator", "members"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = User.objects.filter(is_active=True).order_by("username")
        self.fields["members"].queryset = active  # type: ignore[attr-defined]
        self.fields["coordinator"].queryset = active  # type: ignore[attr-defined]
