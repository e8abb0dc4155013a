"""Every route of Protect. The permission-matrix test enumerates this resolver."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from protect.accounts import views as accounts_views
from protect.core import views as core_views

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("healthz", core_views.healthz, name="healthz"),
    path("csp-report/", core_views.csp_report, name="csp-report"),
    path("", include("grants.public_urls")),  # the public request form, in five languages
    path("", include("relocation.public_urls")),  # the public relocation application, in five languages
    path("", include("protect.cases.public_urls")),  # the requester's status page, for every kind of case
    # accounts: login/logout keep their global names; the rest is namespaced "accounts:"
    path("accounts/login/", accounts_views.login_view, name="login"),
    path("accounts/logout/", accounts_views.logout_view, name="logout"),
    path("accounts/", include("protect.accounts.urls")),
    path("admin/login/", accounts_views.admin_login_redirect),  # one login page, with 2FA and throttling
    # end accounts
    path("audit/", include("protect.audit.urls")),
    path("dashboard/", include("protect.dashboards.urls")),
    path("cases/", include("grants.urls")),  # staff pages of grants
    path("relocations/", include("relocation.urls")),  # staff pages of relocations
    path("alert-desk/", include("alerts.urls")),  # staff pages of alerts
    path("api/", include("protect.api.urls")),  # the partner API, its schema and docs
    path("admin/", admin.site.urls),
]

# Error pages in the language of the URL (or the active one), inside the site's layout.
handler400 = "protect.core.views.bad_request"
handler403 = "protect.core.views.permission_denied"
handler404 = "protect.core.views.page_not_found"
handler500 = "protect.core.views.server_error"
