"""Finding a host: the caseworker notes what the family needs, the worker ranks every active host
(relocation/services/ranking.py does the weighing), the caseworker asks one host in its portal."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse
from protect.outbox.services import outbox_enqueue

from ..errors import RelocationError
from ..models import HOLDS_A_PLACE, HostAvailability, HostInstitution, HostMatching, HostRequest, Offer, Relocation
from ..workflow import RELOCATION_WORKFLOW
from .ranking import Need, host_facts, rank_hosts

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
RANK_TASK = "relocation.rank_hosts"  # relocation/tasks.py


def clean_codes(values: Iterable[str], *, pattern: re.Pattern[str], field: str, what: str) -> list[str]:
    codes = sorted({value.strip() for value in values if value.strip()})
    bad = [code for code in codes if not pattern.fullmatch(code)]
    if bad:
        raise RelocationError(f"Not {what}: {', '.join(bad)}.", code=field, field=field)
    return codes


def relocation_set_matching(
    *, relocation: Relocation, by: Any, wanted_from: datetime.date, wanted_until: datetime.date,
    languages: Iterable[str] = (), needs: Iterable[str] = (), visa_easy: Iterable[str] = (),
    visa_impossible: Iterable[str] = (),
) -> HostMatching:
    """Record what a host must offer and queue the ranking. The same criteria sent again (a double
    click) change nothing and queue nothing."""
    languages = clean_codes((c.lower() for c in languages), pattern=_LANGUAGE_CODE, field="languages",
                            what="language codes (two or three letters)")
    visa_easy = clean_codes((c.upper() for c in visa_easy), pattern=_COUNTRY_CODE, field="visa_easy",
                            what="country codes (two letters)")
    visa_impossible = clean_codes((c.upper() for c in visa_impossible), pattern=_COUNTRY_CODE,
                                  field="visa_impossible", what="country codes (two letters)")
    needs = sorted(set(needs))
    if set(needs) - set(Offer.values):
        raise RelocationError("Choose the needs from the list.", code="needs", field="needs")
    if wanted_until < wanted_from:
        raise RelocationError("The stay cannot end before it starts.", code="end_before_start", field="wanted_until")
    if set(visa_easy) & set(visa_impossible):
        raise RelocationError("A country cannot be both easy and impossible for a visa.", code="visa_both",
                              field="visa_easy")
    criteria = {"languages": languages, "needs": needs, "visa_easy": visa_easy, "visa_impossible": visa_impossible,
                "wanted_from": wanted_from, "wanted_until": wanted_until}
    with RELOCATION_WORKFLOW.acting(relocation, "match_hosts", by=by) as locked:
        matching = HostMatching.objects.select_for_update().filter(relocation=locked).first()
        if matching is not None and all(getattr(matching, k) == v for k, v in criteria.items()):
            return matching
        if matching is None:
            matching = HostMatching(relocation=locked, **criteria)
        else:
            for key, value in criteria.items():
                setattr(matching, key, value)
            matching.version += 1
        clean_or_refuse(matching)
        matching.save()
        log_event("relocation.relocation.matching_set", actor=by, target=locked,
                  data={"version": matching.version})
        # Through the outbox: criteria saved while Redis is down are still ranked once it is back.
        outbox_enqueue(task_name=RANK_TASK, kwargs={"relocation_id": locked.pk, "version": matching.version})
    return matching


def matching_need(matching: HostMatching, *, family: int) -> Need:
    return Need(family=family, starts_on=matching.wanted_from, ends_on=matching.wanted_until,
                languages=list(matching.languages), offers=list(matching.needs),
                visa_easy=list(matching.visa_easy), visa_impossible=list(matching.visa_impossible))


def hosts_with_facts(starts_on: datetime.date, ends_on: datetime.date, *, exclude_relocation: int | None = None,
                     ) -> list[Any]:
    """Every active host as ranking reads it: three queries whatever the number of hosts."""
    hosts = list(HostInstitution.objects.filter(is_active=True).order_by("pk"))
    windows: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for host_id, w_start, w_end in HostAvailability.objects.filter(
            host__is_active=True, starts_on__lte=starts_on, ends_on__gte=ends_on).values_list(
            "host_id", "starts_on", "ends_on"):
        windows[host_id].append((w_start, w_end))
    stays: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    holding = Relocation.objects.filter(host__isnull=False, host__is_active=True, status__in=HOLDS_A_PLACE,
                                        starts_on__lte=ends_on, ends_on__gte=starts_on)
    if exclude_relocation is not None:
        holding = holding.exclude(pk=exclude_relocation)
    for host_id, s_start, s_end in holding.values_list("host_id", "starts_on", "ends_on"):
        if host_id is not None and s_start is not None and s_end is not None:  # a matched stay has both
            stays[host_id].append((s_start, s_end))
    return [host_facts(host, windows, stays) for host in hosts]


def relocation_rank_hosts(*, relocation_id: int, version: int) -> HostMatching | None:
    """The worker's job: rank the hosts for the criteria of `version`. A stale version (the criteria
    changed since) or a ranking already stored makes it a no-op, so a retried task writes once."""
    matching = HostMatching.objects.select_related("relocation__defender").filter(relocation_id=relocation_id).first()
    if matching is None or matching.version != version or matching.ranked_version == version:
        return None
    relocation = matching.relocation
    need = matching_need(matching, family=relocation.family.count())
    ranking = rank_hosts(hosts_with_facts(need.starts_on, need.ends_on, exclude_relocation=relocation.pk), need)
    with transaction.atomic():
        locked = HostMatching.objects.select_for_update().select_related("relocation__defender").get(pk=matching.pk)
        if locked.version != version or locked.ranked_version == version:
            return None
        locked.ranking = [r.as_json() for r in ranking]
        locked.ranked_version, locked.ranked_at = version, timezone.now()
        locked.save(update_fields=["ranking", "ranked_version", "ranked_at"])
        log_event("relocation.relocation.hosts_ranked", actor=None, target=relocation,
                  data={"version": version, "ranked": len(ranking), "fitting": sum(r.fits for r in ranking)})
    return locked


def relocation_ask_host(*, relocation: Relocation, by: Any, host: HostInstitution, starts_on: datetime.date,
                        ends_on: datetime.date, practical_needs: str = "") -> HostRequest:
    """Ask one host, in its portal, to receive the relocation on these dates. Refused now for what
    accepting would refuse (family too large, no free place, end before start). The same question
    asked twice is one request."""
    with RELOCATION_WORKFLOW.acting(relocation, "ask_host", by=by, host=host, starts_on=starts_on,
                                    ends_on=ends_on) as locked:
        pending = locked.host_requests.filter(outcome=HostRequest.Outcome.PENDING).first()
        if pending is not None:  # the guard allowed it: this host, already asked
            if (pending.starts_on, pending.ends_on) == (starts_on, ends_on):
                return pending
            raise RelocationError("This host is already asked, for other dates: withdraw that request first.",
                                  code="request_pending", field="host")
        asked = HostRequest(relocation=locked, host=host, starts_on=starts_on, ends_on=ends_on,
                            practical_needs=practical_needs.strip(), asked_by=by)
        clean_or_refuse(asked)
        asked.save()
        log_event("relocation.relocation.host_asked", actor=by, target=locked,
                  data={"host_id": host.pk, "request_id": asked.pk})
    return asked


def relocation_withdraw_host_request(*, relocation: Relocation, by: Any) -> HostRequest | None:
    """Stop waiting for the host asked (to ask another). Nothing pending: nothing changes."""
    with RELOCATION_WORKFLOW.acting(relocation, "withdraw_host_request", by=by) as locked:
        pending = locked.host_requests.select_for_update().filter(outcome=HostRequest.Outcome.PENDING).first()
        if pending is None:
            return None
        pending.outcome, pending.answered_at = HostRequest.Outcome.WITHDRAWN, timezone.now()
        pending.save(update_fields=["outcome", "answered_at"])
        log_event("relocation.relocation.host_request_withdrawn", actor=by, target=locked,
                  data={"host_id": pending.host_id, "request_id": pending.pk})
    return pending
