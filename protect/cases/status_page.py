"""The requester's status page, the same for every kind of case: a receipt code and a passphrase
open it for a few minutes; it shows the status in one plain sentence and the caseworker's
questions, and takes answers. It never shows what the requester wrote: not the request, not
their name, not their own answers. The (anonymous) session keeps only which case and until when.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from protect.core.errors import NotFound, ProtectError
from protect.crypto.errors import CryptoError
from protect.public.form_token import form_token_check, form_token_issue, form_token_spend
from protect.public.pages import language_links, public_page, public_url
from protect.workflow import workflow_for

from .models import Case, CaseMessage
from .registry import case_model
from .services.casefile import case_requester_reply
from .services.requester import case_for_requester, receipt_fingerprint

logger = logging.getLogger(__name__)

# {"case": "grants.grant", "id": pk, "until": unix seconds, "receipt": which receipt opened it}
REQUESTER_SESSION_KEY = "protect_requester"
STATUS_LOGIN_FORM = "grants.public.status-login"  # the token purpose (kept: forms open during a deploy still work)
_TEXT = {"autocomplete": "off", "spellcheck": "false"}


class StatusLoginForm(forms.Form):
    receipt_code = forms.CharField(
        label=gettext_lazy("Receipt code"), max_length=40,
        widget=forms.TextInput(attrs={**_TEXT, "autocapitalize": "characters", "dir": "ltr"}))
    passphrase = forms.CharField(
        label=gettext_lazy("Passphrase"), max_length=300,
        widget=forms.TextInput(attrs={**_TEXT, "autocapitalize": "none"}))


class AnswerForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Your answer"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "dir": "auto"}))


def status_access_seconds() -> int:
    return settings.PROTECT_PUBLIC_STATUS_MINUTES * 60


def _context(url_lang: str | None, **extra: Any) -> dict[str, Any]:
    urls = {
        "form": public_url(name="request-form", url_lang=url_lang),
        "status": public_url(name="request-status", url_lang=url_lang),
        "leave": public_url(name="request-status-leave", url_lang=url_lang),
    }
    return {"languages": language_links(page="request-status", url_lang=url_lang), "urls": urls, **extra}


# Leaving and the page after the receipt: a refused post there has nothing typed to keep.
plain_status_page = public_page(csrf_failed_context=lambda url_lang: _context(url_lang),
                                csrf_failed_template="cases/public/csrf_failed.html")


def _case_in_session(request: HttpRequest) -> tuple[Case | None, bool]:
    """(the case this browser may see, whether an access just ended)."""
    access = request.session.get(REQUESTER_SESSION_KEY)
    if not isinstance(access, dict):
        return None, False
    if not isinstance(access.get("until"), int | float) or access["until"] < time.time():
        request.session.pop(REQUESTER_SESSION_KEY, None)
        return None, True
    case = None
    try:
        model = case_model(str(access.get("case")))
        if isinstance(access.get("id"), int):
            case = model._default_manager.select_related("defender__data_key").filter(pk=access["id"]).first()
    except (LookupError, ValueError):
        case = None
    # A receipt replaced since (a caseworker issued a new one) no longer opens the page.
    if case is None or not case.receipt_index or access.get("receipt") != receipt_fingerprint(case):
        request.session.pop(REQUESTER_SESSION_KEY, None)
        return None, True
    return case, False


def _thread_for_requester(case: Case) -> list[dict[str, Any]]:
    """The caseworkers' questions (decrypted) and only the dates of the requester's own answers."""
    thread: list[dict[str, Any]] = []
    for message in case.messages.all():  # type: ignore[attr-defined]
        if message.direction == CaseMessage.Direction.TO_REQUESTER:
            thread.append({"question": True, "text": message.body, "at": message.created_at})
        else:
            thread.append({"question": False, "at": message.created_at})  # the body is never read
    return thread


def _render_login(request: HttpRequest, url_lang: str | None, *, error: str = "", notice: str = "",
                  status: int = 200, typed: dict[str, str] | None = None) -> HttpResponse:
    # An empty form: the page never echoes a receipt code or a passphrase after a log-in was tried,
    # so a wrong guess is never shown back. `typed` only refills a log-in that was never tried (its
    # CSRF cookie was lost: _retype_status). Always a fresh form token: each log-in spends one.
    form = StatusLoginForm(initial=typed or {})
    if error:
        for field in form.fields.values():
            field.widget.attrs.update({"aria-describedby": "status-error", "aria-invalid": "true"})
    context = _context(url_lang, form=form, error=error, notice=notice,
                       form_token=form_token_issue(purpose=STATUS_LOGIN_FORM))
    return render(request, "cases/public/status_login.html", context, status=status)


def _render_status(request: HttpRequest, url_lang: str | None, case: Case, answer_form: AnswerForm,
                   notice: str = "") -> HttpResponse:
    try:
        thread = _thread_for_requester(case)
    except CryptoError:
        # The defender was erased, or a value failed to authenticate: show nothing, end the access.
        request.session.pop(REQUESTER_SESSION_KEY, None)
        return _render_login(request, url_lang, notice=_("This request can no longer be shown."))
    workflow = workflow_for(type(case))
    context = _context(
        url_lang, case_status=case.status, sentence=case.requester_sentence(), thread=thread,
        can_answer=workflow.in_group(case, "open"), answer_form=answer_form,
        waiting_for_answer=workflow.has("info_received") and workflow.can(case, None, "info_received"),
        minutes=status_access_seconds() // 60, notice=notice,
    )
    return render(request, "cases/public/status.html", context)


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
        case = case_for_requester(receipt_code=form.cleaned_data["receipt_code"],
                                  passphrase=form.cleaned_data["passphrase"])
    except NotFound:
        # Same words whether the receipt exists, the passphrase is wrong or the receipt is paused.
        return _render_login(request, url_lang, error=_("Receipt code or passphrase not recognised."))
    request.session.cycle_key()
    request.session[REQUESTER_SESSION_KEY] = {"case": case._meta.label_lower, "id": case.pk,
                                              "until": int(time.time()) + status_access_seconds(),
                                              "receipt": receipt_fingerprint(case)}
    return redirect(public_url(name="request-status", url_lang=url_lang))


def _reply_error(exc: ProtectError) -> str:
    if exc.code == "closed":
        return _("This request is closed; it cannot receive messages.")
    if exc.code == "answer":
        return _("Write your answer (10,000 characters at most).")
    logger.warning("requester reply refused code=%s", exc.code)
    return _("We could not save your answer. Please try again in a few minutes.")


def _retype_status(request: HttpRequest, url_lang: str | None) -> HttpResponse:
    """The CSRF cookie was lost (protect.public.pages): the log-in, or the answer, again with what
    was typed and nothing tried or sent. An answer is kept only while the page's access lasts."""
    notice = _("Your browser did not send back this site's cookie (it may have been deleted), so nothing was "
               "sent yet. What you typed is kept below: look it over and send it again.")
    if request.POST.get("action") == "answer":
        case, _ended = _case_in_session(request)
        if case is not None:
            return _render_status(request, url_lang, case, AnswerForm(request.POST), notice=notice)
        return _render_login(request, url_lang, notice=_(
            "Your time on the status page ended. Enter your receipt code and passphrase again."))
    fields = StatusLoginForm.base_fields
    typed = {name: request.POST.get(name, "")[: fields[name].max_length]  # type: ignore[attr-defined]
             for name in ("receipt_code", "passphrase")}
    return _render_login(request, url_lang, notice=notice, typed=typed)


status_page = public_page(csrf_failed_context=lambda url_lang: _context(url_lang),
                          csrf_failed_template="cases/public/csrf_failed.html", retype=_retype_status)


@status_page
@require_http_methods(["GET", "POST"])
def request_status(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    case, ended = _case_in_session(request)
    ended_notice = _("Your time on the status page ended. Enter your receipt code and passphrase again.")
    if request.method == "POST" and request.POST.get("action") == "answer":
        if case is None:
            return _render_login(request, url_lang, notice=ended_notice)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                case_requester_reply(case=case, body=form.cleaned_data["body"])
            except ProtectError as exc:
                form.add_error("body", _reply_error(exc))
            else:
                messages.success(request, _("Thank you. Your answer was sent."))
                return redirect(public_url(name="request-status", url_lang=url_lang))
        return _render_status(request, url_lang, case, form)
    if request.method == "POST":
        return _status_login(request, url_lang)
    if case is None:
        return _render_login(request, url_lang, notice=ended_notice if ended else "")
    return _render_status(request, url_lang, case, AnswerForm())


@plain_status_page
@require_GET
def receipt_shown(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    """Where the receipt page's language links lead: the receipt is shown once, in the answer to
    the form, and never again; this page says so calmly in the language chosen, and what to do next
    (the status page, or a new receipt from a caseworker who has checked who is calling)."""
    context = _context(url_lang) | {
        "languages": language_links(page="request-received", url_lang=url_lang),
        "home": public_url(name="landing", url_lang=url_lang),
    }
    return render(request, "cases/public/receipt_shown.html", context)


@plain_status_page
@require_POST
def request_status_leave(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    """End the status-page access now. An anonymous session is dropped whole (its cookie too)."""
    if request.user.is_authenticated:
        request.session.pop(REQUESTER_SESSION_KEY, None)
    else:
        request.session.flush()
    messages.info(request, _("You have left the status page."))
    return redirect(public_url(name="request-status", url_lang=url_lang))
