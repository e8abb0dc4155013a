"""Routes of the accounts app (login and logout keep their global names in protect/urls.py)."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password-change"),
    path("2fa/setup/", views.second_factor_setup, name="2fa-setup"),
    path("2fa/verify/", views.second_factor_verify, name="2fa-verify"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("2fa/reset/<int:user_id>/", views.second_factor_reset, name="2fa-reset"),
    path("users/", views.users_list, name="users"),
    path("users/<int:user_id>/", views.user_detail, name="user-detail"),
    path("users/<int:user_id>/enrolment-code/", views.enrolment_code_issue, name="enrolment-code-issue"),
    path("users/<int:user_id>/disable/", views.user_disable, name="user-disable"),
    path("users/<int:user_id>/tokens/", views.api_token_issue, name="api-token-issue"),
    path("partners/", views.partner_organisations, name="partners"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
