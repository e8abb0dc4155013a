"""What every partner endpoint shares: token authentication with scopes, a throttle per token,
a capped JSON parser, filters, ETags on reads, and an audit event per request naming the token."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from protect.accounts.authentication import ApiTokenAuthentication, token_of
from protect.accounts.permissions import has_any_role
from protect.accounts.roles import API_TOKEN_HOLDERS
from protect.core.counters import count_hit

from .errors import BodyTooLarge
from .services import idempotent, request_fingerprint, token_request_record


class HasScope(permissions.BasePermission):
    """The request's token carries the scope the view names for this method (`scopes` on the view:
    {"GET": "referrals:read", "POST": "referrals:write"}). A view that names none is refused."""

    message = "This token's scopes do not allow this request."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = token_of(request)
        needed = getattr(view, "scopes", {}).get(request.method or "", None)
        if request.method in ("HEAD", "OPTIONS"):
            needed = getattr(view, "scopes", {}).get("GET", needed)
        return bool(token is not None and needed and token.allows(needed)
                    and has_any_role(request.user, API_TOKEN_HOLDERS))


class PartnerThrottle(BaseThrottle):
    """A request budget per token (`PROTECT_API_RATE`, e.g. "120/minute"); past it, 429 with
    Retry-After. A fixed window counted in the shared cache (Redis), so every web process counts
    together, in one round trip per request. The price of a fixed window: a client may spend one
    window's budget at its end and the next at the start of the following one."""

    def allow_request(self, request: Request, view: Any) -> bool:
        token = token_of(request)
        if token is None:
            return True  # not a token request: authentication refuses it
        allowed, period = api_rate(str(settings.PROTECT_API_RATE))
        now = time.time()
        window = int(now // period)
        self.retry_after = period * (window + 1) - now
        return count_hit(f"throttle.partner.{token.pk}.{window}", expires=period + 1) <= allowed

    def wait(self) -> float | None:
        return self.retry_after


def api_rate(rate: str) -> tuple[int, int]:
    """A DRF rate ("120/minute", "10/s") as (requests, seconds)."""
    count, unit = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit.strip()[0]]


class CappedJSONParser(JSONParser):
    """JSON only, and no body larger than `PROTECT_API_MAX_BODY_BYTES` (413 before it is read)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None,
              ) -> Any:
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            too_long = int(length or 0) > settings.PROTECT_API_MAX_BODY_BYTES
        except ValueError:
            too_long = False
        if too_long:
            raise BodyTooLarge()
        return super().parse(stream, media_type, parser_context)


class AskedFilters(DjangoFilterBackend):
    """django-filter for views whose selector reads its rows itself (one prepared statement): the
    view's FilterSet checks and cleans what the request asks, and documents it in the schema."""

    def asked(self, request: Request, view: Any) -> dict[str, Any]:
        """The filters the request names, cleaned (a 400 naming each wrong field otherwise); {} when
        it names none: the unfiltered page, what partner systems poll, then builds no filter form."""
        filterset_class = view.filterset_class
        if not set(request.query_params) & set(filterset_class.base_filters):
            return {}
        filterset = filterset_class(request.query_params, queryset=view.queryset, request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return {name: value for name, value in filterset.form.cleaned_data.items() if value not in (None, "")}


class NewestFirst(CursorPagination):
    """Opaque cursors: a list stays stable while new rows arrive."""

    ordering = "-id"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_rows(self, fetch: Callable[..., list[dict[str, Any]]], request: Request) -> list[dict[str, Any]]:
        """A page from a selector that reads it itself, in one statement, rather than from a
        queryset: `fetch(position=, newer=, limit=, offset=)` returns rows away from the position
        (an id), newest first, or oldest first when `newer`. The cursors are DRF's own, so links
        and their meaning are the same as for a queryset; ids are unique, so no cursor it makes
        carries an offset, though one sent by hand is honoured."""
        self.request = request
        self.page_size = self.get_page_size(request) or NewestFirst.page_size
        self.base_url = request.build_absolute_uri()
        self.ordering = (NewestFirst.ordering,)  # type: ignore[assignment]  # as DRF's get_ordering gives it
        self.cursor = self.decode_cursor(request)
        offset, newer, sent = self.cursor if self.cursor is not None else (0, False, None)
        try:
            at = None if sent is None else int(sent)
        except ValueError as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        if at is not None and not 0 <= at < 2**63:
            raise NotFound(self.invalid_cursor_message)
        position = None if at is None else str(at)
        rows = fetch(position=at, newer=newer, limit=self.page_size + 1, offset=offset)
        self.page = rows[:self.page_size]
        following = str(rows[-1]["id"]) if len(rows) > len(self.page) else None
        been_before = at is not None or offset > 0
        if newer:
            self.page.reverse()
            self.has_next, self.next_position = been_before, position
            self.has_previous, self.previous_position = following is not None, following
        else:
            self.has_next, self.next_position = following is not None, following
            self.has_previous, self.previous_position = been_before, position
        return self.page


class PartnerView(GenericAPIView):  # type: ignore[type-arg]
    """The base of every partner endpoint."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [PartnerThrottle]
    parser_classes = [CappedJSONParser]
    filter_backends = [AskedFilters]
    scopes: dict[str, str] = {}

    def idempotent(self, request: Request, produce: Callable[[], tuple[int, dict[str, Any]]]) -> Response:
        """Answer a POST once per Idempotency-Key (see services.idempotent); the body is compared in
        canonical JSON, so the same data sent with other spacing is the same request."""
        canonical = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        status_code, body = idempotent(
            partner=request.user, key=request.META.get("HTTP_IDEMPOTENCY_KEY", ""),
            fingerprint=request_fingerprint(method=request.method or "", path=request.path, body=canonical.encode()),
            produce=produce,
        )
        return Response(body, status=status_code)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response = _with_etag(request, response)
        token = token_of(request)
        if token is not None:
            # Every request a token makes reaches the audit chain, with the token's identity.
            token_request_record(token=token, method=request.method or "", path=request.path,
                                 status=response.status_code)
        return response


def instant(value: datetime | None) -> str | None:
    """A moment as DRF's DateTimeField writes it in UTC (ISO 8601, "Z"), for rows built without one.
    Always UTC, whatever zone a session activated: partner systems compare these across requests,
    and the lookup of the active zone was the costliest part of a list page's rows."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _with_etag(request: Request, response: Response) -> Response:
    response.render()
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response["ETag"] = etag
    wanted = [tag.strip() for tag in request.META.get("HTTP_IF_NONE_MATCH", "").split(",") if tag.strip()]
    if etag in wanted or "*" in wanted:
        not_modified = Response(status=304, headers={"ETag": etag})
        not_modified.accepted_renderer = response.accepted_renderer
        not_modified.accepted_media_type = response.accepted_media_type
        not_modified.renderer_context = response.renderer_context  # type: ignore[attr-defined]
        return not_modified
    return response
