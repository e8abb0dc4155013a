"""Staff pages for grants: the queue, the inboxes, hotline intake, the case page and its actions.

Thin: parse a form, call one service or selector, render. Every page is behind login, the second
factor and a role (role_required); a case the user may not see answers 404, never 403, so a
reference is never confirmed. Each action posts to its own URL, calls one service and redirects on
success (POST/redirect/GET); refused input re-renders the case page with the service's message and
the HTTP status of the error, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from protect.accounts.permissions import has_any_role, role_required
from protect.accounts.roles import CASE_STAFF, DECIDERS, INTAKE, PAYERS, Role
from protect.audit.phrases import describe
from protect.cases import forms as case_forms
from protect.cases import selectors as case_selectors
from protect.cases.access import can_see_narrative
from protect.cases.contact import safe_contact
from protect.cases.deadlines import due_phrase
from protect.cases.errors import CaseError
from protect.cases.forms import money, to_major, to_minor
from protect.cases.models import URGENCY_LABELS
from protect.cases.selectors import notifications_for
from protect.cases.services.casefile import case_ask_requester
from protect.cases.views import CaseViews, NoteForm, UploadForm, queue_scopes, record_once
from protect.core.errors import NotFound
from protect.defenders.models import Region
from protect.defenders.services import defender_possible_duplicates

from . import forms as grant_forms
from . import selectors, services
from .models import Grant, NeedKind, RiskKind
from .money import approvals_needed, to_eur_minor
from .workflow import GRANT_WORKFLOW, awaiting_cosigner

S = Grant.Status
CONFIDENTIAL_FIELDS = ["incident", "threat", "need_details", "other_funding", "endorsers",
                       "defender.legal_name", "defender.contacts"]
NEED_LABELS = dict(NeedKind.choices)
# By code too: Django's get_<field>_display rebuilds its choices mapping on every call, twice a row.
STATUS_LABELS = dict(Grant.Status.choices)
RISK_LABELS = dict(RiskKind.choices)
REGION_LABELS = dict(Region.choices)


def _grant_or_404(request: HttpRequest, reference: str) -> Grant:
    try:
        return selectors.grant_get_for(request.user, reference)
    except NotFound:
        raise Http404(_("No such case.")) from None


# --- lists --------------------------------------------------------------------------------------


def _row(grant: Grant, now: Any) -> dict[str, Any]:
    awaiting = GRANT_WORKFLOW.in_group(grant, "awaiting_decision")  # decided: no deadline to count down
    return {
        "grant": grant,
        "status": STATUS_LABELS.get(grant.status, grant.status),
        "urgency": URGENCY_LABELS.get(grant.urgency, grant.urgency),
        "needs": [NEED_LABELS.get(code, code) for code in grant.needs],
        "overdue": case_selectors.is_overdue(grant, now),
        "due": due_phrase(grant.sla_due_at, now) if awaiting else "",
        "new_reply": case_selectors.has_new_reply(grant),
    }


@role_required(*CASE_STAFF)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    scopes = queue_scopes(request.user, fallback=_("Approved grants"))
    scope = request.GET.get("scope", "")
    if scope not in {key for key, _label in scopes}:
        scope = scopes[0][0]
    form = grant_forms.QueueFilterForm(request.GET)
    form.is_valid()  # a value that does not validate is dropped (and marked); the others still filter
    data = form.cleaned_data
    filters = case_selectors.QueueFilters(scope=scope, status=data.get("status", ""),
                                          urgency=data.get("urgency", ""), country=data.get("country", ""),
                                          new_reply=bool(data.get("new_reply")))
    page = selectors.grant_queue(request.user, filters, need=data.get("need", ""), cursor=data.get("cursor", ""),
                                 count_scopes=tuple(key for key, _label in scopes))
    tabs = [(key, label, case_selectors.queue_count_label(page.counts.get(key, 0))) for key, label in scopes]
    return render(request, "grants/staff/queue.html", {
        "form": form, "scopes": tabs, "scope": scope,
        "rows": [_row(g, page.now) for g in page.rows], "next_cursor": page.next_cursor,
        "paged": bool(data.get("cursor")), "notifications": notifications_for(request.user),
    })


@role_required(*DECIDERS)
@require_GET
def review_inbox(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [_row(grant, now) for grant in selectors.grants_to_review(request.user)]
    return render(request, "grants/staff/review_inbox.html", {"rows": rows})


def payment_rows(user: Any) -> list[dict[str, Any]]:
    """The grants' section of the payments inbox (protect/cases/payments.py; registered in apps.py)."""
    rows = []
    for grant in selectors.grants_to_pay(user):
        paid = sum(d.amount_minor for d in grant.disbursements.all())  # prefetched by the selector
        rows.append({"grant": grant, "approved": money(grant.approved_amount_minor, grant.currency),
                     "paid": money(paid, grant.currency),
                     "left": money((grant.approved_amount_minor or 0) - paid, grant.currency)})
    return rows


# --- hotline intake -----------------------------------------------------------------------------


@role_required(*INTAKE)
@require_http_methods(["GET", "POST"])
def hotline_new(request: HttpRequest) -> HttpResponse:
    """Record a request taken by phone or secure messenger, for an existing or a new defender."""

    def record(form: grant_forms.HotlineForm) -> Any:
        defender = None
        if form.cleaned_data["defender_reference"]:
            try:
                defender = case_selectors.defender_get_for(request.user, form.cleaned_data["defender_reference"])
            except NotFound:
                raise CaseError(_("No defender with this reference that you may see."),
                                field="defender_reference") from None
        return services.grant_record_hotline(
            by=request.user, defender=defender, defender_data=None if defender else form.defender_data(),
            details=form.request_details(), attachments=form.cleaned_data["attachments"])

    return record_once(request, form_class=grant_forms.HotlineForm, template="grants/staff/hotline_new.html",
                       receipt_template="grants/staff/hotline_receipt.html", record=record)


# --- the case page ------------------------------------------------------------------------------


# Each form of the case page and the workflow step that decides whether the page offers it.
FORM_STEPS = {
    "eligibility": "update_eligibility", "question": "ask_requester", "submit_for_review": "submit_for_review",
    "review": "record_review", "approve": "record_approval", "reject": "reject", "refer": "refer",
    "withdraw": "withdraw", "return_to_triage": "return_to_triage", "info_received": "info_received",
    "close": "close", "payment": "record_payment", "report": "receive_report", "waive": "waive_report",
    "note": "add_note", "upload": "attach_file", "reissue_receipt": "reissue_receipt",
}


def _case_forms(
    request: HttpRequest, grant: Grant, bound: dict[str, forms.Form], shown: set[str], readable: bool,
    left_to_pay: int,
) -> dict[str, forms.Form]:
    """The forms the case page shows, the bound one (re-rendered with its errors) in its place. Only
    those shown are built: a form's initial values may decrypt, or query, what others must not."""
    user = request.user
    approvals = list(grant.approvals.all())
    first_approval_amount = approvals[0].amount_minor if approvals else None  # a co-signer agrees on the same
    built: dict[str, Callable[[], forms.Form]] = {
        "eligibility": lambda: grant_forms.EligibilityForm.for_grant(grant),
        "question": case_forms.QuestionForm,
        # Ready to send: the checklist and the reviewer in one form (a case in triage shows both).
        "submit_for_review": lambda: grant_forms.ChecklistAndReviewForm.for_grant(
            grant, reviewers=selectors.reviewers_for_case(by=user)),
        "review": lambda: grant_forms.ReviewForm(initial={  # a recorded review can be changed until the decision
            "recommendation": grant.recommendation, "verification": grant.verification,
            "note": grant.review_note if grant.recommendation and readable else "",
            "proposed_amount": to_major(grant.proposed_amount_minor or grant.amount_requested_minor)}),
        "approve": lambda: grant_forms.ApproveForm(
            second_approvers=selectors.second_approvers_for_case(grant=grant, by=user),
            initial={"amount": to_major(
                first_approval_amount or grant.proposed_amount_minor or grant.amount_requested_minor)}),
        "reject": case_forms.ReasonForm,
        "refer": grant_forms.ReferForm,
        "withdraw": case_forms.ReasonForm,
        "return_to_triage": case_forms.ReasonForm,
        "info_received": case_forms.ConfirmForm,
        "close": case_forms.ConfirmForm,
        "payment": lambda: grant_forms.DisbursementForm(left_minor=left_to_pay),
        "report": grant_forms.ReportForm,
        "waive": case_forms.ReasonForm,
        "note": NoteForm,
        "upload": UploadForm,
        "reissue_receipt": lambda: case_forms.ReissueReceiptForm.for_case(grant),
    }
    page_forms = {name: bound.get(name) or make() for name, make in built.items() if name in shown}
    for name, form in page_forms.items():
        form.auto_id = f"id_{name}_%s"  # several forms share field names (reason): ids stay unique
    return page_forms


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
    refused = (bound or {}).get("approve")
    if refused is not None and refused.has_error("second_approver"):
        show_second_approver = True  # an amount typed above the threshold: name the co-signer here
    all_forms = _case_forms(request, grant, bound or {}, shown, readable,
                            left_to_pay=(grant.approved_amount_minor or 0) - paid)
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
        "show_payee_details": has_any_role(user, PAYERS) and not erased,
        "has_report": hasattr(grant, "report"),
        "verification_labels": [services.VERIFICATION_CHOICES.get(v, v) for v in grant.verification],
        "messages_list": list(case_selectors.case_messages(grant)) if readable else [],
        "notes": list(case_selectors.case_notes(grant)) if readable else [],
        "files": [] if erased else list(case_selectors.case_files_for(user, grant)),
        # Safe contact first: decrypted in this audited view, for those who may read the case only.
        "contact": safe_contact(grant.defender) if readable else None,
        "duplicates": defender_possible_duplicates(defender=grant.defender, user=user, team=grant.team)
        if readable else None,
        "timeline": [(event, describe(event)) for event in case_selectors.case_timeline(grant)],
        "show": dict.fromkeys(shown, True),
        "any_action": bool(shown),
        "forms": all_forms,
    }
    return render(request, "grants/staff/case.html", context, status=status)


@role_required(*CASE_STAFF)
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _CASE.render(request, _grant_or_404(request, reference))  # the kernel audits the view


_CASE = CaseViews(Grant, _render_case, tuple(CASE_STAFF), CONFIDENTIAL_FIELDS)
_act = _CASE.act
case_reveal, case_file, case_note, case_upload = _CASE.reveal(), _CASE.download(), _CASE.note(), _CASE.upload()
case_reissue_receipt = _CASE.reissue_receipt()


# --- actions: one small view per form, one service each ------------------------------------------


@role_required(*CASE_STAFF)
@require_POST
def case_eligibility(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "eligibility", grant_forms.EligibilityForm(request.POST),
                lambda grant, data: services.grant_update_eligibility(grant=grant, by=request.user, **data),
                _("Eligibility checklist saved."))


@role_required(*CASE_STAFF)
@require_POST
def case_ask(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "question", case_forms.QuestionForm(request.POST),
                lambda grant, data: case_ask_requester(case=grant, by=request.user, question=data["question"]),
                _("Question sent; the case waits for the answer."))


@role_required(*CASE_STAFF)
@require_POST
def case_submit_for_review(request: HttpRequest, reference: str) -> HttpResponse:
    reviewers = selectors.reviewers_for_case(by=request.user)
    if request.POST.get("with_checklist"):  # the case page's one-step form: the checklist comes too
        form: forms.Form = grant_forms.ChecklistAndReviewForm(request.POST, reviewers=reviewers)
        return _act(request, reference, "submit_for_review", form,
                    lambda grant, data: services.grant_check_and_submit_for_review(
                        grant=grant, by=request.user, hrd=data["hrd"], risk=data["risk"], urgent=data["urgent"],
                        no_other_source=data["no_other_source"], reviewer=data["reviewer"]),
                    _("Checklist saved; sent for review."))
    form = grant_forms.SubmitForReviewForm(request.POST, reviewers=reviewers)
    return _act(request, reference, "submit_for_review", form,
                lambda grant, data: services.grant_submit_for_review(grant=grant, by=request.user,
                                                                     reviewer=data["reviewer"]),
                _("Sent for review."))


@role_required(*DECIDERS)
@require_POST
def case_review(request: HttpRequest, reference: str) -> HttpResponse:
    def run(grant: Grant, data: dict[str, Any]) -> Any:
        proposed = data.get("proposed_amount")
        return services.grant_record_review(
            grant=grant, by=request.user, recommendation=data["recommendation"], verification=data["verification"],
            note=data["note"], proposed_amount_minor=to_minor(proposed) if proposed else None,
        )

    return _act(request, reference, "review", grant_forms.ReviewForm(request.POST), run, _("Review recorded."))


@role_required(*DECIDERS)
@require_POST
def case_approve(request: HttpRequest, reference: str) -> HttpResponse:
    grant = _grant_or_404(request, reference)
    form = grant_forms.ApproveForm(request.POST,
                                   second_approvers=selectors.second_approvers_for_case(grant=grant, by=request.user))

    def run(grant: Grant, data: dict[str, Any]) -> Any:
        return services.grant_approve(grant=grant, by=request.user, amount_minor=to_minor(data["amount"]),
                                      second_approver=data.get("second_approver"))

    return _act(request, reference, "approve", form, run, _("Approval recorded."))


case_reject = _CASE.transition("reject", case_forms.ReasonForm, _("Request rejected."))
case_refer = _CASE.transition("refer", grant_forms.ReferForm, _("Case referred."))
case_withdraw = _CASE.transition("withdraw", case_forms.ReasonForm, _("Request withdrawn."))
case_return_to_triage = _CASE.transition("return_to_triage", case_forms.ReasonForm, _("Case returned to triage."),
                                         roles=tuple(DECIDERS))
case_close = _CASE.transition("close", case_forms.ConfirmForm, _("Case closed."))
# The requester may never answer (lost phone, arrest): the caseworker resumes triage without it.
case_resume_triage = _CASE.transition("info_received", case_forms.ConfirmForm, _("Triage resumed."))


@role_required(Role.FINANCE)
@require_POST
def case_payment(request: HttpRequest, reference: str) -> HttpResponse:
    def run(grant: Grant, data: dict[str, Any]) -> services.RecordedPayment:
        return services.grant_record_payment(
            grant=grant, by=request.user, payment_reference=data["payment_reference"],
            amount_minor=to_minor(data["amount"]), payee_kind=data["payee_kind"],
            payee_details=data["payee_details"], paid_on=data["paid_on"],
        )

    def done(outcome: services.RecordedPayment) -> str:
        if outcome.already_recorded:
            return _("This payment is already recorded: nothing changed.")
        return _("Payment recorded.")

    return _act(request, reference, "payment", grant_forms.DisbursementForm(request.POST), run, done)


@role_required(*CASE_STAFF)
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
    return _act(request, reference, "waive", case_forms.ReasonForm(request.POST),
                lambda grant, data: services.grant_waive_report(grant=grant, by=request.user, reason=data["reason"]),
                _("Report waived."))
