"""Every route of Protect. The permission-matrix test enumerates this resolver."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from protect.core import views as core_views

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("healthz", core_views.healthz, name="healthz"),
    path("csp-report/", core_views.csp_report, name="csp-report"),
    path("request/", core_views.request_placeholder, name="request-form"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", include("protect.audit.urls")),
    path("admin/", admin.site.urls),
]
