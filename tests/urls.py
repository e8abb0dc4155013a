"""The project's routes plus the toy kind's, so the permission matrix walks them too."""

from django.urls import include, path

from protect import urls as project_urls

urlpatterns = [*project_urls.urlpatterns, path("toys/", include("tests.toykind.urls"))]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
