"""Staff pages of alerts, under /alert-desk/: the desk by state, drafting, one alert (its texts and
translations side by side, the consent, the review, the deliveries, the timeline) and its actions.

Thin: parse a form, call one service or selector, render. The page offers exactly the forms whose
workflow step `available()` allows this person now; each posts to /alert-desk/<reference>/<action>/,
calls one service and redirects (the kernel's CaseViews.act); refused input re-renders the page
with the message and changes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from protect.accounts.permissions import has_any_role, is_coordinator, role_required
from protect.accounts.roles import CASE_HANDLERS, DECIDERS, INTAKE, Role
from protect.audit.phrases import describe
from protect.cases import forms as case_forms
from protect.cases import selectors as case_selectors
from protect.cases.models import Case
from protect.cases.views import CaseViews, NoteForm, UploadForm, case_or_404, record_once
from protect.core.errors import NotFound, ProtectError, form_errors_from
from protect.defenders.selectors import defender_get_visible

from . import forms as alert_forms
from . import selectors
from .errors import AlertError
from .models import Alert
from .services import consent, drafting, translations
from .services import recipients as recipient_services
from .workflow import ALERT_WORKFLOW

ROLES = tuple(sorted(CASE_HANDLERS))  # caseworkers, reviewers, coordinators: finance has no business here
WRITERS = tuple(sorted(INTAKE))
REVIEWERS = tuple(sorted(DECIDERS))
CONFIDENTIAL_FIELDS = ["defender.legal_name"]

# Each form of the page and the workflow step that decides whether the page offers it.
FORM_STEPS = {
    "edit": "edit", "translate": "translate", "review_translation": "review_translation",
    "consent": "record_consent", "revoke_consent": "revoke_consent", "submit_for_review": "submit_for_review",
    "approve": "approve", "return_to_draft": "return_to_draft", "publish": "publish", "update": "update",
    "close": "close", "withdraw": "withdraw", "note": "add_note", "upload": "attach_file",
    "reissue_receipt": "reissue_receipt",
}


def _blank_forms(alert: Alert, scope: Any) -> dict[str, Callable[[], forms.Form]]:
    return {
        "edit": lambda: alert_forms.TextsForm(initial={name: getattr(alert, name) for name in drafting.TEXTS}),
        "translate": alert_forms.TranslationForm,
        "review_translation": alert_forms.ReviewTranslationForm,
        "consent": lambda: alert_forms.ConsentForm(initial={"tiers": scope.tiers if scope else [],
                                                            "languages": [alert.language]}),
        "revoke_consent": case_forms.ConfirmForm,
        "submit_for_review": alert_forms.SubmitForm,
        "approve": case_forms.ConfirmForm,
        "return_to_draft": case_forms.ReasonForm,
        "publish": lambda: alert_forms.PublishForm(initial={"tiers": scope.tiers if scope else []}),
        # A fresh key with every page: the same form posted twice (a double click) sends once.
        "update": lambda: alert_forms.UpdateForm(initial={"idempotency_key": secrets.token_urlsafe(24)}),
        "close": alert_forms.CloseForm,
        "withdraw": case_forms.ReasonForm,
        "note": NoteForm,
        "upload": UploadForm,
        "reissue_receipt": lambda: case_forms.ReissueReceiptForm.for_case(alert),
    }


# --- the desk -----------------------------------------------------------------------------------


@role_required(*ROLES)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    by_state = selectors.alerts_on_desk(request.user)
    return render(request, "alerts/staff/desk.html", {
        "states": [(value, label, by_state[value]) for value, label in Alert.Status.choices],
        "may_draft": has_any_role(request.user, INTAKE), "may_manage_recipients": is_coordinator(request.user),
        "follow_ups": selectors.alerts_due_for_follow_up(request.user)})


def _linked(request: HttpRequest, link: str, reference: str, field: str) -> Any:
    """The case an alert's `link` (its grant or relocation) names, if this user may see it."""
    if not reference.strip():
        return None
    model = cast(type[Case], Alert._meta.get_field(link).related_model)
    try:
        return case_selectors.case_get_for(request.user, model, reference.strip().upper())
    except NotFound:
        raise AlertError(_("No such case among those you may see."), code="no_such_case", field=field) from None


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def alert_new(request: HttpRequest) -> HttpResponse:
    """Draft an alert for a defender this user may see, optionally linked to their grant or relocation."""

    def record(form: alert_forms.DraftForm) -> tuple[Alert, None]:
        data = form.cleaned_data
        try:
            defender = defender_get_visible(user=request.user, reference=data["defender_reference"].strip())
        except NotFound:
            raise AlertError(_("No such defender among those you may see."), code="no_such_defender",
                             field="defender_reference") from None
        alert = drafting.alert_draft(
            by=request.user, defender=defender, language=data["language"], urgency=data["urgency"],
            title=data["title"], summary=data["summary"], facts=data["facts"],
            requested_actions=data["requested_actions"],
            grant=_linked(request, "grant", data["grant_reference"], "grant_reference"),
            relocation=_linked(request, "relocation", data["relocation_reference"], "relocation_reference"))
        return alert, None

    return record_once(request, form_class=alert_forms.DraftForm, template="alerts/staff/new.html",
                       receipt_template="alerts/staff/drafted.html", record=record,
                       already=_("This alert was already drafted as %(reference)s."))


# --- one alert ----------------------------------------------------------------------------------


def _render_alert(request: HttpRequest, alert: Alert, *, status: int = 200,
                  bound: dict[str, forms.Form] | None = None, confidential: bool = False) -> HttpResponse:
    user = request.user
    erased = alert.defender.is_erased
    scope = None if erased else alert.consent_in_force()
    allowed = ALERT_WORKFLOW.available(alert, user, set(FORM_STEPS.values()))
    shown = {name for name, step in FORM_STEPS.items() if step in allowed}
    if erased:
        shown -= {"edit", "translate", "consent"}  # their forms would show the shredded texts
    blank = _blank_forms(alert, scope)
    page_forms = {name: (bound or {}).get(name) or blank[name]() for name in shown}
    for name, form in page_forms.items():
        form.auto_id = f"id_{name}_%s"  # several forms share field names: ids stay unique
    written = [] if erased else list(alert.translations.select_related("written_by", "reviewed_by").order_by(
        "language"))
    columns = []
    for translation in written:
        edit = None
        if "translate" in shown:
            initial = {"language": translation.language} | {name: getattr(translation, name) for name in drafting.TEXTS}
            edit = alert_forms.TranslationForm(initial=initial, auto_id=f"id_tr_{translation.language}_%s")
        columns.append({"translation": translation, "edit": edit,
                        "may_review": "review_translation" in shown and not translation.is_reviewed
                        and translation.written_by_id != user.pk})
    columns = columns or ([] if erased else [{"translation": None}])  # the source alone, beside nothing yet
    context = {
        "alert": alert,
        "case": alert,
        "erased": erased,
        "confidential": confidential and not erased,
        "overdue": case_selectors.is_overdue(alert, timezone.now()),
        "columns": columns,
        "consent": scope,
        "deliveries": selectors.alert_delivery_report(alert),
        "quiet_since": None if erased else selectors.alert_quiet_since(alert),
        "updates": [] if erased else list(alert.updates.select_related("sent_by").order_by("created_at")),
        "notes": [] if erased else list(case_selectors.case_notes(alert)),
        "files": [] if erased else list(case_selectors.case_files_for(user, alert)),
        "timeline": [(event, describe(event)) for event in case_selectors.case_timeline(alert)],
        "show": dict.fromkeys(shown, True),
        "forms": page_forms,
    }
    return render(request, "alerts/staff/alert.html", context, status=status)


_PAGES = CaseViews(Alert, _render_alert, ROLES, CONFIDENTIAL_FIELDS)  # type: ignore[arg-type]
alert_note, alert_upload, alert_file, alert_reveal = _PAGES.note(), _PAGES.upload(), _PAGES.download(), _PAGES.reveal()
alert_reissue_receipt = _PAGES.reissue_receipt()


@role_required(*ROLES)
@require_GET
def alert_page(request: HttpRequest, reference: str) -> HttpResponse:
    return _PAGES.render(request, case_or_404(request, Alert, reference, related=("grant", "relocation")))


# --- actions: one small view per form, one service each -------------------------------------------


def _step(name: str, form_class: Callable[..., forms.Form], done: str, roles: tuple[Role, ...],
          run: Callable[[Alert, Any, dict[str, Any]], Any]) -> Callable[..., HttpResponse]:
    @role_required(*roles)
    @require_POST
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        return _PAGES.act(request, reference, name, form_class(request.POST),
                          lambda alert, data: run(alert, request.user, data), done)

    view.__name__ = view.__qualname__ = f"alert_{name}"
    return view


alert_edit = _step("edit", alert_forms.TextsForm, _("Alert saved."), WRITERS,
                   lambda a, by, d: drafting.alert_edit(alert=a, by=by, **d))
alert_translate = _step("translate", alert_forms.TranslationForm, _("Translation saved: it needs a second person's "
                                                                   "review before it is used."), WRITERS,
                        lambda a, by, d: translations.alert_translation_save(alert=a, by=by, **d))
alert_review_translation = _step(
    "review_translation", alert_forms.ReviewTranslationForm, _("Translation reviewed."), ROLES,
    lambda a, by, d: translations.alert_translation_review_in(alert=a, by=by, language=d["language"]))
alert_consent = _step("consent", alert_forms.ConsentForm, _("Consent recorded."), WRITERS,
                      lambda a, by, d: consent.alert_consent_record(alert=a, by=by, **d))
alert_revoke_consent = _step("revoke_consent", case_forms.ConfirmForm,
                             _("Consent revoked: what had not left yet will not be sent."), WRITERS,
                             lambda a, by, d: consent.alert_consent_revoke_in_force(alert=a, by=by))
alert_submit = _step("submit_for_review", alert_forms.SubmitForm, _("Sent for review."), WRITERS,
                     lambda a, by, d: drafting.alert_submit_for_review(alert=a, by=by, reviewer=d["reviewer"]))
alert_approve = _step("approve", case_forms.ConfirmForm, _("Approved."), REVIEWERS,
                      lambda a, by, d: drafting.alert_approve(alert=a, by=by))
alert_return = _step("return_to_draft", case_forms.ReasonForm, _("Returned to draft."), REVIEWERS,
                     lambda a, by, d: drafting.alert_return_to_draft(alert=a, by=by, reason=d["reason"]))
alert_publish = _step("publish", alert_forms.PublishForm, _("Published: the deliveries are on their way."), WRITERS,
                      lambda a, by, d: drafting.alert_publish(alert=a, by=by, tiers=d["tiers"]))
alert_update = _step("update", alert_forms.UpdateForm, _("Update sent."), WRITERS,
                     lambda a, by, d: drafting.alert_update(alert=a, by=by, news=d["news"],
                                                           idempotency_key=d["idempotency_key"]))
alert_close = _step("close", alert_forms.CloseForm, _("Closed."), WRITERS,
                    lambda a, by, d: drafting.alert_close(alert=a, by=by, outcome=d["outcome"]))
alert_withdraw = _step("withdraw", case_forms.ReasonForm, _("Withdrawn."), WRITERS,
                       lambda a, by, d: drafting.alert_withdraw(alert=a, by=by, reason=d["reason"]))


# --- recipients (coordinators) --------------------------------------------------------------------


@role_required(Role.COORDINATOR)
@require_GET
def recipients(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/staff/recipients.html",
                  {"recipients": list(selectors.recipients_visible_to(request.user))})


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def recipient_new(request: HttpRequest) -> HttpResponse:
    """Add a recipient; a web hook's new secret is shown once, in the answer to the POST."""

    def record(form: alert_forms.RecipientForm) -> tuple[Any, str]:
        data = form.cleaned_data
        return recipient_services.recipient_create(
            by=request.user, name=data["name"], channel=data["channel"], address=data["address"],
            language=data["language"], tier=data["tier"], secret=data["secret"])

    return record_once(request, form_class=alert_forms.RecipientForm, template="alerts/staff/recipient_new.html",
                       receipt_template="alerts/staff/recipient_added.html", record=record,
                       already=_("This recipient was already added (%(reference)s); a new secret is shown "
                                 "only once."))


def _recipient_or_404(request: HttpRequest, recipient_id: int) -> Any:
    try:
        return selectors.recipient_get_for(request.user, recipient_id)
    except NotFound:
        raise Http404(_("No such recipient.")) from None


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def recipient_edit(request: HttpRequest, recipient_id: int) -> HttpResponse:
    recipient = _recipient_or_404(request, recipient_id)
    if request.method == "GET":
        form = alert_forms.RecipientEditForm.for_recipient(recipient)
        return render(request, "alerts/staff/recipient_edit.html", {"recipient": recipient, "form": form})
    form = alert_forms.RecipientEditForm(request.POST)
    return _recipient_act(request, recipient, form, lambda data: recipient_services.recipient_update(
        recipient=recipient, by=request.user, **data), _("Recipient saved."))


@role_required(Role.COORDINATOR)
@require_POST
def recipient_deactivate(request: HttpRequest, recipient_id: int) -> HttpResponse:
    recipient = _recipient_or_404(request, recipient_id)
    return _recipient_act(request, recipient, case_forms.ConfirmForm(request.POST), lambda data: (
        recipient_services.recipient_set_active(recipient=recipient, by=request.user, active=False)),
        _("Recipient deactivated: the next alerts do not go to them."))


@role_required(Role.COORDINATOR)
@require_POST
def recipient_reactivate(request: HttpRequest, recipient_id: int) -> HttpResponse:
    recipient = _recipient_or_404(request, recipient_id)
    return _recipient_act(request, recipient, case_forms.ConfirmForm(request.POST), lambda data: (
        recipient_services.recipient_set_active(recipient=recipient, by=request.user, active=True)),
        _("Recipient reactivated."))


def _recipient_act(request: HttpRequest, recipient: Any, form: forms.Form, run: Callable[[dict[str, Any]], Any],
                   done: str) -> HttpResponse:
    """Validate, run one service, redirect to the list; refused input re-renders the edit page."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ProtectError as exc:
            form_errors_from(form, exc)
            messages.error(request, exc.message)
            return render(request, "alerts/staff/recipient_edit.html", {"recipient": recipient, "form": form},
                          status=exc.status_code)
        messages.success(request, done)
        return redirect("alerts:recipients")
    messages.error(request, _("Nothing was changed: correct what is marked in the form."))
    return render(request, "alerts/staff/recipient_edit.html", {"recipient": recipient, "form": form}, status=400)
