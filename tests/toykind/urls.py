"""The toy's pages, under /toys/ in the tests' URL conf."""

from django.urls import path

from . import views

app_name = "toykind"
urlpatterns = [
    path("<str:reference>/", views.case_detail, name="case"),
    path("<str:reference>/notes/", views.case_note, name="add-note"),
    path("<str:reference>/files/", views.case_upload, name="upload"),
    path("<str:reference>/files/<int:file_id>/", views.case_file, name="file"),
    path("<str:reference>/reveal/", views.case_reveal, name="reveal"),
    path("<str:reference>/new-receipt/", views.case_reissue_receipt, name="reissue-receipt"),
]
