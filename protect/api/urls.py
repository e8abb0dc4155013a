"""/api/v1/… (the partner API), /api/schema/ (OpenAPI 3) and /api/docs/ (rendered on the server)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import docs, views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    path("v1/referrals/", views.ReferralsView.as_view(), name="referrals"),
    path("v1/referrals/<str:reference>/", views.ReferralDetailView.as_view(), name="referral"),
    path("v1/referrals/<str:reference>/messages/", views.ReferralMessagesView.as_view(), name="referral-messages"),
    path("v1/webhooks/", views.WebhooksView.as_view(), name="webhooks"),
    path("v1/webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="webhook"),
    path("v1/webhooks/<int:pk>/deliveries/", views.WebhookDeliveriesView.as_view(), name="webhook-deliveries"),
]
