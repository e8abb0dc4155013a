"""The public pages of grants: the request form, its receipt, and the status page. No account, no
JavaScript; the page wrapper, the language links and the spam resistance are protect.public's.

The receipt code and passphrase appear once, in the body of the POST response: never in a URL, a
log, the session or the cache. The status page keeps only the grant's id and an expiry in the
(anonymous) session, and never shows what the requester wrote: not the request, not their name,
not their own answers.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from protect.cases.models import CaseMessage
from protect.cases.services.casefile import case_requester_reply
from protect.cases.services.requester import case_for_requester
from protect.core.errors import NotFound, ProtectError
from protect.crypto.errors import CryptoError
from protect.public.form_token import (
    form_token_check,
    form_token_issue,
    form_token_release,
    form_token_spend,
    form_token_used,
)
from protect.public.honeypot import decoy_receipt, honeypot_filled
from protect.public.pages import DEFAULT_LANGUAGE, language_links, public_page, public_url

from .models import Grant
from .public_forms import REQUEST_FORM, STATUS_LOGIN_FORM, AnswerForm, PublicRequestForm, StatusLoginForm, service_error
from .services import grant_submit_public
from .workflow import GRANT_WORKFLOW

logger = logging.getLogger(__name__)

REQUESTER_SESSION_KEY = "protect_requester"  # {"grant": pk, "until": unix seconds}: nothing else

S = Grant.Status
# One plain sentence per status, as the requester reads it.
STATUS_SENTENCES: dict[str, Any] = {
    S.SUBMITTED: gettext_lazy("We received your request. A caseworker will look at it soon."),
    S.TRIAGE: gettext_lazy("We are looking at your request."),
    S.INFO_REQUESTED: gettext_lazy("We asked you a question: please answer below."),
    S.UNDER_REVIEW: gettext_lazy("Your request is being reviewed for a decision."),
    S.APPROVED: gettext_lazy("Your grant was approved; payment is being arranged."),
    S.DISBURSING: gettext_lazy("Your grant is being paid."),
    S.REPORTING: gettext_lazy("Your grant was paid. We may ask you how it was used."),
    S.CLOSED: gettext_lazy("Your grant is complete and the request is closed."),
    S.REJECTED: gettext_lazy("We cannot fund this request. We are sorry."),
    S.REFERRED: gettext_lazy("We passed your request to another organisation that can help."),
    S.WITHDRAWN: gettext_lazy("This request was withdrawn."),
}


def status_access_seconds() -> int:
    return settings.PROTECT_PUBLIC_STATUS_MINUTES * 60


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
    csrf_failed_context=_csrf_failed_context, csrf_failed_template="grants/public/csrf_failed.html"
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


# --- the status page ------------------------------------------------------------------------------


def _grant_in_session(request: HttpRequest) -> tuple[Grant | None, bool]:
    """(the grant this browser may see, whether an access just ended)."""
    access = request.session.get(REQUESTER_SESSION_KEY)
    if not isinstance(access, dict):
        return None, False
    if not isinstance(access.get("until"), int | float) or access["until"] < time.time():
        request.session.pop(REQUESTER_SESSION_KEY, None)
        return None, True
    grant_id = access.get("grant")
    grant = (Grant.objects.select_related("defender__data_key").filter(pk=grant_id).first()
             if isinstance(grant_id, int) else None)
    if grant is None or not grant.receipt_index:
        request.session.pop(REQUESTER_SESSION_KEY, None)
        return None, True
    return grant, False


def _thread_for_requester(grant: Grant) -> list[dict[str, Any]]:
    """The caseworkers' questions (decrypted) and only the dates of the requester's own answers."""
    thread: list[dict[str, Any]] = []
    for message in grant.messages.all():
        if message.direction == CaseMessage.Direction.TO_REQUESTER:
            thread.append({"question": True, "text": message.body, "at": message.created_at})
        else:
            thread.append({"question": False, "at": message.created_at})  # the body is never read
    return thread


def _render_login(request: HttpRequest, url_lang: str | None, *, error: str = "", notice: str = "",
                  status: int = 200) -> HttpResponse:
    # Always an empty form: the page never echoes a receipt code or a passphrase. Always a fresh
    # form token: each log-in spends one.
    form = StatusLoginForm()
    if error:
        for field in form.fields.values():
            field.widget.attrs.update({"aria-describedby": "status-error", "aria-invalid": "true"})
    context = _context(url_lang, "request-status", form=form, error=error, notice=notice,
                       form_token=form_token_issue(purpose=STATUS_LOGIN_FORM))
    return render(request, "grants/public/status_login.html", context, status=status)


def _render_status(request: HttpRequest, url_lang: str | None, grant: Grant, answer_form: AnswerForm) -> HttpResponse:
    try:
        thread = _thread_for_requester(grant)
    except CryptoError:
        # The defender was erased, or a value failed to authenticate: show nothing, end the access.
        request.session.pop(REQUESTER_SESSION_KEY, None)
        return _render_login(request, url_lang, notice=_("This request can no longer be shown."))
    context = _context(
        url_lang, "request-status", grant_status=grant.status, sentence=STATUS_SENTENCES.get(grant.status, ""),
        thread=thread, can_answer=GRANT_WORKFLOW.in_group(grant, "open"), answer_form=answer_form,
        minutes=status_access_seconds() // 60,
    )
    return render(request, "grants/public/status.html", context)


def _status_login(request: HttpRequest, url_lang: str | None) -> HttpResponse:
    # Checked in this order so that only a complete log-in carrying a valid, unused form token at
    # least the minimum seconds old counts against the global budget (and reaches the password
    # hash): junk POSTs cannot use up the minute and lock real requesters out.
    form = StatusLoginForm(request.POST)
    if not form.is_valid():
        return _render_login(request, url_lang, error=_("Enter your receipt code and your passphrase."))
    # Forged, expired, too fast or already used: a fresh form, and nothing was tried or counted.
    again = _("Please enter your receipt code and passphrase again.")
    token = form_token_check(token=request.POST.get("form_token", ""), purpose=STATUS_LOGIN_FORM)
    if not token.usable:
        return _render_login(request, url_lang, notice=again)
    spent = form_token_spend(token=token, bucket="status-login",
                             per_minute=settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE)
    if spent == "used":
        return _render_login(request, url_lang, notice=again)
    if spent == "busy":
        return _render_login(request, url_lang, status=429, notice=_(
            "Many people are using this page right now. Please wait one minute and try again."))
    try:
        grant = case_for_requester(receipt_code=form.cleaned_data["receipt_code"],
                                    passphrase=form.cleaned_data["passphrase"])
    except NotFound:
        # Same words whether the receipt exists, the passphrase is wrong or the receipt is paused.
        return _render_login(request, url_lang, error=_("Receipt code or passphrase not recognised."))
    request.session.cycle_key()
    request.session[REQUESTER_SESSION_KEY] = {"grant": grant.pk, "until": int(time.time()) + status_access_seconds()}
    return redirect(public_url(name="request-status", url_lang=url_lang))


def _reply_error(exc: ProtectError) -> str:
    if exc.code == "closed":
        return _("This request is closed; it cannot receive messages.")
    if exc.code == "answer":
        return _("Write your answer (10,000 characters at most).")
    logger.warning("requester reply refused code=%s", exc.code)
    return _("We could not save your answer. Please try again in a few minutes.")


@grants_public_page
@require_http_methods(["GET", "POST"])
def request_status(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    grant, ended = _grant_in_session(request)
    ended_notice = _("Your time on the status page ended. Enter your receipt code and passphrase again.")
    if request.method == "POST" and request.POST.get("action") == "answer":
        if grant is None:
            return _render_login(request, url_lang, notice=ended_notice)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                case_requester_reply(case=grant, body=form.cleaned_data["body"])
            except ProtectError as exc:
                form.add_error("body", _reply_error(exc))
            else:
                messages.success(request, _("Thank you. Your answer was sent."))
                return redirect(public_url(name="request-status", url_lang=url_lang))
        return _render_status(request, url_lang, grant, form)
    if request.method == "POST":
        return _status_login(request, url_lang)
    if grant is None:
        return _render_login(request, url_lang, notice=ended_notice if ended else "")
    return _render_status(request, url_lang, grant, AnswerForm())


@grants_public_page
@require_POST
def request_status_leave(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    """End the status-page access now. An anonymous session is dropped whole (its cookie too)."""
    if request.user.is_authenticated:
        request.session.pop(REQUESTER_SESSION_KEY, None)
    else:
        request.session.flush()
    messages.info(request, _("You have left the status page."))
    return redirect(public_url(name="request-status", url_lang=url_lang))
