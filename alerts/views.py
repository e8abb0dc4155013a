"""Staff pages of alerts, under /alert-desk/: the desk by state, one alert, and its actions
(each posts to /alert-desk/<reference>/<action>/, calls one service, redirects)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from protect.accounts.models import User
from protect.accounts.permissions import role_required
from protect.accounts.roles import CASE_HANDLERS, DECIDERS, INTAKE, Role
from protect.cases.forms import ReissueReceiptForm
from protect.cases.views import CaseViews, case_or_404

from . import selectors
from .models import Alert, Tier
from .services import drafting
from .workflow import ALERT_WORKFLOW

ROLES = tuple(sorted(CASE_HANDLERS))  # caseworkers, reviewers, coordinators: finance has no business here
WRITERS = tuple(sorted(INTAKE))
REVIEWERS = tuple(sorted(DECIDERS))
STEPS = ("submit_for_review", "approve", "return_to_draft", "publish", "update", "close", "withdraw",
         "reissue_receipt")


class SubmitForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=gettext_lazy("Reviewer"), queryset=User.objects.filter(
        is_active=True, groups__name__in=sorted(DECIDERS)).distinct().order_by("username"))


class EmptyForm(forms.Form):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    tiers = forms.MultipleChoiceField(label=gettext_lazy("Send to"), choices=Tier.choices,
                                      widget=forms.CheckboxSelectMultiple)


class UpdateForm(forms.Form):
    news = forms.CharField(label=gettext_lazy("What is new"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Alert.Outcome.choices)


def render_alert(request: HttpRequest, alert: Any, *, status: int = 200, bound: dict[str, forms.Form] | None = None,
                 confidential: bool = False) -> HttpResponse:
    bound = bound or {}
    scope = alert.consent_in_force()
    return render(request, "alerts/staff/alert.html", {
        "alert": alert,
        "translations": list(alert.translations.order_by("language")),
        "consent": scope,
        "deliveries": list(selectors.alert_deliveries(alert)[:500]),
        "can": ALERT_WORKFLOW.available(alert, request.user, STEPS),
        "forms": {
            "submit_for_review": bound.get("submit_for_review") or SubmitForm(),
            "return_to_draft": bound.get("return_to_draft") or ReasonForm(),
            "publish": bound.get("publish") or PublishForm(initial={"tiers": scope.tiers if scope else []}),
            "update": bound.get("update") or UpdateForm(initial={"idempotency_key": secrets.token_urlsafe(24)}),
            "close": bound.get("close") or CloseForm(),
            "withdraw": bound.get("withdraw") or ReasonForm(),
            "reissue_receipt": bound.get("reissue_receipt") or ReissueReceiptForm.for_case(alert),
        },
    }, status=status)


_PAGES = CaseViews(Alert, render_alert, ROLES, ["facts"])  # type: ignore[arg-type]
alert_note, alert_upload, alert_file, alert_reveal = _PAGES.note(), _PAGES.upload(), _PAGES.download(), _PAGES.reveal()
alert_reissue_receipt = _PAGES.reissue_receipt()


@role_required(*ROLES)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    by_state = selectors.alerts_on_desk(request.user)
    return render(request, "alerts/staff/desk.html", {
        "states": [(label, by_state[value]) for value, label in Alert.Status.choices]})


@role_required(*ROLES)
@require_GET
def alert_page(request: HttpRequest, reference: str) -> HttpResponse:
    return _PAGES.render(request, case_or_404(request, Alert, reference))


def _step(name: str, form_class: type[forms.Form], done: str, roles: tuple[Role, ...], run: Any) -> Any:
    @role_required(*roles)
    @require_POST
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        return _PAGES.act(request, reference, name, form_class(request.POST),
                          lambda alert, data: run(alert=alert, by=request.user, **data), done)

    view.__name__ = view.__qualname__ = f"alert_{name}"
    return view


alert_submit = _step("submit_for_review", SubmitForm, _("Sent for review."), WRITERS, drafting.alert_submit_for_review)
alert_approve = _step("approve", EmptyForm, _("Approved."), REVIEWERS, drafting.alert_approve)
alert_return = _step("return_to_draft", ReasonForm, _("Returned to draft."), REVIEWERS, drafting.alert_return_to_draft)
alert_publish = _step("publish", PublishForm, _("Published: the deliveries are on their way."), WRITERS,
                      drafting.alert_publish)
alert_update = _step("update", UpdateForm, _("Update sent."), WRITERS, drafting.alert_update)
alert_close = _step("close", CloseForm, _("Closed."), WRITERS, drafting.alert_close)
alert_withdraw = _step("withdraw", ReasonForm, _("Withdrawn."), WRITERS, drafting.alert_withdraw)
