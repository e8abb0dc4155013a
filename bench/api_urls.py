"""The project's routes, plus what the benchmarks compare the product with, in the same run:

- the floor: plain views returning the same page of rows from one raw SQL query, as JSON (the partner
  API's renderer) or HTML;
- hello-world, for throughput;
- the naive peer a Django team would write: a DRF ModelViewSet over the same Grant model, scoped by
  guardian's generic object-permission tables, with offset pagination.

Only bench/api_settings.py mounts these; the product never does.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.urls import include, path
from guardian.models import GroupObjectPermission, UserObjectPermission
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import SimpleRouter

from grants.models import Grant
from protect.urls import urlpatterns as project_urlpatterns

FLOOR_SQL = """
SELECT r.reference, r.kind, g.status, g.urgency, g.submitted_at, g.status_changed_at
FROM api_referral r JOIN grants_grant g ON g.id = r.case_id AND r.case_type = 'grants.grant'
WHERE r.partner_id = %s ORDER BY r.id DESC LIMIT %s
"""

# The queue's rows (a caseworker's open grants, earliest deadline first) in one query.
QUEUE_FLOOR_SQL = """
SELECT g.reference, g.status, g.urgency, g.country, g.sla_due_at, d.reference AS defender
FROM grants_grant g JOIN defenders_defender d ON d.id = g.defender_id
WHERE g.caseworker_id = %s AND g.status IN ('triage', 'info_requested', 'under_review')
ORDER BY g.sla_due_at, g.id LIMIT %s
"""

QUEUE_FLOOR_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>queue</title><table>{% for r in rows %}<tr><td>{{ r.reference }}</td>"
    "<td>{{ r.status }}</td><td>{{ r.urgency }}</td><td>{{ r.country }}</td><td>{{ r.sla_due_at }}</td>"
    "<td>{{ r.defender }}</td></tr>{% endfor %}</table>"
)


def _size(request: HttpRequest, default: int) -> int:
    return max(1, min(100, int(request.GET.get("page_size", default))))


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def floor(request: HttpRequest, partner_id: int) -> JsonResponse:
    return JsonResponse({"results": _rows(FLOOR_SQL, [partner_id, _size(request, 25)])})


def queue_floor(request: HttpRequest, user_id: int) -> HttpResponse:
    rows = _rows(QUEUE_FLOOR_SQL, [user_id, _size(request, 50)])
    if request.GET.get("format") == "json":
        return JsonResponse({"results": rows})
    return HttpResponse(QUEUE_FLOOR_TEMPLATE.render({"rows": rows}))


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
    path("bench/hello/", hello),
    path("", include(router.urls)),
    *project_urlpatterns,
]
