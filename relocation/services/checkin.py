"""The follow-up check-in after the return: due when the stay ends (workflow.py writes it with the
`end` step), recorded once by the caseworker."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse

from ..errors import RelocationError
from ..models import FollowUpCheckIn, Relocation
from ..workflow import RELOCATION_WORKFLOW


def relocation_record_checkin(*, relocation: Relocation, by: Any, done_on: datetime.date, outcome: str,
                              note: str = "") -> FollowUpCheckIn:
    if outcome not in FollowUpCheckIn.Outcome.values:
        raise RelocationError("Say how the defender is.", code="outcome", field="outcome")
    if done_on > timezone.localdate():
        raise RelocationError("The check-in cannot be on a date in the future.", code="done_in_future",
                              field="done_on")
    with RELOCATION_WORKFLOW.acting(relocation, "record_checkin", by=by) as locked:
        assert locked.ended_at is not None  # set by the end step
        if done_on < locked.ended_at.date():
            raise RelocationError("The check-in comes after the end of the stay.", code="before_end",
                                  field="done_on")
        checkin, _ = FollowUpCheckIn.objects.select_for_update().get_or_create(
            relocation=locked, defaults={  # a stay ended before check-ins existed has none yet
                "due_on": locked.ended_at.date() + datetime.timedelta(days=settings.PROTECT_RELOCATION_CHECKIN_DAYS)})
        checkin.done_on, checkin.outcome, checkin.note, checkin.recorded_by = done_on, outcome, note.strip(), by
        clean_or_refuse(checkin)
        checkin.save()
        log_event("relocation.checkin.recorded", actor=by, target=locked,
                  data={"outcome": outcome, "late": done_on > checkin.due_on})
    return checkin
