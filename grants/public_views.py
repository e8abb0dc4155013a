"""The public pages of grants: the request form and its receipt. No account, no JavaScript; the
page wrapper, the language links, the spam resistance and the way a form is received are
protect.public's.

The receipt code and passphrase appear once, in the body of the POST response: never in a URL, a
log, the session or the cache. The status page they open is the kernel's (protect/cases/status_page.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from protect.public.pages import language_links, public_page, public_url
from protect.public.submission import PublicForm

from .public_forms import REQUEST_FORM, PublicRequestForm, service_error
from .services import grant_submit_public

# --- language and links -------------------------------------------------------------------------


def _context(url_lang: str | None, page: str, **extra: Any) -> dict[str, Any]:
    """What every grants public page shows: the other languages of `page`, and its own links."""
    urls = {
        "form": public_url(name="request-form", url_lang=url_lang),
        "status": public_url(name="request-status", url_lang=url_lang),
        "leave": public_url(name="request-status-leave", url_lang=url_lang),
    }
    return {"languages": language_links(page=page, url_lang=url_lang), "urls": urls, **extra}


def _csrf_failed_context(url_lang: str | None) -> dict[str, Any]:
    return _context(url_lang, "request-form")


# --- the request form -----------------------------------------------------------------------------


def _submit(form: PublicRequestForm) -> Any:
    assert form.details is not None
    _grant, requester = grant_submit_public(defender_data=form.defender_data(), details=form.details,
                                            attachments=form.cleaned_data["attachments"])
    return requester


REQUEST = PublicForm(
    purpose=REQUEST_FORM, form_class=PublicRequestForm, submit=_submit, explain=service_error,
    context=lambda url_lang: _context(url_lang, "request-form"), template="grants/public/request_form.html",
    received_template="grants/public/request_received.html",
    already_received_template="grants/public/request_already_received.html", receipt_shown_page="request-received",
)


grants_public_page = public_page(
    csrf_failed_context=_csrf_failed_context, csrf_failed_template="cases/public/csrf_failed.html",
    retype=REQUEST.retype,
)


@grants_public_page
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    return REQUEST.handle(request, url_lang)
