"""The host portal's routes, under /host/."""

from django.urls import path

from . import host_views

app_name = "relocation-host"
urlpatterns = [
    path("", host_views.portal, name="portal"),
    path("<str:reference>/", host_views.stay_detail, name="stay"),
    path("<str:reference>/accept/", host_views.accept, name="accept"),
    path("<str:reference>/decline/", host_views.decline, name="decline"),
    path("<str:reference>/arrival/", host_views.arrival, name="arrival"),
    path("<str:reference>/departure/", host_views.departure, name="departure"),
    path("<str:reference>/concern/", host_views.concern, name="concern"),
]
