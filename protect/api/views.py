"""The partner API, version 1. Thin: parse, call a service or a selector, answer. Every endpoint
is a PartnerView (token, scope, throttle, capped JSON, ETag, audit)."""

from __future__ import annotations

from functools import partial
from typing import Any

import django_filters
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from alerts.public_selectors import public_alerts
from protect.accounts.models import ApiScope
from protect.cases.models import Case, CaseMessage
from protect.core.errors import PROBLEM_MEDIA_TYPE
from protect.public.pages import public_url

from . import examples, selectors, services
from .models import Referral, ReferralStatus, WebhookSubscription
from .serializers import (
    AlertPageOut,
    AlertQuery,
    DeliveryOut,
    MessageIn,
    MessageOut,
    ProblemOut,
    ReferralIn,
    ReferralOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
)
from .wiring import AskedFilters, NewestFirst, PartnerView, instant

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="A unique key per intended request (a UUID). The same key with the same body returns the first "
                "answer; with another body, 422. Kept 24 hours.",
)
READ_REFUSALS = (400, 401, 403, 404, 429)
WRITE_REFUSALS = (400, 401, 403, 404, 413, 415, 422, 429)


def answers(ok: dict[int, Any], refusals: tuple[int, ...] = READ_REFUSALS) -> dict[Any, Any]:
    """The success answers of an operation and every refusal it may give, as problem details."""
    problem = OpenApiResponse(ProblemOut, description="Problem details (RFC 9457).", examples=[examples.PROBLEM])
    return dict(ok) | {(code, PROBLEM_MEDIA_TYPE): problem for code in refusals}


def referral_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Status rows (selectors.referral_page) exactly as ReferralOut declares them, built
    directly: the list is what partner systems poll, and a serializer field per value cost more than
    the rest of the request (schemathesis checks every answer against the declared schema)."""
    messages = reverse("api:referral-messages", args=["-"])[:-len("-/messages/")]  # one reverse a page
    return [{
        "reference": row["reference"], "kind": row["kind"], "status": row["status"],
        "status_text": row["status_text"], "urgency": row["urgency"], "submitted_at": instant(row["submitted_at"]),
        "status_changed_at": instant(row["status_changed_at"]),
        "messages_url": f"{messages}{row['reference']}/messages/",
    } for row in rows]


class ReferralFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=[("grant", "grant"), ("relocation", "relocation")])
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ReferralStatus
        fields = ["kind", "created_after", "created_before"]


class ReferralsView(PartnerView):
    scopes = {"GET": ApiScope.REFERRALS_READ, "POST": ApiScope.REFERRALS_WRITE}
    pagination_class = NewestFirst
    filterset_class = ReferralFilter
    serializer_class = ReferralOut

    queryset = ReferralStatus.objects.none()  # for the schema and the filters; rows come from the selector

    @extend_schema(operation_id="referrals_list", summary="Your referrals, newest first",
                   responses=answers({200: ReferralOut(many=True)}), examples=[examples.REFERRAL_LIST])
    def get(self, request: Request) -> Response:
        asked = AskedFilters().asked(request, self)
        paginator = self.paginator
        assert isinstance(paginator, NewestFirst)
        page = paginator.paginate_rows(partial(selectors.referral_page, partner=request.user, **asked), request)
        return self.get_paginated_response(referral_rows(page))

    @extend_schema(operation_id="referrals_create", summary="Refer a grant request or a relocation",
                   request=ReferralIn, parameters=[IDEMPOTENCY_KEY],
                   responses=answers({201: ReferralOut}, WRITE_REFUSALS),
                   examples=[examples.REFERRAL_GRANT_IN, examples.REFERRAL_RELOCATION_IN, examples.REFERRAL_OUT])
    def post(self, request: Request) -> Response:
        incoming = ReferralIn(data=request.data)
        incoming.is_valid(raise_exception=True)

        def produce() -> tuple[int, dict[str, Any]]:
            referral, _case = services.referral_create(
                partner=request.user, kind=incoming.validated_data["kind"],
                defender_data=incoming.defender_data(), details=incoming.details())
            return status.HTTP_201_CREATED, _status_row(request, referral.reference)

        return self.idempotent(request, produce)


class ReferralDetailView(PartnerView):
    scopes = {"GET": ApiScope.REFERRALS_READ}
    queryset = Referral.objects.none()  # for the schema

    @extend_schema(operation_id="referrals_retrieve", summary="One of your referrals",
                   responses=answers({200: ReferralOut}), examples=[examples.REFERRAL_OUT])
    def get(self, request: Request, reference: str) -> Response:
        return Response(_status_row(request, reference))


def _status_row(request: Request, reference: str) -> dict[str, Any]:
    """This partner's referral as the API shows it, or 404: another partner's reference is not
    found, not forbidden."""
    row = selectors.referral_status(partner=request.user, reference=reference)
    if row is None:
        raise Http404
    return referral_rows([row])[0]


def _own(request: Request, reference: str) -> Case:
    """The case behind this partner's referral, or 404 (as above)."""
    case = selectors.referral_case(partner=request.user, reference=reference)
    if case is None:
        raise Http404
    return case


def message_row(message: Any) -> dict[str, Any]:
    sender = "caseworker" if message.direction == CaseMessage.Direction.TO_REQUESTER else "partner"
    return {"id": message.pk, "sender": sender, "body": message.body, "created_at": message.created_at}


class ReferralMessagesView(PartnerView):
    scopes = {"GET": ApiScope.REFERRALS_READ, "POST": ApiScope.REFERRALS_WRITE}
    queryset = Referral.objects.none()  # for the schema

    @extend_schema(operation_id="referral_messages_list", summary="The conversation with the caseworker",
                   responses=answers({200: MessageOut(many=True)}), examples=[examples.MESSAGES_OUT])
    def get(self, request: Request, reference: str) -> Response:
        case = _own(request, reference)
        return Response(MessageOut([message_row(m) for m in selectors.referral_messages(case=case)], many=True).data)

    @extend_schema(operation_id="referral_messages_create", summary="Write to the caseworker",
                   request=MessageIn, parameters=[IDEMPOTENCY_KEY],
                   responses=answers({201: MessageOut}, WRITE_REFUSALS),
                   examples=[examples.MESSAGE_IN, examples.MESSAGE_OUT])
    def post(self, request: Request, reference: str) -> Response:
        case = _own(request, reference)
        incoming = MessageIn(data=request.data)
        incoming.is_valid(raise_exception=True)

        def produce() -> tuple[int, dict[str, Any]]:
            message = services.referral_message(partner=request.user, case=case, body=incoming.validated_data["body"])
            return status.HTTP_201_CREATED, dict(MessageOut(message_row(message)).data)

        return self.idempotent(request, produce)


def webhook_row(subscription: Any) -> dict[str, Any]:
    return {"id": subscription.pk, "url": subscription.endpoint.url, "events": subscription.events,
            "created_at": subscription.created_at}


class WebhooksView(PartnerView):
    scopes = {"GET": ApiScope.WEBHOOKS_MANAGE, "POST": ApiScope.WEBHOOKS_MANAGE}
    queryset = WebhookSubscription.objects.none()  # for the schema

    @extend_schema(operation_id="webhooks_list", summary="Your web hook receivers",
                   responses=answers({200: WebhookOut(many=True)}), examples=[examples.WEBHOOKS_OUT])
    def get(self, request: Request) -> Response:
        return Response(WebhookOut([webhook_row(w) for w in selectors.webhooks_for(partner=request.user)],
                                   many=True).data)

    @extend_schema(operation_id="webhooks_create", summary="Receive your referrals' status changes",
                   description="Each delivery is signed to the Standard Webhooks specification (webhook-id, "
                               "webhook-timestamp, webhook-signature) with the secret returned here once.",
                   request=WebhookIn, parameters=[IDEMPOTENCY_KEY],
                   responses=answers({201: WebhookCreatedOut}, WRITE_REFUSALS),
                   examples=[examples.WEBHOOK_IN, examples.WEBHOOK_CREATED_OUT])
    def post(self, request: Request) -> Response:
        incoming = WebhookIn(data=request.data)
        incoming.is_valid(raise_exception=True)

        def produce() -> tuple[int, dict[str, Any]]:
            subscription, secret = services.webhook_subscribe(
                partner=request.user, url=incoming.validated_data["url"], events=incoming.validated_data["events"])
            return status.HTTP_201_CREATED, dict(WebhookCreatedOut(webhook_row(subscription) | {"secret": secret}).data)

        return self.idempotent(request, produce)


def _own_webhook(request: Request, pk: int) -> Any:
    subscription = selectors.webhook_get(partner=request.user, pk=pk)
    if subscription is None:
        raise Http404
    return subscription


class WebhookDetailView(PartnerView):
    scopes = {"GET": ApiScope.WEBHOOKS_MANAGE, "DELETE": ApiScope.WEBHOOKS_MANAGE}
    queryset = WebhookSubscription.objects.none()  # for the schema

    @extend_schema(operation_id="webhooks_retrieve", summary="One web hook receiver",
                   responses=answers({200: WebhookOut}), examples=[examples.WEBHOOK_OUT])
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookOut(webhook_row(_own_webhook(request, pk))).data)

    @extend_schema(operation_id="webhooks_destroy", summary="Stop sending to a receiver",
                   responses=answers({204: None}))
    def delete(self, request: Request, pk: int) -> Response:
        services.webhook_unsubscribe(partner=request.user, subscription=_own_webhook(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesView(PartnerView):
    scopes = {"GET": ApiScope.WEBHOOKS_MANAGE}
    queryset = WebhookSubscription.objects.none()  # for the schema
    pagination_class = NewestFirst
    serializer_class = DeliveryOut

    @extend_schema(operation_id="webhook_deliveries_list", summary="The delivery log of a receiver",
                   responses=answers({200: DeliveryOut(many=True)}), examples=[examples.DELIVERIES_OUT])
    def get(self, request: Request, pk: int) -> Response:
        subscription = _own_webhook(request, pk)
        page = self.paginate_queryset(selectors.webhook_deliveries(subscription=subscription))
        assert page is not None
        rows = [{"id": d.pk, "webhook_id": f"msg_{d.message_id.hex}", "event": d.subject, "status": d.status,
                 "attempts": d.attempts, "last_error": d.last_error, "created_at": d.created_at,
                 "sent_at": d.sent_at} for d in page]
        return self.get_paginated_response(DeliveryOut(rows, many=True).data)


class AlertsView(PartnerView):
    """Published alerts, exactly as their public pages show them (consented text only)."""

    scopes = {"GET": ApiScope.ALERTS_READ}
    queryset = Referral.objects.none()  # for the schema

    @extend_schema(operation_id="alerts_list", summary="Published alerts, only what the defenders consented to",
                   description="Newest news first, 20 a page; the same text as the public pages and feed, in "
                               "your language where a reviewed translation exists.",
                   parameters=[AlertQuery], responses=answers({200: AlertPageOut}), examples=[examples.ALERTS_OUT])
    def get(self, request: Request) -> Response:
        query = AlertQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = query.validated_data["page"]
        alerts, more = public_alerts(language=query.validated_data["language"], page=page)
        rows = [vars(alert) | {
            "url": public_url(name="alerts-public-alert", url_lang=None, kwargs={"slug": alert.slug}),
            "updates": [vars(update) for update in alert.updates],
        } for alert in alerts]
        return Response(AlertPageOut({"results": rows, "next_page": page + 1 if more else None}).data)
