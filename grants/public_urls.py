"""Routes of the public pages: /request/… in English, /<lang>/request/… for each site language.

Only the five languages of the hotline match (settings.LANGUAGES); any other prefix is a 404. The
names are the same with and without a prefix: reverse("request-form") is /request/,
reverse("request-form", kwargs={"lang": "ar"}) is /ar/request/.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import path, re_path

from . import public_views

_LANG = "(?P<lang>" + "|".join(re.escape(code) for code, _name in settings.LANGUAGES) + ")"

urlpatterns = [
    path("request/", public_views.request_form, name="request-form"),
    path("request/status/", public_views.request_status, name="request-status"),
    path("request/status/leave/", public_views.request_status_leave, name="request-status-leave"),
    re_path(rf"^{_LANG}/request/$", public_views.request_form, name="request-form"),
    re_path(rf"^{_LANG}/request/status/$", public_views.request_status, name="request-status"),
    re_path(rf"^{_LANG}/request/status/leave/$", public_views.request_status_leave, name="request-status-leave"),
]
