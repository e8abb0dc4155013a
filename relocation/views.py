"""Staff pages of relocations: the board by stage, the relocation page and its actions.

Thin: parse a form, call one service or selector, render. Every page is behind login, the second
factor and a role; a relocation the user may not see answers 404, never 403. The page offers only
the steps the workflow table allows this person now; each action posts to its own URL, calls one
service and redirects (POST/redirect/GET); refused input re-renders the page with the message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from protect.accounts.permissions import has_role, role_required
from protect.accounts.roles import INTAKE, Role
from protect.audit.phrases import describe
from protect.cases import forms as case_forms
from protect.cases import selectors as case_selectors
from protect.cases.access import can_see_narrative
from protect.cases.contact import safe_contact
from protect.cases.forms import money, to_minor
from protect.cases.models import URGENCY_LABELS
from protect.cases.services.casefile import case_ask_requester
from protect.cases.views import CaseViews, NoteForm, UploadForm, case_or_404, render_payments_inbox
from protect.core.errors import ProtectError, form_errors_from

from . import forms as relocation_forms
from . import selectors, services
from .models import HostInstitution, HostMatching, HostRequest, Relocation
from .workflow import RELOCATION_WORKFLOW

ROLES = tuple(INTAKE)  # those who carry a relocation (the menu link names the same set)
CONFIDENTIAL_FIELDS = ["risk", "why_relocation", "preferred_country", "why_country", "visa_plan",
                       "travel_security_plan", "planned_activities", "other_funders", "return_strategy",
                       "defender.legal_name", "defender.contacts"]

# Each form of the page and the workflow step that decides whether the page offers it.
FORM_STEPS = {
    "assess": "assess", "match": "match", "matching": "match_hosts", "ask_host": "ask_host",
    "withdraw_request": "withdraw_host_request", "concern_handled": "handle_concern",
    "start_residence": "start_residence", "extend": "extend", "end": "end", "cancel": "cancel",
    "family": "edit_family", "question": "ask_requester", "note": "add_note", "upload": "attach_file",
    "checklist": "update_checklist", "budget": "edit_budget", "checkin": "record_checkin",
    "reissue_receipt": "reissue_receipt",
}
FORMS: dict[str, Callable[[], forms.Form]] = {
    "assess": relocation_forms.AssessForm, "match": relocation_forms.MatchForm,
    "matching": relocation_forms.MatchingForm, "ask_host": relocation_forms.AskHostForm,
    "withdraw_request": case_forms.ConfirmForm, "concern_handled": case_forms.ConfirmForm,
    "start_residence": case_forms.ConfirmForm, "extend": relocation_forms.ExtendForm, "end": case_forms.ConfirmForm,
    "cancel": case_forms.ReasonForm, "family": relocation_forms.FamilyForm, "question": case_forms.QuestionForm,
    "note": NoteForm, "upload": UploadForm, "checklist": relocation_forms.ChecklistForm,
    "budget": relocation_forms.BudgetLineForm, "checkin": relocation_forms.CheckInForm,
}


# --- the board ----------------------------------------------------------------------------------


@role_required(*ROLES)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    stages = [{"status": status, "label": label,
               "rows": [{"relocation": r, "overdue": case_selectors.is_overdue(r, now),
                         "urgency": URGENCY_LABELS.get(r.urgency, r.urgency)} for r in rows]}
              for status, label, rows in selectors.relocation_board(request.user)]
    checkins = [{"checkin": c, "overdue": c.due_on < now.date()} for c in selectors.checkins_due(request.user)]
    return render(request, "relocation/staff/board.html", {"stages": stages, "checkins": checkins})


# --- the relocation page ------------------------------------------------------------------------


def _render_case(request: HttpRequest, relocation: Relocation, *, status: int = 200,
                 bound: dict[str, forms.Form] | None = None, confidential: bool = False) -> HttpResponse:
    user = request.user
    erased = relocation.defender.is_erased
    readable = can_see_narrative(user) and not erased
    allowed = RELOCATION_WORKFLOW.available(relocation, user, set(FORM_STEPS.values()))
    shown = {name for name, step in FORM_STEPS.items() if step in allowed}
    matching, ranked = selectors.relocation_matching(relocation)
    host_requests = selectors.relocation_host_requests(relocation)
    checklist = selectors.relocation_checklist(relocation)
    builders = {"checklist": lambda: relocation_forms.ChecklistForm(items=checklist),
                "reissue_receipt": lambda: case_forms.ReissueReceiptForm.for_case(relocation)}
    page_forms = {name: (bound or {}).get(name) or (builders[name]() if name in builders
                                                    else FORMS[name](**_initial(name, matching, ranked)))
                  for name in shown}
    for name, form in page_forms.items():
        form.auto_id = f"id_{name}_%s"  # several forms share field names: ids stay unique
    context = {
        "relocation": relocation,
        "erased": erased,
        "narrative": readable,
        "confidential": confidential and readable,
        "family": list(relocation.family.all()),  # prefetched: age bands on the page, needs when revealed
        "overdue": case_selectors.is_overdue(relocation, timezone.now()),
        "messages_list": list(case_selectors.case_messages(relocation)) if readable else [],
        "notes": list(case_selectors.case_notes(relocation)) if readable else [],
        # Safe contact first, as on every case page: for those who may read the case only.
        "contact": safe_contact(relocation.defender) if readable else None,
        "files": [] if erased else list(case_selectors.case_files_for(user, relocation)),
        "timeline": [(event, describe(event)) for event in case_selectors.case_timeline(relocation)],
        "matching": matching,
        "ranked": ranked,
        "host_requests": host_requests,
        "pending_request": next((r for r in host_requests if r.outcome == HostRequest.Outcome.PENDING), None),
        "concerns": selectors.relocation_concerns(relocation),
        "show": dict.fromkeys(shown, True),
        "forms": page_forms,
        **_money_context(relocation, user, checklist, readable),
    }
    return render(request, "relocation/staff/case.html", context, status=status)


def _initial(name: str, matching: HostMatching | None, ranked: list[selectors.RankedHost]) -> dict[str, Any]:
    """The matching form shows the criteria in force; the ask form proposes the best host that fits."""
    if matching is None:
        return {}
    if name == "matching":
        return {"initial": {"wanted_from": matching.wanted_from, "wanted_until": matching.wanted_until,
                            "languages": " ".join(matching.languages), "needs": matching.needs,
                            "visa_easy": " ".join(matching.visa_easy),
                            "visa_impossible": " ".join(matching.visa_impossible)}}
    if name == "ask_host":
        best = next((entry.host for entry in ranked if entry.fits), None)
        return {"initial": {"host": best, "starts_on": matching.wanted_from, "ends_on": matching.wanted_until}}
    return {}
def _totals_row(totals: selectors.Totals) -> dict[str, Any]:
    return {"totals": totals, "planned": money(totals.planned_eur_minor, "EUR"),
            "written": money(totals.stipends_written_eur_minor, "EUR"),
            "paid": money(totals.stipends_paid_eur_minor, "EUR")}


def _money_context(relocation: Relocation, user: Any, checklist: list[Any], readable: bool) -> dict[str, Any]:
    """The page's preparation, budget, stipends, totals and check-in sections."""
    today = timezone.localdate()
    year = relocation.starts_on.year if relocation.starts_on else None
    by_year = selectors.relocation_totals_by_year(selectors.relocations_visible_to(user), years=[year]) if year else {}
    return {
        "checklist": [{"kind": kind, "label": label, "item": item,
                       "late": item is not None and item.done_on is None and item.due_on is not None
                       and item.due_on < today} for kind, label, item in checklist],
        "budget": [{"line": line, "amount": money(line.amount_minor, line.currency),
                    "eur": money(line.amount_eur_minor, "EUR"), "note": line.note if readable else ""}
                   for line in selectors.relocation_budget_lines(relocation)],
        "stipends": [{"instalment": i, "amount": money(i.amount_minor, i.currency)}
                     for i in selectors.relocation_stipends(relocation)],
        "totals": _totals_row(selectors.relocation_totals(relocation)),
        "year": year, "year_totals": _totals_row(by_year[year]) if year else None,
        "checkin": selectors.relocation_checkin(relocation),
        "checkin_readable": readable,
    }


def _relocation_or_404(request: HttpRequest, reference: str) -> Relocation:
    return case_or_404(request, Relocation, reference, related=("host", "grant"))


@role_required(*ROLES)
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _CASE.render(request, _relocation_or_404(request, reference))  # the kernel audits the view


_CASE = CaseViews(Relocation, _render_case, ROLES, CONFIDENTIAL_FIELDS)
case_reveal, case_file, case_note, case_upload = _CASE.reveal(), _CASE.download(), _CASE.note(), _CASE.upload()
case_reissue_receipt = _CASE.reissue_receipt()


# --- actions: one small view per form, one service each ------------------------------------------


def _action(name: str, form_class: Callable[..., forms.Form], run: Callable[[Any, Any, dict[str, Any]], Any],
            done: str) -> Callable[..., HttpResponse]:
    @role_required(*ROLES)
    @require_POST
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        return _CASE.act(request, reference, name, form_class(request.POST),
                         lambda relocation, data: run(relocation, request.user, data), done)

    view.__name__ = view.__qualname__ = f"case_{name}"
    return view


case_assess = _action("assess", relocation_forms.AssessForm, lambda r, by, d: services.relocation_assess(
    relocation=r, by=by, assessment=d["assessment"]), _("Assessment recorded: look for a host."))
case_match = _action("match", relocation_forms.MatchForm, lambda r, by, d: services.relocation_match(
    relocation=r, by=by, host=d["host"], starts_on=d["starts_on"], ends_on=d["ends_on"]), _("Host matched."))
case_start = _action("start_residence", case_forms.ConfirmForm, lambda r, by, d: services.relocation_start_residence(
    relocation=r, by=by), _("Residence started."))
case_extend = _action("extend", relocation_forms.ExtendForm, lambda r, by, d: services.relocation_extend(
    relocation=r, by=by, ends_on=d["ends_on"]), _("Stay extended."))
case_end = _action("end", case_forms.ConfirmForm, lambda r, by, d: services.relocation_end(relocation=r, by=by),
                   _("Stay ended."))
case_cancel = _action("cancel", case_forms.ReasonForm, lambda r, by, d: services.relocation_cancel(
    relocation=r, by=by, reason=d["reason"]), _("Relocation cancelled."))
case_family = _action("family", relocation_forms.FamilyForm, lambda r, by, d: services.relocation_add_family_member(
    relocation=r, by=by, age_band=d["age_band"], needs=d["needs"]), _("Family member added."))
case_ask = _action("question", case_forms.QuestionForm, lambda r, by, d: case_ask_requester(
    case=r, by=by, question=d["question"]), _("Question sent."))
case_matching = _action("matching", relocation_forms.MatchingForm, lambda r, by, d: services.relocation_set_matching(
    relocation=r, by=by, **d), _("Criteria saved: the hosts are being ranked. Reload the page in a moment."))
case_ask_host = _action("ask_host", relocation_forms.AskHostForm, lambda r, by, d: services.relocation_ask_host(
    relocation=r, by=by, **d), _("The host is asked in its portal."))
case_withdraw_request = _action(
    "withdraw_request", case_forms.ConfirmForm,
    lambda r, by, d: services.relocation_withdraw_host_request(relocation=r, by=by), _("Request withdrawn."))


@role_required(*ROLES)
@require_POST
def case_concern_handled(request: HttpRequest, reference: str, concern_id: int) -> HttpResponse:
    return _CASE.act(request, reference, "concern_handled", case_forms.ConfirmForm(request.POST),
                     lambda r, d: services.relocation_handle_concern(relocation=r, by=request.user,
                                                                     concern_id=concern_id),
                     _("Concern marked handled."))


# --- host institutions: coordinators manage them ------------------------------------------------


def _host_values(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in ("organisation", "city", "country", "languages", "places", "family_places",
                                        "offers", "accessibility", "availability", "contacts")}


def _host_form_page(request: HttpRequest, form: forms.Form, host: HostInstitution | None,
                    status: int = 200) -> HttpResponse:
    return render(request, "relocation/staff/host_form.html", {"form": form, "host": host}, status=status)


@role_required(Role.COORDINATOR)
@require_GET
def hosts(request: HttpRequest) -> HttpResponse:
    return render(request, "relocation/staff/hosts.html", {"hosts": list(selectors.hosts_for_coordinators())})


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def host_new(request: HttpRequest) -> HttpResponse:
    form = relocation_forms.HostForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _host_form_page(request, form, None, status=400)
        try:
            services.host_create(by=request.user, **_host_values(form.cleaned_data))
        except ProtectError as exc:
            form_errors_from(form, exc)
            return _host_form_page(request, form, None, status=exc.status_code)
        messages.success(request, _("Host institution added."))
        return redirect("relocation:hosts")
    return _host_form_page(request, form, None)


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def host_edit(request: HttpRequest, host_id: int) -> HttpResponse:
    host = get_object_or_404(selectors.hosts_for_coordinators(), pk=host_id)
    if request.method == "POST":
        form = relocation_forms.HostForm(request.POST)
        if not form.is_valid():
            return _host_form_page(request, form, host, status=400)
        try:
            services.host_update(host=host, by=request.user, is_active=form.cleaned_data["is_active"],
                                 **_host_values(form.cleaned_data))
        except ProtectError as exc:
            form_errors_from(form, exc)
            return _host_form_page(request, form, host, status=exc.status_code)
        messages.success(request, _("Host institution saved."))
        return redirect("relocation:hosts")
    form = relocation_forms.HostForm(initial={
        "organisation": host.organisation, "city": host.city, "country": host.country,
        "languages": " ".join(host.languages), "places": host.places, "family_places": host.family_places,
        "offers": host.offers, "accessibility": host.accessibility, "is_active": host.is_active,
        "availability": "\n".join(f"{w.starts_on:%Y-%m-%d} {w.ends_on:%Y-%m-%d}" for w in host.availability.all()),
        "contacts": list(host.contacts.all()),
    })
    return _host_form_page(request, form, host)
case_checklist = _action("checklist", relocation_forms.ChecklistForm,
                         lambda r, by, d: services.relocation_update_checklist(
                             relocation=r, by=by, items=relocation_forms.checklist_items(d)),
                         _("Checklist saved."))
case_budget = _action("budget", relocation_forms.BudgetLineForm, lambda r, by, d: services.relocation_add_budget_line(
    relocation=r, by=by, kind=d["kind"], amount_minor=to_minor(d["amount"]), currency=d["currency"], note=d["note"],
    idempotency_key=d["key"]), _("Budget line added."))
case_budget_remove = _action("budget_remove", relocation_forms.RemoveBudgetLineForm,
                             lambda r, by, d: services.relocation_remove_budget_line(relocation=r, by=by,
                                                                                     line_id=d["line"]),
                             _("Budget line removed."))
case_checkin = _action("checkin", relocation_forms.CheckInForm, lambda r, by, d: services.relocation_record_checkin(
    relocation=r, by=by, done_on=d["done_on"], outcome=d["outcome"], note=d["note"]),
    _("Follow-up check-in recorded."))


# --- stipends in the payments inbox (protect/cases/payments.py; the section is registered in apps.py) ---


def stipend_payment_rows(user: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    confirms = has_role(user, Role.FINANCE)
    rows = []
    for instalment in selectors.stipends_to_confirm(user):
        form = relocation_forms.ConfirmStipendForm(initial={"instalment": instalment.pk, "paid_on": today})
        form.auto_id = f"id_stipend_{instalment.pk}_%s"
        rows.append({"instalment": instalment, "amount": money(instalment.amount_minor, instalment.currency),
                     "eur": money(instalment.amount_eur_minor, "EUR"), "form": form if confirms else None})
    return rows


@role_required(Role.FINANCE)
@require_POST
def case_confirm_stipend(request: HttpRequest, reference: str) -> HttpResponse:
    """Finance confirms a month's stipend from the payments inbox, which it goes back to (finance
    never opens the relocation's page); a refusal re-renders the inbox with its reason."""
    relocation = _relocation_or_404(request, reference)
    form = relocation_forms.ConfirmStipendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: give the stipend and the date it was paid."))
        return render_payments_inbox(request, status=400)
    try:
        services.relocation_confirm_stipend(relocation=relocation, by=request.user,
                                            instalment_id=form.cleaned_data["instalment"],
                                            paid_on=form.cleaned_data["paid_on"])
    except ProtectError as exc:
        messages.error(request, exc.message)
        return render_payments_inbox(request, status=exc.status_code)
    messages.success(request, _("Stipend confirmed as paid."))
    return redirect(reverse("grants:payments"))
