"""Staff routes of relocations, under /relocations/ (the public application has its own routes)."""

from django.urls import path

from . import views

app_name = "relocation"
urlpatterns = [
    path("", views.board, name="board"),
    path("<str:reference>/", views.case_detail, name="case"),
    path("<str:reference>/reveal/", views.case_reveal, name="reveal"),
    path("<str:reference>/notes/", views.case_note, name="add-note"),
    path("<str:reference>/files/", views.case_upload, name="upload"),
    path("<str:reference>/files/<int:file_id>/", views.case_file, name="file"),
    path("<str:reference>/ask/", views.case_ask, name="ask"),
    path("<str:reference>/family/", views.case_family, name="family"),
    path("<str:reference>/assess/", views.case_assess, name="assess"),
    path("<str:reference>/match/", views.case_match, name="match"),
    path("<str:reference>/start/", views.case_start, name="start-residence"),
    path("<str:reference>/extend/", views.case_extend, name="extend"),
    path("<str:reference>/end/", views.case_end, name="end"),
    path("<str:reference>/cancel/", views.case_cancel, name="cancel"),
    path("<str:reference>/checklist/", views.case_checklist, name="checklist"),
    path("<str:reference>/budget/", views.case_budget, name="budget"),
    path("<str:reference>/budget/remove/", views.case_budget_remove, name="budget-remove"),
    path("<str:reference>/confirm-stipend/", views.case_confirm_stipend, name="confirm-stipend"),
    path("<str:reference>/checkin/", views.case_checkin, name="checkin"),
]
