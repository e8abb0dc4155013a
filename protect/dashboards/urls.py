"""Routes of the donor dashboard."""

from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [path("", views.dashboard, name="donor")]
