"""Routes of the donor dashboard."""

from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="donor"),
    path("export.csv", views.dashboard_export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.dashboard_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("report/<int:year>/", views.annual_report, name="report"),
    path("report/<int:year>/export.csv", views.annual_report_export, {"fmt": "csv"}, name="report_csv"),
    path("report/<int:year>/export.xlsx", views.annual_report_export, {"fmt": "xlsx"}, name="report_xlsx"),
]
