"""Staff routes of alerts, under /alert-desk/ (the public pages and feed have their own). The fixed
paths come before `<reference>/`, which would otherwise take them."""

from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.alert_new, name="new"),
    path("recipients/", views.recipients, name="recipients"),
    path("recipients/new/", views.recipient_new, name="recipient-new"),
    path("recipients/<int:recipient_id>/", views.recipient_edit, name="recipient-edit"),
    path("recipients/<int:recipient_id>/deactivate/", views.recipient_deactivate, name="recipient-deactivate"),
    path("recipients/<int:recipient_id>/reactivate/", views.recipient_reactivate, name="recipient-reactivate"),
    path("<str:reference>/", views.alert_page, name="alert"),
    path("<str:reference>/notes/", views.alert_note, name="add-note"),
    path("<str:reference>/files/", views.alert_upload, name="upload"),
    path("<str:reference>/files/<int:file_id>/", views.alert_file, name="file"),
    path("<str:reference>/reveal/", views.alert_reveal, name="reveal"),
    path("<str:reference>/edit/", views.alert_edit, name="edit"),
    path("<str:reference>/translate/", views.alert_translate, name="translate"),
    path("<str:reference>/review-translation/", views.alert_review_translation, name="review-translation"),
    path("<str:reference>/consent/", views.alert_consent, name="consent"),
    path("<str:reference>/revoke-consent/", views.alert_revoke_consent, name="revoke-consent"),
    path("<str:reference>/send-for-review/", views.alert_submit, name="submit-for-review"),
    path("<str:reference>/approve/", views.alert_approve, name="approve"),
    path("<str:reference>/return-to-draft/", views.alert_return, name="return-to-draft"),
    path("<str:reference>/publish/", views.alert_publish, name="publish"),
    path("<str:reference>/update/", views.alert_update, name="update"),
    path("<str:reference>/close/", views.alert_close, name="close"),
    path("<str:reference>/withdraw/", views.alert_withdraw, name="withdraw"),
]
