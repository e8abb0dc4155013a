"""Staff pages of relocations: the board by stage, the relocation page and its actions.

Thin: parse a form, call one service or selector, render. Every page is behind login, the second
factor and a role; a relocation the user may not see answers 404, never 403. The page offers only
the steps the workflow table allows this person now; each action posts to its own URL, calls one
service and redirects (POST/redirect/GET); refused input re-renders the page with the message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from protect.accounts.permissions import role_required
from protect.accounts.roles import INTAKE
from protect.audit.phrases import describe
from protect.cases import forms as case_forms
from protect.cases import selectors as case_selectors
from protect.cases.access import can_see_narrative
from protect.cases.contact import safe_contact
from protect.cases.services.casefile import case_ask_requester
from protect.cases.views import CaseViews, NoteForm, UploadForm, case_or_404

from . import forms as relocation_forms
from . import selectors, services
from .models import Relocation
from .workflow import RELOCATION_WORKFLOW

ROLES = tuple(INTAKE)  # those who carry a relocation (the menu link names the same set)
CONFIDENTIAL_FIELDS = ["risk", "why_relocation", "preferred_country", "why_country", "visa_plan",
                       "travel_security_plan", "planned_activities", "other_funders", "return_strategy",
                       "defender.legal_name", "defender.contacts"]

# Each form of the page and the workflow step that decides whether the page offers it.
FORM_STEPS = {
    "assess": "assess", "match": "match", "start_residence": "start_residence", "extend": "extend", "end": "end",
    "cancel": "cancel", "family": "edit_family", "question": "ask_requester", "note": "add_note",
    "upload": "attach_file",
}
FORMS: dict[str, Callable[[], forms.Form]] = {
    "assess": relocation_forms.AssessForm, "match": relocation_forms.MatchForm,
    "start_residence": case_forms.ConfirmForm, "extend": relocation_forms.ExtendForm, "end": case_forms.ConfirmForm,
    "cancel": case_forms.ReasonForm, "family": relocation_forms.FamilyForm, "question": case_forms.QuestionForm,
    "note": NoteForm, "upload": UploadForm,
}


# --- the board ----------------------------------------------------------------------------------


@role_required(*ROLES)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    stages = [{"status": status, "label": label,
               "rows": [{"relocation": r, "overdue": case_selectors.is_overdue(r, now)} for r in rows]}
              for status, label, rows in selectors.relocation_board(request.user)]
    return render(request, "relocation/staff/board.html", {"stages": stages})


# --- the relocation page ------------------------------------------------------------------------


def _render_case(request: HttpRequest, relocation: Relocation, *, status: int = 200,
                 bound: dict[str, forms.Form] | None = None, confidential: bool = False) -> HttpResponse:
    user = request.user
    erased = relocation.defender.is_erased
    readable = can_see_narrative(user) and not erased
    allowed = RELOCATION_WORKFLOW.available(relocation, user, set(FORM_STEPS.values()))
    shown = {name for name, step in FORM_STEPS.items() if step in allowed}
    page_forms = {name: (bound or {}).get(name) or FORMS[name]() for name in shown}
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
        "show": dict.fromkeys(shown, True),
        "forms": page_forms,
    }
    return render(request, "relocation/staff/case.html", context, status=status)


def _relocation_or_404(request: HttpRequest, reference: str) -> Relocation:
    return case_or_404(request, Relocation, reference, related=("host", "grant"))


@role_required(*ROLES)
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _CASE.render(request, _relocation_or_404(request, reference))  # the kernel audits the view


_CASE = CaseViews(Relocation, _render_case, ROLES, CONFIDENTIAL_FIELDS)
case_reveal, case_file, case_note, case_upload = _CASE.reveal(), _CASE.download(), _CASE.note(), _CASE.upload()


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
