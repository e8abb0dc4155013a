"""What a host does in its portal: answer the request it was asked, confirm arrival and departure,
report a concern. Each goes through the relocation's table, whose object check lets a host act only
on what its institution is asked about or hosts; a concern alerts the caseworker."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse
from protect.delivery.services import delivery_email

from ..errors import RelocationError
from ..models import HostConcern, HostRequest, Relocation
from ..workflow import RELOCATION_WORKFLOW, is_hosting, pending_request_for


def host_accept(*, relocation: Relocation, by: Any) -> Relocation:
    """The host says yes: the relocation is matched to it on the dates asked (checked again under
    lock: another stay may have taken its last place meanwhile). A second click changes nothing."""
    asked = pending_request_for(by, relocation)
    if asked is None and is_hosting(by, relocation):
        RELOCATION_WORKFLOW.require_may(relocation, "match", by=by)
        return relocation  # accepted already
    params: dict[str, Any] = {}
    if asked is not None:
        params = {"request": asked, "host": asked.host, "host_id": asked.host_id, "starts_on": asked.starts_on,
                  "ends_on": asked.ends_on}
    return RELOCATION_WORKFLOW.run(relocation, "match", by=by, **params)


def host_decline(*, relocation: Relocation, by: Any) -> HostRequest:
    """The host says no; the caseworker sees it and asks another. A second click changes nothing."""
    answered = (HostRequest.objects.filter(relocation=relocation, host__contacts=by, answered_by=by,
                                           outcome=HostRequest.Outcome.DECLINED).first())
    if answered is not None and pending_request_for(by, relocation) is None:
        return answered
    with RELOCATION_WORKFLOW.acting(relocation, "decline", by=by) as locked:
        asked = pending_request_for(by, locked)
        assert asked is not None  # the table's `when` checked it under the lock
        asked = HostRequest.objects.select_for_update().get(pk=asked.pk)
        asked.outcome, asked.answered_by, asked.answered_at = HostRequest.Outcome.DECLINED, by, timezone.now()
        asked.save(update_fields=["outcome", "answered_by", "answered_at"])
        log_event("relocation.relocation.host_declined", actor=by, target=locked,
                  data={"host_id": asked.host_id, "request_id": asked.pk})
    return asked


def host_confirm_arrival(*, relocation: Relocation, by: Any) -> Relocation:
    """The defender has arrived: the residence starts."""
    return RELOCATION_WORKFLOW.run(relocation, "start_residence", by=by)


def host_confirm_departure(*, relocation: Relocation, by: Any) -> Relocation:
    """The defender has left: the stay ends."""
    return RELOCATION_WORKFLOW.run(relocation, "end", by=by)


def host_report_concern(*, relocation: Relocation, by: Any, body: str) -> HostConcern:
    """A concern from the host (health, safety, conduct): recorded encrypted, shown on the
    relocation's page and board, and e-mailed to its caseworker (or the team's coordinator) without
    its text, which stays inside Protect."""
    with RELOCATION_WORKFLOW.acting(relocation, "report_concern", by=by, body=body) as locked:
        assert locked.host is not None
        concern = HostConcern(relocation=locked, host=locked.host, reported_by=by, body=body.strip())
        clean_or_refuse(concern)
        concern.save()
        log_event("relocation.relocation.host_concern", actor=by, target=locked,
                  data={"host_id": locked.host_id, "concern_id": concern.pk})
        to = locked.caseworker or (locked.team.coordinator if locked.team is not None else None)
        if to is not None and to.email:
            delivery_email(key=f"relocation.host_concern:{concern.pk}", to=to.email,
                           subject=f"Relocation {locked.reference}: the host reported a concern",
                           body=f"The host of relocation {locked.reference} reported a concern. "
                                f"Read it in Protect: {locked.get_absolute_url()}\n")
    return concern


def relocation_handle_concern(*, relocation: Relocation, by: Any, concern_id: int) -> HostConcern:
    """Staff mark a host's concern handled (what was done goes in a note). Twice: no change."""
    with RELOCATION_WORKFLOW.acting(relocation, "handle_concern", by=by) as locked:
        concern = locked.host_concerns.select_for_update().filter(pk=concern_id).first()
        if concern is None:
            raise RelocationError("No such concern on this relocation.", code="no_concern", field="concern")
        if concern.handled_at is None:
            concern.handled_at, concern.handled_by = timezone.now(), by
            concern.save(update_fields=["handled_at", "handled_by"])
            log_event("relocation.relocation.concern_handled", actor=by, target=locked,
                      data={"concern_id": concern.pk})
    return concern
