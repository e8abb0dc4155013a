"""Staff routes of grants, under /cases/ (the public request form has its own routes)."""

from django.urls import path

from protect.cases.views import payments_inbox

from . import views

app_name = "grants"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("review/", views.review_inbox, name="review-inbox"),
    path("payments/", payments_inbox, name="payments"),  # the kernel's: every kind's payments, one inbox
    path("new/", views.hotline_new, name="hotline-new"),
    path("<str:reference>/", views.case_detail, name="case"),
    path("<str:reference>/reveal/", views.case_reveal, name="reveal"),
    path("<str:reference>/files/", views.case_upload, name="upload"),
    path("<str:reference>/files/<int:file_id>/", views.case_file, name="file"),
    path("<str:reference>/eligibility/", views.case_eligibility, name="eligibility"),
    path("<str:reference>/ask/", views.case_ask, name="ask"),
    path("<str:reference>/send-for-review/", views.case_submit_for_review, name="submit-for-review"),
    path("<str:reference>/review/", views.case_review, name="record-review"),
    path("<str:reference>/approve/", views.case_approve, name="approve"),
    path("<str:reference>/reject/", views.case_reject, name="reject"),
    path("<str:reference>/refer/", views.case_refer, name="refer"),
    path("<str:reference>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<str:reference>/return-to-triage/", views.case_return_to_triage, name="return-to-triage"),
    path("<str:reference>/pay/", views.case_payment, name="record-payment"),
    path("<str:reference>/report/", views.case_report, name="receive-report"),
    path("<str:reference>/waive-report/", views.case_waive, name="waive-report"),
    path("<str:reference>/close/", views.case_close, name="close"),
    path("<str:reference>/resume-triage/", views.case_resume_triage, name="resume-triage"),
    path("<str:reference>/notes/", views.case_note, name="add-note"),
]
