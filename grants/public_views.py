"""The public pages of grants: the request form and its receipt. No account, no
JavaScript; the page wrapper, the language links and the spam resistance are protect.public's.

The receipt code and passphrase appear once, in the body of the POST response: never in a URL, a
log, the session or the cache. The status page they open is the kernel's (protect/cases/status_page.py).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from protect.core.errors import ProtectError
from protect.public.form_token import (
    form_token_check,
    form_token_issue,
    form_token_release,
    form_token_spend,
    form_token_used,
)
from protect.public.honeypot import decoy_receipt, honeypot_filled
from protect.public.pages import DEFAULT_LANGUAGE, language_links, public_page, public_url

from .public_forms import REQUEST_FORM, PublicRequestForm, service_error
from .services import grant_submit_public

logger = logging.getLogger(__name__)

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


grants_public_page = public_page(
    csrf_failed_context=_csrf_failed_context, csrf_failed_template="cases/public/csrf_failed.html"
)


# --- the request form -----------------------------------------------------------------------------


def _render_form(request: HttpRequest, url_lang: str | None, form: PublicRequestForm, *, token: str,
                 notice: str = "", status: int = 200) -> HttpResponse:
    context = _context(url_lang, "request-form", form=form, form_token=token, notice=notice)
    return render(request, "grants/public/request_form.html", context, status=status)


def _render_received(request: HttpRequest, url_lang: str | None, receipt_code: str, passphrase: str) -> HttpResponse:
    context = _context(url_lang, "request-form", receipt_code=receipt_code, passphrase=passphrase)
    return render(request, "grants/public/request_received.html", context)


def _render_already_received(request: HttpRequest, url_lang: str | None) -> HttpResponse:
    return render(request, "grants/public/request_already_received.html", _context(url_lang, "request-form"))


def _add_validation_errors(form: PublicRequestForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@grants_public_page
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    language = translation.get_language() or DEFAULT_LANGUAGE
    if request.method == "GET":
        return _render_form(request, url_lang, PublicRequestForm(language=language),
                            token=form_token_issue(purpose=REQUEST_FORM))

    # Nothing below counts against the global budget until the form token has proved a person
    # could have sent this (form_token_spend): junk must not use up the minute for everyone.
    if honeypot_filled(data=request.POST):
        # A robot. It gets a page like the real one; nothing is stored or counted.
        return _render_received(request, url_lang, *decoy_receipt(language=language))

    token = form_token_check(token=request.POST.get("form_token", ""), purpose=REQUEST_FORM)
    if token.problem in ("invalid", "expired"):
        form = PublicRequestForm(request.POST, language=language)
        form.is_valid()
        notice = _("This form was open for too long. Please look over your request and send it again.")
        return _render_form(request, url_lang, form, token=form_token_issue(purpose=REQUEST_FORM), notice=notice)
    if form_token_used(token=token):
        return _render_already_received(request, url_lang)

    form = PublicRequestForm(request.POST, request.FILES, language=language)
    valid = form.is_valid()
    if token.problem == "too_fast":
        notice = _("Please look over your request and send it again.")
        return _render_form(request, url_lang, form, token=request.POST["form_token"], notice=notice)
    if not valid or form.details is None:
        return _render_form(request, url_lang, form, token=request.POST["form_token"])

    spent = form_token_spend(token=token, bucket="request", per_minute=settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE)
    if spent == "used":
        return _render_already_received(request, url_lang)  # the same form, sent twice at once
    if spent == "busy":
        notice = _("Many requests are arriving right now. Please wait one minute, then send your request again. "
                   "What you typed is kept below.")
        return _render_form(request, url_lang, form, token=request.POST["form_token"], notice=notice, status=429)
    try:
        _grant, requester = grant_submit_public(
            defender_data=form.defender_data(), details=form.details, attachments=form.cleaned_data["attachments"]
        )
    except ProtectError as exc:
        form_token_release(token=token)
        field, message, known = service_error(exc)
        if not known:
            logger.warning("public request refused code=%s", exc.code)
        form.add_error(field, message)
        return _render_form(request, url_lang, form, token=request.POST["form_token"])
    except ValidationError as exc:  # defender_create's full_clean(): shown, never a 500
        form_token_release(token=token)
        _add_validation_errors(form, exc)
        return _render_form(request, url_lang, form, token=request.POST["form_token"])
    except BaseException:
        form_token_release(token=token)
        raise
    return _render_received(request, url_lang, requester.receipt_code, requester.passphrase)
