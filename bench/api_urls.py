"""The project's routes, plus what the benchmarks compare the product with, in the same run:

- the floor: plain views returning the same page of rows from one raw SQL query, as JSON (field for
  field what the partner API answers, through its renderer) or HTML (the queue's own template);
- hello-world, for throughput;
- the naive peer a Django team would write: a DRF ModelViewSet over the same Grant model, scoped by
  guardian's generic object-permission tables, with offset pagination.

Only bench/api_settings.py mounts these; the product never does.
"""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import include, path
from guardian.models import GroupObjectPermission, UserObjectPermission
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from grants.forms import QueueFilterForm
from grants.models import OPEN, Grant, NeedKind
from grants.views import STATUS_LABELS
from protect.cases.models import URGENCY_LABELS
from protect.urls import urlpatterns as project_urlpatterns
from relocation.models import STAGES, Relocation

FLOOR_SQL = """
SELECT r.id, r.reference, r.kind, g.status, g.urgency, g.submitted_at, g.status_changed_at
FROM api_referral r JOIN grants_grant g ON g.id = r.case_id AND r.case_type = 'grants.grant'
WHERE r.partner_id = %s ORDER BY r.id DESC LIMIT %s
"""

# The queue's rows (a caseworker's open grants, earliest deadline first) in one query.
QUEUE_FLOOR_SQL = """
SELECT g.reference, g.status, g.urgency, g.country, g.needs, g.sla_due_at, d.pseudonym,
       COALESCE(NULLIF(u.display_name, ''), u.username) AS caseworker
FROM grants_grant g JOIN defenders_defender d ON d.id = g.defender_id
LEFT JOIN accounts_user u ON u.id = g.caseworker_id
WHERE g.caseworker_id = %s AND g.status = ANY(%s)
ORDER BY g.sla_due_at, g.id LIMIT %s
"""


def _size(request: HttpRequest, default: int) -> int:
    return max(1, min(100, int(request.GET.get("page_size", default))))


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def floor(request: HttpRequest, partner_id: int) -> HttpResponse:
    """The list's page as the partner gets it, field for field (the status in the partner's words,
    times in UTC, the messages link, the next cursor), through the same JSON renderer as the API,
    built by hand from one raw SQL query: no token, throttle, audit, ETag or pagination class."""
    size = _size(request, 25)
    rows = _rows(FLOOR_SQL, [partner_id, size + 1])
    sentences = {status: str(text) for status, text in Grant.REQUESTER_SENTENCES.items()}
    page = [{
        "reference": r["reference"], "kind": r["kind"], "status": r["status"], "status_text": sentences[r["status"]],
        "urgency": r["urgency"], "submitted_at": _utc(r["submitted_at"]),
        "status_changed_at": _utc(r["status_changed_at"]),
        "messages_url": f"/api/v1/referrals/{r['reference']}/messages/",
    } for r in rows[:size]]
    cursor = base64.b64encode(f"p={rows[size - 1]['id']}".encode()).decode() if len(rows) > size else None
    body = {"next": cursor and request.build_absolute_uri(f"?cursor={cursor}&page_size={size}"), "previous": None,
            "results": page}
    return HttpResponse(JSONRenderer().render(body), content_type="application/json")


def _utc(moment: Any) -> str | None:
    """A moment as the API writes it (the database session is in UTC)."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def queue_floor(request: HttpRequest, user_id: int) -> HttpResponse:
    """The queue page's own template and filter form, its rows from one raw SQL query: what the
    page costs with no scoping, no tab counts and no models (the request's session, user and
    second factor are read as for the page, by the middleware)."""
    rows = _rows(QUEUE_FLOOR_SQL, [user_id, OPEN, _size(request, 50)])  # the queue's default: every open case
    if request.GET.get("format") == "json":
        return JsonResponse({"results": rows})
    needs = dict(NeedKind.choices)
    table = [{
        "grant": SimpleNamespace(reference=r["reference"], country=r["country"], urgency=r["urgency"],
                                 sla_due_at=r["sla_due_at"], caseworker=r["caseworker"],
                                 defender=SimpleNamespace(pseudonym=r["pseudonym"])),
        "status": STATUS_LABELS.get(r["status"], r["status"]), "urgency": URGENCY_LABELS.get(r["urgency"], ""),
        "needs": [needs.get(code, code) for code in json.loads(r["needs"] or "[]")],
        "overdue": False, "due": "", "new_reply": False,
    } for r in rows]
    return render(request, "grants/staff/queue.html", {
        "form": QueueFilterForm(), "scopes": [("mine", "My cases", 0), ("team", "My team's cases", 0)],
        "scope": "mine", "rows": table, "next_cursor": None, "paged": False, "notifications": [],
    })


# The relocation board's rows (the 50 earliest deadlines of each stage, with pseudonym and host) in one query.
BOARD_FLOOR_SQL = """
SELECT * FROM (
  SELECT r.id, r.reference, r.status, r.urgency, r.sla_due_at, r.starts_on, r.ends_on, d.pseudonym,
         h.organisation, h.city,
         row_number() OVER (PARTITION BY r.status ORDER BY r.sla_due_at, r.id) AS n
  FROM relocation_relocation r JOIN defenders_defender d ON d.id = r.defender_id
  LEFT JOIN relocation_hostinstitution h ON h.id = r.host_id
  WHERE r.team_id = ANY(%s) OR %s
) ranked WHERE n <= 50 ORDER BY status, n
"""


def relocation_board_floor(request: HttpRequest) -> HttpResponse:
    """The relocation board's own template, its stages' rows from one raw SQL query: what the page
    costs with no scoping, no check-ins, no host flags and no models. `?teams=1,2` are the desks a
    caseworker sees; without them, every desk (a coordinator)."""
    teams = [int(team) for team in request.GET.get("teams", "").split(",") if team]
    by_stage: dict[str, list[dict[str, Any]]] = {stage: [] for stage in STAGES}
    for r in _rows(BOARD_FLOOR_SQL, [teams, not teams]):
        host = SimpleNamespace(organisation=r["organisation"], city=r["city"]) if r["organisation"] else None
        by_stage[r["status"]].append({"relocation": SimpleNamespace(
            reference=r["reference"], urgency=r["urgency"],
            host=host, starts_on=r["starts_on"], ends_on=r["ends_on"], sla_due_at=r["sla_due_at"],
            defender=SimpleNamespace(pseudonym=r["pseudonym"]), open_concern=False, host_asked=False),
            "overdue": False, "urgency": URGENCY_LABELS.get(r["urgency"], r["urgency"])})
    labels = dict(Relocation.Status.choices)
    stages = [{"status": stage, "label": str(labels[stage]), "rows": by_stage[stage]} for stage in STAGES]
    return render(request, "relocation/staff/board.html", {"stages": stages, "checkins": []})


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"hello": "world"}', content_type="application/json")


def objects_for_user_generic(user: Any, codename: str, queryset: QuerySet[Grant]) -> QuerySet[Grant]:
    """What guardian's get_objects_for_user builds when a model's permissions live in its generic
    tables (Grant's live in direct ones, so guardian itself would take the fast path): the user's and
    their groups' rows, object_pk a varchar cast back to the primary key."""
    ctype = ContentType.objects.get_for_model(queryset.model)
    mine = UserObjectPermission.objects.filter(user=user, content_type=ctype, permission__codename=codename)
    theirs = GroupObjectPermission.objects.filter(group__in=Group.objects.filter(user=user), content_type=ctype,
                                                  permission__codename=codename)
    cast = Cast("object_pk", BigIntegerField())
    return queryset.filter(Q(pk__in=mine.annotate(obj=cast).values("obj"))
                           | Q(pk__in=theirs.annotate(obj=cast).values("obj")))


class NaiveGrantSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    defender = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    team = serializers.StringRelatedField()

    class Meta:
        model = Grant
        fields = ["reference", "status", "urgency", "country", "sla_due_at", "submitted_at", "defender", "team"]


class OffsetPages(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class NaiveGrantViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    serializer_class = NaiveGrantSerializer
    pagination_class = OffsetPages
    lookup_field = "reference"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Grant]:
        return objects_for_user_generic(self.request.user, "view_grant", Grant.objects.order_by("-id"))


router = SimpleRouter()
router.register("bench/naive/grants", NaiveGrantViewSet, basename="naive-grant")

urlpatterns = [
    path("bench/floor/<int:partner_id>/", floor),
    path("bench/queue-floor/<int:user_id>/", queue_floor),
    path("bench/relocation-floor/", relocation_board_floor),
    path("bench/hello/", hello),
    path("", include(router.urls)),
    *project_urlpatterns,
]
