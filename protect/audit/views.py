"""The coordinators' audit page: the log, newest first, filtered, with an on-demand chain check."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from protect.accounts.permissions import role_required
from protect.accounts.roles import Role

from .phrases import describe
from .selectors import audit_chain_verify, audit_event_kinds, audit_events_filtered, audit_people
from .services import log_audit_read, log_chain_verified
from .targets import target_names, targets_for_reference

PAGE_SIZE = 50


def _record(event: Any, names: dict[tuple[str, str], str]) -> str:
    """The record in the words staff use: its reference or user name, else what kind of record it is."""
    name = names.get((event.target_type, event.target_id))
    if name:
        return name
    return event.target_type.rsplit(".", 1)[-1].replace("_", " ") if event.target_type else ""


def _filters_query(data: dict[str, Any], reference: str, action: str) -> str:
    """The filters as a query string, for the "older events" link."""
    values = {"reference": reference, "actor": data.get("actor") or "", "action": action}
    return urlencode({key: value for key, value in values.items() if value})


class AuditFilterForm(forms.Form):
    """The page's filters: by case (or defender) reference, by person, by kind of event. A value that
    does not validate is ignored, never an error page."""

    reference = forms.CharField(label=_("Case or defender reference"), required=False, max_length=20)
    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    action = forms.CharField(label=_("Kind of event"), required=False, max_length=100,
                             widget=forms.Select)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")), *((person.pk, person.username) for person in audit_people())]
        self.fields["action"].widget.choices = [("", _("Any kind of event")), *audit_event_kinds()]


@require_GET
@role_required(Role.COORDINATOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    reference = (data.get("reference") or "").strip().upper()
    action = (data.get("action") or "").strip()
    targets = targets_for_reference(reference) if reference else None
    events = audit_events_filtered(request.user, targets=targets, actor_id=data.get("actor"),
                                   action=action).order_by("-seq")
    filtered = bool(action or reference or data.get("actor"))
    before = request.GET.get("before", "")
    # ASCII digits only ("²".isdigit() is true), and no more than a bigint holds.
    before_seq = int(before) if before.isascii() and before.isdigit() and len(before) <= 18 else None
    if before_seq is not None:
        events = events.filter(seq__lt=before_seq)
    # The read is audited before the page is taken, so the reader's own event is on it: reading
    # who did what is itself something a coordinator does on the record.
    log_audit_read(user=request.user, filtered=filtered, before=before_seq)
    chain_result = None
    if request.GET.get("verify") == "1":
        count, broken = audit_chain_verify()
        chain_result = {"count": count, "broken": broken}
        log_chain_verified(user=request.user, count=count, broken_seq=broken.seq if broken else None)
    page = list(events[: PAGE_SIZE + 1])
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    names = target_names(page)
    return render(request, "audit/log.html", {
        "rows": [(event, describe(event), _record(event, names)) for event in page],
        "form": form,
        "reference": reference,
        "unknown_reference": reference and not targets,
        "query": _filters_query(data, reference, action),
        "next_before": page[-1].seq if has_more and page else None,
        "chain_result": chain_result,
    })
