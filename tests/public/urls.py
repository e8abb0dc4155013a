"""A URLconf for the kit's own tests: one public page built from protect.public alone, beside the site."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import translation
from django.views.decorators.http import require_http_methods

from protect.public.pages import language_links, public_page, public_path


def _csrf_failed_context(url_lang: str | None) -> dict[str, Any]:
    return {"languages": language_links(page="kit-page", url_lang=url_lang)}


@public_page(csrf_failed_context=_csrf_failed_context)
@require_http_methods(["GET", "POST"])
def kit_page(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    return HttpResponse(f"language={translation.get_language()} url_lang={url_lang or '-'}")


urlpatterns = [
    *public_path("kit-page/", kit_page, name="kit-page"),
    path("", include("protect.urls")),
]
