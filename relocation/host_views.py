"""The host portal (/host/): a host's contact persons see the relocations their institution is
asked about or hosts, and only what a host needs (pseudonym, dates, family, practical needs). Pages
get a HostStay from the selector, never a Relocation, so no template can reach the narrative. A
relocation that is not the host's answers 404, whether it exists or not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from protect.accounts.permissions import role_required
from protect.accounts.roles import Role
from protect.cases.forms import ConfirmForm
from protect.core.errors import ProtectError, form_errors_from

from . import selectors, services
from .forms import ConcernForm
from .models import HostRequest, Relocation
from .workflow import RELOCATION_WORKFLOW

# Each form of the page and the table's step that decides whether the page offers it.
FORM_STEPS = {"accept": "match", "decline": "decline", "arrival": "start_residence", "departure": "end",
              "concern": "report_concern"}
ANSWERS = frozenset({"accept", "decline"})  # the host's answer to the question it was asked
FORMS: dict[str, Callable[..., forms.Form]] = {"accept": ConfirmForm, "decline": ConfirmForm,
                                               "arrival": ConfirmForm, "departure": ConfirmForm,
                                               "concern": ConcernForm}


def _own_or_404(request: HttpRequest, reference: str) -> tuple[Relocation, selectors.HostStay]:
    found = selectors.host_stay(request.user, reference)
    if found is None:
        raise Http404(_("No such relocation."))
    return found


def _already_answered(request: HttpRequest, reference: str) -> HttpResponse:
    """Accept or decline sent again once the question is closed (a second click, a page kept open):
    a calm word on the portal instead of a bare 404, for the host's own question only."""
    answered = selectors.host_request_answered(request.user, reference)
    if answered is None:
        raise Http404(_("No such relocation."))
    if answered.outcome == HostRequest.Outcome.WITHDRAWN:
        messages.info(request, _("The caseworker withdrew this request: nothing changed."))
    elif answered.outcome == HostRequest.Outcome.DECLINED:
        messages.info(request, _("This request was already answered: your institution declined it. Nothing changed."))
    else:
        messages.info(request, _("This request was already answered: nothing changed."))
    return redirect("relocation-host:portal")


def _render(request: HttpRequest, relocation: Relocation, stay: selectors.HostStay, *, status: int = 200,
            bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    allowed = RELOCATION_WORKFLOW.available(relocation, request.user, set(FORM_STEPS.values()))
    shown = [name for name, step in FORM_STEPS.items() if step in allowed]
    page_forms = {name: (bound or {}).get(name) or FORMS[name]() for name in shown}
    for name, form in page_forms.items():
        form.auto_id = f"id_{name}_%s"
    return render(request, "relocation/host/stay.html",
                  {"stay": stay, "forms": page_forms, "show": dict.fromkeys(shown, True)}, status=status)


@role_required(Role.HOST)
@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    return render(request, "relocation/host/portal.html", {"stays": selectors.host_stays(request.user)})


@role_required(Role.HOST)
@require_GET
def stay_detail(request: HttpRequest, reference: str) -> HttpResponse:
    relocation, stay = _own_or_404(request, reference)
    return _render(request, relocation, stay)


def _action(name: str, run: Callable[[Relocation, Any, dict[str, Any]], Any], done: str) -> Callable[..., HttpResponse]:
    @role_required(Role.HOST)
    @require_POST
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        found = selectors.host_stay(request.user, reference)
        if found is None and name in ANSWERS:
            return _already_answered(request, reference)
        if found is None:
            raise Http404(_("No such relocation."))
        relocation, stay = found
        form = FORMS[name](request.POST)
        if not form.is_valid():
            messages.error(request, _("Nothing was changed: correct what is marked in the form."))
            return _render(request, relocation, stay, status=400, bound={name: form})
        try:
            run(relocation, request.user, form.cleaned_data)
        except ProtectError as exc:
            form_errors_from(form, exc)
            messages.error(request, exc.message)
            relocation, stay = _own_or_404(request, reference)
            return _render(request, relocation, stay, status=exc.status_code, bound={name: form})
        messages.success(request, done)
        if selectors.host_stay(request.user, reference) is None:  # declined: no longer the host's to see
            return redirect("relocation-host:portal")
        return redirect("relocation-host:stay", reference=reference)

    view.__name__ = view.__qualname__ = f"host_{name}"
    return view


accept = _action("accept", lambda r, by, d: services.host_accept(relocation=r, by=by),
                 _("Accepted: the caseworker prepares the journey with you."))
decline = _action("decline", lambda r, by, d: services.host_decline(relocation=r, by=by),
                  _("Declined: the caseworker will ask another host."))
arrival = _action("arrival", lambda r, by, d: services.host_confirm_arrival(relocation=r, by=by),
                  _("Arrival confirmed: the stay has started."))
departure = _action("departure", lambda r, by, d: services.host_confirm_departure(relocation=r, by=by),
                    _("Departure confirmed: the stay has ended."))
concern = _action("concern", lambda r, by, d: services.host_report_concern(relocation=r, by=by, body=d["body"]),
                  _("Your concern was sent to the caseworker."))
