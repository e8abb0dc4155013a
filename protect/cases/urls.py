"""Staff routes every kind shares: the search box and the defender page."""

from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("defenders/<str:reference>/", views.defender_page, name="defender"),
]
