"""The coordinators' audit page: the log, newest first, filtered, with an on-demand chain check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from protect.accounts.permissions import role_required
from protect.accounts.roles import Role

from .phrases import describe
from .selectors import audit_chain_verify, audit_events_visible_to

PAGE_SIZE = 50


@require_GET
@role_required(Role.COORDINATOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = audit_events_visible_to(request.user).order_by("-seq")
    action = request.GET.get("action", "").strip()[:100]
    if action:
        events = events.filter(action__startswith=action)
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(seq__lt=int(before))
    page = list(events[: PAGE_SIZE + 1])
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    chain_result = None
    if request.GET.get("verify") == "1":
        count, broken = audit_chain_verify()
        chain_result = {"count": count, "broken": broken}
    return render(request, "audit/log.html", {
        "rows": [(event, describe(event)) for event in page],
        "action": action,
        "next_before": page[-1].seq if has_more and page else None,
        "chain_result": chain_result,
    })
