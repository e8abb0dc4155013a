"""The project's routes, plus what bench/api_reads.py compares the partner API's reads with:
a floor (one raw SQL query returning the same rows as the list, as JSON) and a hello-world."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from protect.urls import urlpatterns as project_urlpatterns

FLOOR_SQL = """
SELECT r.reference, r.kind, g.status, g.urgency, g.submitted_at, g.status_changed_at
FROM api_referral r JOIN grants_grant g ON g.id = r.case_id AND r.case_type = 'grants.grant'
WHERE r.partner_id = %s ORDER BY r.id DESC LIMIT 25
"""


def floor(request: HttpRequest, partner_id: int) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [partner_id])
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"results": rows})


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"hello": "world"}', content_type="application/json")


urlpatterns = [
    path("bench/floor/<int:partner_id>/", floor),
    path("bench/hello/", hello),
    *project_urlpatterns,
]
