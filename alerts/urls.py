"""Staff routes of alerts, under /alert-desk/ (the public pages and feed will have their own)."""

from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("<str:reference>/", views.alert_page, name="alert"),
    path("<str:reference>/notes/", views.alert_note, name="add-note"),
    path("<str:reference>/files/", views.alert_upload, name="upload"),
    path("<str:reference>/files/<int:file_id>/", views.alert_file, name="file"),
    path("<str:reference>/reveal/", views.alert_reveal, name="reveal"),
    path("<str:reference>/new-receipt/", views.alert_reissue_receipt, name="reissue-receipt"),
    path("<str:reference>/send-for-review/", views.alert_submit, name="submit-for-review"),
    path("<str:reference>/approve/", views.alert_approve, name="approve"),
    path("<str:reference>/return-to-draft/", views.alert_return, name="return-to-draft"),
    path("<str:reference>/publish/", views.alert_publish, name="publish"),
    path("<str:reference>/update/", views.alert_update, name="update"),
    path("<str:reference>/close/", views.alert_close, name="close"),
    path("<str:reference>/withdraw/", views.alert_withdraw, name="withdraw"),
]
