"""Routes of the public pages: /request/… in English, /<lang>/request/… for each site language.

Only the five languages of the hotline match (settings.LANGUAGES); any other prefix is a 404. The
names are the same with and without a prefix: reverse("request-form") is /request/,
reverse("request-form", kwargs={"lang": "ar"}) is /ar/request/ (protect.public.pages.public_path).
"""

from __future__ import annotations

from protect.public.pages import public_path

from . import public_views

urlpatterns = [
    *public_path("request/", public_views.request_form, name="request-form"),
    *public_path("request/status/", public_views.request_status, name="request-status"),
    *public_path("request/status/leave/", public_views.request_status_leave, name="request-status-leave"),
]
