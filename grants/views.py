"""Staff pages for grants: the queue, the inboxes, hotline intake, the case page and its actions.

Thin: parse a form, call one service or selector, render. Every page is behind login, the second
factor and a role (role_required); a case the user may not see answers 404, never 403, so a
reference is never confirmed. Each action posts to its own URL, calls one service and redirects on
success (POST/redirect/GET); refused input re-renders the case page with the service's message and
the HTTP status of the error, and changes nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from protect.accounts.permissions import has_any_role, has_role, role_required
from protect.accounts.roles import Role
from protect.audit.phrases import describe
from protect.audit.selectors import audit_events_for
from protect.cases import selectors as case_selectors
from protect.cases.access import can_see_narrative
from protect.cases.services.casefile import case_ask_requester
from protect.cases.views import CaseFileViews, NoteForm, UploadForm, act
from protect.core.errors import NotFound, ProtectError, form_errors_from
from protect.defenders.models import Region
from protect.defenders.selectors import defender_get_visible

from . import forms as grant_forms
from . import selectors, services
from .models import Grant, NeedKind, RiskKind
from .money import approvals_needed, to_eur_minor
from .workflow import GRANT_WORKFLOW, awaiting_cosigner

S = Grant.Status
CASE_ROLES = (Role.CASEWORKER, Role.REVIEWER, Role.FINANCE, Role.COORDINATOR)
# Actions whose role is known before the case is even looked up: the role is checked first, so a
# refusal never depends on what was typed or on whether the case exists.
DECIDING_ROLES = (Role.REVIEWER, Role.COORDINATOR)
INTAKE_ROLES = (Role.CASEWORKER, Role.COORDINATOR)
CONFIDENTIAL_FIELDS = ["incident", "threat", "need_details", "other_funding", "endorsers",
                       "defender.legal_name", "defender.contacts"]
NEED_LABELS = dict(NeedKind.choices)
RISK_LABELS = dict(RiskKind.choices)
REGION_LABELS = dict(Region.choices)


def money(minor: int | None, currency: str) -> str:
    if minor is None:
        return "—"
    return f"{currency} {Decimal(minor) / grant_forms.MINOR_PER_MAJOR:,.2f}"


def _grant_or_404(request: HttpRequest, reference: str) -> Grant:
    try:
        return selectors.grant_get_for(request.user, reference)
    except NotFound:
        raise Http404(_("No such case.")) from None


# --- navigation (a context processor: base.html shows each role the pages it uses) -------------


# --- lists --------------------------------------------------------------------------------------


def _queue_scopes(user: Any) -> list[tuple[str, str]]:
    """The queue's tabs for this user; the first is the default."""
    scopes: list[tuple[str, str]] = []
    if has_role(user, Role.COORDINATOR):
        scopes.append(("all", _("All cases")))
    if has_any_role(user, (Role.CASEWORKER, Role.REVIEWER, Role.COORDINATOR)):
        scopes.append(("mine", _("My cases")))
    if has_any_role(user, (Role.CASEWORKER, Role.COORDINATOR)):
        scopes.append(("team", _("My team's cases")))
    if not scopes:  # finance: everything it may see (grants from approval on)
        scopes.append(("all", _("Approved grants")))
    return scopes


def _row(grant: Grant, now: Any) -> dict[str, Any]:
    return {
        "grant": grant,
        "needs": [NEED_LABELS.get(code, code) for code in grant.needs],
        "overdue": case_selectors.is_overdue(grant, now),
    }


@role_required(*CASE_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    scopes = _queue_scopes(request.user)
    scope = request.GET.get("scope", "")
    if scope not in {key for key, _label in scopes}:
        scope = scopes[0][0]
    form = grant_forms.QueueFilterForm(request.GET)
    form.is_valid()  # a value that does not validate is dropped (and marked); the others still filter
    data = form.cleaned_data
    filters = case_selectors.QueueFilters(scope=scope, status=data.get("status", ""),
                                          urgency=data.get("urgency", ""), country=data.get("country", ""))
    page = selectors.grant_queue(request.user, filters, need=data.get("need", ""), cursor=data.get("cursor", ""))
    return render(request, "grants/staff/queue.html", {
        "form": form, "scopes": scopes, "scope": scope, "rows": [_row(g, page.now) for g in page.rows],
        "next_cursor": page.next_cursor, "paged": bool(data.get("cursor")),
    })


@role_required(Role.REVIEWER, Role.COORDINATOR)
@require_GET
def review_inbox(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [_row(grant, now) for grant in selectors.grants_to_review(request.user)]
    return render(request, "grants/staff/review_inbox.html", {"rows": rows})


@role_required(Role.FINANCE, Role.COORDINATOR)
@require_GET
def payments_inbox(request: HttpRequest) -> HttpResponse:
    rows = []
    for grant in selectors.grants_to_pay(request.user):
        paid = sum(d.amount_minor for d in grant.disbursements.all())  # prefetched by the selector
        rows.append({"grant": grant, "approved": money(grant.approved_amount_minor, grant.currency),
                     "paid": money(paid, grant.currency),
                     "left": money((grant.approved_amount_minor or 0) - paid, grant.currency)})
    return render(request, "grants/staff/payments_inbox.html", {"rows": rows})


# --- hotline intake -----------------------------------------------------------------------------

INTAKE_TOKEN_SECONDS = 6 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _intake_key(user: Any, token: str) -> str:
    return f"grants:hotline-intake:{user.pk}:{token}"


@role_required(*INTAKE_ROLES)
@require_http_methods(["GET", "POST"])
def hotline_new(request: HttpRequest) -> HttpResponse:
    """Record a request taken by phone or secure messenger. The receipt code and passphrase are
    shown once, in the answer to the POST, and stored nowhere (only a hash of the passphrase is
    kept); a one-time form token makes a reload or double click record the request once."""
    if request.method == "GET":
        form = grant_forms.HotlineForm(initial={"intake_token": secrets.token_urlsafe(24)})
        return render(request, "grants/staff/hotline_new.html", {"form": form})

    form = grant_forms.HotlineForm(request.POST, request.FILES)
    token = request.POST.get("intake_token", "")
    if not _TOKEN.match(token):
        data = request.POST.copy()
        data["intake_token"] = secrets.token_urlsafe(24)
        form = grant_forms.HotlineForm(data)
        messages.error(request, _("The form expired: check it and send it again."))
        return render(request, "grants/staff/hotline_new.html", {"form": form}, status=400)
    key = _intake_key(request.user, token)
    if not cache.add(key, "", INTAKE_TOKEN_SECONDS):
        done = cache.get(key)
        if done:
            messages.info(request, _("This request was already recorded as %(reference)s. The receipt code and "
                                     "passphrase were shown once, when it was recorded.") % {"reference": done})
            return redirect("grants:case", done)
        messages.error(request, _("This request is being recorded already: look for it in your queue."))
        return render(request, "grants/staff/hotline_new.html", {"form": form}, status=409)

    def refuse(status: int = 400) -> HttpResponse:
        cache.delete(key)  # nothing was recorded: the same form may be sent again
        messages.error(request, _("Nothing was recorded: correct what is marked below."))
        return render(request, "grants/staff/hotline_new.html", {"form": form}, status=status)

    try:
        if not form.is_valid():
            return refuse()
        defender = None
        reference = form.cleaned_data["defender_reference"]
        if reference:
            try:
                defender = defender_get_visible(user=request.user, reference=reference)
            except NotFound:
                form.add_error("defender_reference", _("No defender with this reference that you may see."))
                return refuse()
        try:
            grant, requester = services.grant_record_hotline(
                by=request.user, defender=defender, defender_data=None if defender else form.defender_data(),
                details=form.request_details(), attachments=form.cleaned_data["attachments"],
            )
        except ProtectError as exc:
            form_errors_from(form, exc)
            return refuse(exc.status_code)
    except BaseException:
        cache.delete(key)  # an unexpected failure recorded nothing either: let the form be sent again
        raise
    cache.set(key, grant.reference, INTAKE_TOKEN_SECONDS)
    return render(request, "grants/staff/hotline_receipt.html", {"grant": grant, "requester": requester})


# --- the case page ------------------------------------------------------------------------------


# Each form of the case page and the workflow step that decides whether the page offers it.
FORM_STEPS = {
    "eligibility": "update_eligibility", "question": "ask_requester", "submit_for_review": "submit_for_review",
    "review": "record_review", "approve": "record_approval", "reject": "reject", "refer": "refer",
    "withdraw": "withdraw", "return_to_triage": "return_to_triage", "info_received": "info_received",
    "close": "close", "payment": "record_payment", "report": "receive_report", "waive": "waive_report",
    "note": "add_note", "upload": "attach_file",
}


def _case_forms(
    request: HttpRequest, grant: Grant, bound: dict[str, forms.Form], shown: set[str], readable: bool,
) -> dict[str, forms.Form]:
    """The forms the case page shows, the bound one (re-rendered with its errors) in its place. Only
    those shown are built: a form's initial values may decrypt, or query, what others must not."""
    user = request.user
    approvals = list(grant.approvals.all())
    first_approval_amount = approvals[0].amount_minor if approvals else None  # a co-signer agrees on the same
    built: dict[str, Callable[[], forms.Form]] = {
        "eligibility": lambda: grant_forms.EligibilityForm.for_grant(grant),
        "question": grant_forms.QuestionForm,
        "submit_for_review": lambda: grant_forms.SubmitForReviewForm(
            reviewers=selectors.reviewers_for_case(by=user)),
        "review": lambda: grant_forms.ReviewForm(initial={  # a recorded review can be changed until the decision
            "recommendation": grant.recommendation, "verification": grant.verification,
            "note": grant.review_note if grant.recommendation and readable else "",
            "proposed_amount": grant_forms.to_major(grant.proposed_amount_minor or grant.amount_requested_minor)}),
        "approve": lambda: grant_forms.ApproveForm(
            second_approvers=selectors.second_approvers_for_case(grant=grant, by=user),
            initial={"amount": grant_forms.to_major(
                first_approval_amount or grant.proposed_amount_minor or grant.amount_requested_minor)}),
        "reject": grant_forms.ReasonForm,
        "refer": grant_forms.ReferForm,
        "withdraw": grant_forms.ReasonForm,
        "return_to_triage": grant_forms.ReasonForm,
        "info_received": grant_forms.ConfirmForm,
        "close": grant_forms.ConfirmForm,
        "payment": grant_forms.DisbursementForm,
        "report": grant_forms.ReportForm,
        "waive": grant_forms.ReasonForm,
        "note": NoteForm,
        "upload": UploadForm,
    }
    page_forms = {name: bound.get(name) or make() for name, make in built.items() if name in shown}
    for name, form in page_forms.items():
        form.auto_id = f"id_{name}_%s"  # several forms share field names (reason): ids stay unique
    return page_forms


def _duplicates(grant: Grant) -> list[dict[str, Any]]:
    """Other live defenders with the same name and country, phone or e-mail (blind indexes only)."""
    from protect.defenders.services import defender_find_duplicates

    defender = grant.defender
    contacts = defender.contacts if isinstance(defender.contacts, dict) else {}
    matches = defender_find_duplicates(
        name=defender.legal_name, country=defender.country, phone=str(contacts.get("phone") or ""),
        email=str(contacts.get("email") or ""), exclude=defender,
    ).select_related(None).only("reference", "pseudonym", "name_country_index", "phone_index", "email_index")
    found = []
    for match in matches:
        why = [label for column, label in (
            ("name_country_index", _("same name and country")), ("phone_index", _("same phone")),
            ("email_index", _("same e-mail")),
        ) if getattr(defender, column) and getattr(match, column) == getattr(defender, column)]
        found.append({"reference": match.reference, "pseudonym": match.pseudonym, "why": why})
    return found


def _render_case(
    request: HttpRequest, grant: Grant, *, status: int = 200, bound: dict[str, forms.Form] | None = None,
    confidential: bool = False,
) -> HttpResponse:
    user = request.user
    erased = grant.defender.is_erased
    readable = can_see_narrative(user) and not erased
    allowed = GRANT_WORKFLOW.available(grant, user, set(FORM_STEPS.values()))
    shown = {name for name, step in FORM_STEPS.items() if step in allowed}
    approvals = list(grant.approvals.all())  # prefetched with the case
    disbursements = list(selectors.grant_disbursements(grant)) if grant.approved_amount_minor else []
    paid = sum(d.amount_minor for d in disbursements)
    # Approvals so far are for one amount (the service insists); it decides how many are needed.
    needed = approvals_needed(to_eur_minor(approvals[0].amount_minor, grant.eur_rate)) if approvals else None
    cosigner_pending = awaiting_cosigner(grant)
    threshold_minor = settings.PROTECT_GRANT_SECOND_APPROVAL_EUR * 100
    largest_eur = max(grant.amount_requested_eur_minor, to_eur_minor(grant.proposed_amount_minor or 0, grant.eur_rate))
    # A co-signer is named by the first approver, when the amount may need one.
    show_second_approver = (not approvals and largest_eur > threshold_minor) or cosigner_pending
    all_forms = _case_forms(request, grant, bound or {}, shown, readable)
    if "approve" in all_forms and not show_second_approver:
        del all_forms["approve"].fields["second_approver"]
    context = {
        "grant": grant,
        "erased": erased,
        "narrative": readable,
        "confidential": confidential and readable,
        "requested": money(grant.amount_requested_minor, grant.currency),
        "requested_eur": money(grant.amount_requested_eur_minor, "EUR"),
        "proposed": money(grant.proposed_amount_minor, grant.currency) if grant.proposed_amount_minor else "",
        "approved": money(grant.approved_amount_minor, grant.currency) if grant.approved_amount_minor else "",
        "paid": money(paid, grant.currency),
        "left": money((grant.approved_amount_minor or 0) - paid, grant.currency),
        "needs": [NEED_LABELS.get(code, code) for code in grant.needs],
        "risks": [RISK_LABELS.get(code, code) for code in grant.risk_kinds],
        "region": REGION_LABELS.get(grant.region, grant.region),
        "overdue": case_selectors.is_overdue(grant, timezone.now()),
        "approvals": [{"approval": a, "amount": money(a.amount_minor, grant.currency)} for a in approvals],
        "approvals_needed": needed,
        "awaiting_cosigner": cosigner_pending and grant.status == S.UNDER_REVIEW,
        "disbursements": [{"d": d, "amount": money(d.amount_minor, d.currency)} for d in disbursements],
        "show_payee_details": has_any_role(user, (Role.FINANCE, Role.COORDINATOR)) and not erased,
        "has_report": hasattr(grant, "report"),
        "verification_labels": [services.VERIFICATION_CHOICES.get(v, v) for v in grant.verification],
        "messages_list": list(case_selectors.case_messages(grant)) if readable else [],
        "notes": list(case_selectors.case_notes(grant)) if readable else [],
        "files": [] if erased else list(case_selectors.case_files_for(user, grant)),
        "duplicates": _duplicates(grant) if readable else [],
        "timeline": [(event, describe(event)) for event in audit_events_for(grant)],
        "show": dict.fromkeys(shown, True),
        "any_action": bool(shown),
        "forms": all_forms,
    }
    return render(request, "grants/staff/case.html", context, status=status)


@role_required(*CASE_ROLES)
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_case(request, _grant_or_404(request, reference))


_CASE_FILE = CaseFileViews(Grant, _render_case, CASE_ROLES, CONFIDENTIAL_FIELDS)
case_reveal = _CASE_FILE.reveal()
case_file = _CASE_FILE.download()
case_note = _CASE_FILE.note()
case_upload = _CASE_FILE.upload()


# --- actions: one small view per form, one service each ------------------------------------------


def _act(
    request: HttpRequest, reference: str, name: str, form: forms.Form, run: Callable[[Grant, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    return act(request, _grant_or_404(request, reference), name, form, run, done, _render_case,
               lambda: _grant_or_404(request, reference))


@role_required(*CASE_ROLES)
@require_POST
def case_eligibility(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "eligibility", grant_forms.EligibilityForm(request.POST),
                lambda grant, data: services.grant_update_eligibility(grant=grant, by=request.user, **data),
                _("Eligibility checklist saved."))


@role_required(*CASE_ROLES)
@require_POST
def case_ask(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "question", grant_forms.QuestionForm(request.POST),
                lambda grant, data: case_ask_requester(case=grant, by=request.user, question=data["question"]),
                _("Question sent; the case waits for the answer."))


@role_required(*CASE_ROLES)
@require_POST
def case_submit_for_review(request: HttpRequest, reference: str) -> HttpResponse:
    form = grant_forms.SubmitForReviewForm(request.POST, reviewers=selectors.reviewers_for_case(by=request.user))
    return _act(request, reference, "submit_for_review", form,
                lambda grant, data: services.grant_submit_for_review(grant=grant, by=request.user,
                                                                     reviewer=data["reviewer"]),
                _("Sent for review."))


@role_required(*DECIDING_ROLES)
@require_POST
def case_review(request: HttpRequest, reference: str) -> HttpResponse:
    def run(grant: Grant, data: dict[str, Any]) -> Any:
        proposed = data.get("proposed_amount")
        return services.grant_record_review(
            grant=grant, by=request.user, recommendation=data["recommendation"], verification=data["verification"],
            note=data["note"], proposed_amount_minor=grant_forms.to_minor(proposed) if proposed else None,
        )

    return _act(request, reference, "review", grant_forms.ReviewForm(request.POST), run, _("Review recorded."))


@role_required(*DECIDING_ROLES)
@require_POST
def case_approve(request: HttpRequest, reference: str) -> HttpResponse:
    grant = _grant_or_404(request, reference)
    form = grant_forms.ApproveForm(request.POST,
                                   second_approvers=selectors.second_approvers_for_case(grant=grant, by=request.user))

    def run(grant: Grant, data: dict[str, Any]) -> Any:
        return services.grant_approve(grant=grant, by=request.user, amount_minor=grant_forms.to_minor(data["amount"]),
                                      second_approver=data.get("second_approver"))

    return _act(request, reference, "approve", form, run, _("Approval recorded."))


def _transition_view(
    action: str, form_class: type[forms.Form], done: str, roles: tuple[Role, ...] = CASE_ROLES
) -> Callable[..., HttpResponse]:
    """Reject, refer, withdraw, return to triage, close: one workflow transition with its params."""

    @role_required(*roles)
    @require_POST
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        return _act(request, reference, action, form_class(request.POST),
                    lambda grant, data: services.grant_transition(grant=grant, by=request.user, action=action, **data),
                    done)

    view.__name__ = view.__qualname__ = f"case_{action}"
    return view


case_reject = _transition_view("reject", grant_forms.ReasonForm, _("Request rejected."))
case_refer = _transition_view("refer", grant_forms.ReferForm, _("Case referred."))
case_withdraw = _transition_view("withdraw", grant_forms.ReasonForm, _("Request withdrawn."))
case_return_to_triage = _transition_view("return_to_triage", grant_forms.ReasonForm, _("Case returned to triage."),
                                         roles=DECIDING_ROLES)
case_close = _transition_view("close", grant_forms.ConfirmForm, _("Case closed."))
# The requester may never answer (lost phone, arrest): the caseworker resumes triage without it.
case_resume_triage = _transition_view("info_received", grant_forms.ConfirmForm, _("Triage resumed."))


@role_required(Role.FINANCE)
@require_POST
def case_payment(request: HttpRequest, reference: str) -> HttpResponse:
    def run(grant: Grant, data: dict[str, Any]) -> Any:
        return services.grant_record_disbursement(
            grant=grant, by=request.user, payment_reference=data["payment_reference"],
            amount_minor=grant_forms.to_minor(data["amount"]), payee_kind=data["payee_kind"],
            payee_details=data["payee_details"], paid_on=data["paid_on"],
        )

    return _act(request, reference, "payment", grant_forms.DisbursementForm(request.POST), run,
                _("Payment recorded."))


@role_required(*CASE_ROLES)
@require_POST
def case_report(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "report", grant_forms.ReportForm(request.POST, request.FILES),
                lambda grant, data: services.grant_receive_report(grant=grant, by=request.user,
                                                                  narrative=data["narrative"],
                                                                  receipts=data["receipts"]),
                _("Report received."))


@role_required(Role.COORDINATOR)
@require_POST
def case_waive(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "waive", grant_forms.ReasonForm(request.POST),
                lambda grant, data: services.grant_waive_report(grant=grant, by=request.user, reason=data["reason"]),
                _("Report waived."))
