"""Routes of the grant request form: /request/ in English, /<lang>/request/ for each site language
(the status page is the kernel's, protect/cases/public_urls.py).

Only the five languages of the hotline match (settings.LANGUAGES); any other prefix is a 404. The
names are the same with and without a prefix: reverse("request-form") is /request/,
reverse("request-form", kwargs={"lang": "ar"}) is /ar/request/ (protect.public.pages.public_path).
"""

from __future__ import annotations

from protect.public.pages import public_path

from . import public_views

urlpatterns = [
    *public_path("request/", public_views.request_form, name="request-form"),
]
