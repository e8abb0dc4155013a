"""The project's routes plus the toy kind's, so the permission matrix walks them too."""

from django.urls import include, path

from protect.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("toys/", include("tests.toykind.urls"))]
