"""The no-JavaScript public page: its URLs with and without a language prefix, the language taken from
the URL alone, the links to the other languages, and a CSRF refusal shown as a calm translated page.

The language never comes from the Accept-Language header or a cookie: a shared or seized device
shows what the person chose, and nothing is guessed from where they connect.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.urls import URLPattern, path, re_path, reverse
from django.utils import translation
from django.utils.translation import get_language_info
from django.views.decorators.csrf import csrf_exempt

from protect.accounts.middleware import second_factor_exempt
from protect.core.csrf import ProtectCsrfViewMiddleware

csrf_logger = logging.getLogger("django.security.csrf")

DEFAULT_LANGUAGE = "en"  # a public URL without a language prefix is English
# Only the site's languages match as a prefix; any other (/de/…, /AR/…) is a 404.
_LANG = "(?P<lang>" + "|".join(re.escape(code) for code, _name in settings.LANGUAGES) + ")"

PublicView = Callable[..., HttpResponse]


def public_path(route: str, view: PublicView, *, name: str) -> list[URLPattern]:
    """`route` (e.g. "request/") in English and under each language prefix, both under one `name`:
    reverse(name) is /request/, reverse(name, kwargs={"lang": "ar"}) is /ar/request/."""
    return [
        path(route, view, name=name),
        re_path(rf"^{_LANG}/{re.escape(route)}$", view, name=name),
    ]


def public_re_path(regex: str, view: PublicView, *, name: str) -> list[URLPattern]:
    """public_path for a route with parameters, given as an unanchored regex with named groups
    (e.g. r"alerts/(?P<slug>[a-z0-9]+)/"); the view receives them as keyword arguments."""
    return [
        re_path(rf"^{regex}$", view, name=name),
        re_path(rf"^{_LANG}/{regex}$", view, name=name),
    ]


def public_url(*, name: str, url_lang: str | None, kwargs: dict[str, str] | None = None) -> str:
    """The URL named `name` in the language of the URL the person came by (None: no prefix)."""
    kwargs = dict(kwargs or {})
    return reverse(name, kwargs=kwargs | {"lang": url_lang}) if url_lang else reverse(name, kwargs=kwargs or None)


def language_links(*, page: str, url_lang: str | None, kwargs: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Links to the page named `page` (with its `kwargs`) in each other site language, for the language menu."""
    current = url_lang or DEFAULT_LANGUAGE
    return [
        {
            "code": code,
            "name": name,
            "url": public_url(name=page, url_lang=None if code == DEFAULT_LANGUAGE else code, kwargs=kwargs),
            "dir": "rtl" if get_language_info(code)["bidi"] else "ltr",
        }
        for code, name in settings.LANGUAGES
        if code != current
    ]


class _PublicCsrfCheck(ProtectCsrfViewMiddleware):
    """The site's own CSRF check (protect.core.csrf: a same-origin `Origin: null` from our
    no-referrer pages is accepted, the token is always required), run inside the public views so
    that a refusal is a calm page in the person's language rather than Django's English one."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        csrf_logger.warning("Forbidden (%s): %s", reason, request.path)
        return HttpResponseForbidden()


_csrf_check = _PublicCsrfCheck(lambda request: HttpResponse())


def public_page(
    *,
    csrf_failed_context: Callable[[str | None], dict[str, Any]],
    csrf_failed_template: str = "public/csrf_failed.html",
) -> Callable[[PublicView], PublicView]:
    """Serve a view in the language of its URL (`lang`, or English without a prefix), with
    Content-Language, behind the CSRF check above. The view is called as view(request, url_lang=…),
    with the route's other parameters as keyword arguments.

    A refused form gets `csrf_failed_template` (extending public/csrf_failed.html, which leaves a
    `links` block for the app's own way back) with `csrf_failed_context(url_lang)`."""

    def decorate(view: PublicView) -> PublicView:
        @wraps(view)
        def wrapper(request: HttpRequest, lang: str | None = None, **kwargs: Any) -> HttpResponse:
            language = lang or DEFAULT_LANGUAGE
            translation.activate(language)  # LocaleMiddleware guessed from the headers: the URL overrides it
            request.LANGUAGE_CODE = language
            if _csrf_check.process_view(request, view, (), {}) is not None:
                response = render(request, csrf_failed_template, csrf_failed_context(lang), status=403)
            else:
                response = view(request, url_lang=lang, **kwargs)
            response["Content-Language"] = language
            return response

        return csrf_exempt(second_factor_exempt(wrapper))  # exempt from the middleware: checked above

    return decorate
