"""The coordinators' audit page: the log, newest first, filtered, with an on-demand chain check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from protect.accounts.permissions import role_required
from protect.accounts.roles import Role

from .phrases import describe
from .selectors import audit_chain_verify, audit_events_visible_to
from .services import log_audit_read, log_chain_verified

PAGE_SIZE = 50


@require_GET
@role_required(Role.COORDINATOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = audit_events_visible_to(request.user).order_by("-seq")
    action = request.GET.get("action", "").strip()[:100]
    if action:
        events = events.filter(action__startswith=action)
    before = request.GET.get("before", "")
    # ASCII digits only ("²".isdigit() is true), and no more than a bigint holds.
    before_seq = int(before) if before.isascii() and before.isdigit() and len(before) <= 18 else None
    if before_seq is not None:
        events = events.filter(seq__lt=before_seq)
    # The read is audited before the page is taken, so the reader's own event is on it: reading
    # who did what is itself something a coordinator does on the record.
    log_audit_read(user=request.user, filtered=bool(action), before=before_seq)
    chain_result = None
    if request.GET.get("verify") == "1":
        count, broken = audit_chain_verify()
        chain_result = {"count": count, "broken": broken}
        log_chain_verified(user=request.user, count=count, broken_seq=broken.seq if broken else None)
    page = list(events[: PAGE_SIZE + 1])
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return render(request, "audit/log.html", {
        "rows": [(event, describe(event)) for event in page],
        "action": action,
        "next_before": page[-1].seq if has_more and page else None,
        "chain_result": chain_result,
    })
