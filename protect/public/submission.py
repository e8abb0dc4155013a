"""The one way a public form is received, whatever it asks for (a grant request, a relocation
application): the honeypot, the single-use form token, the global budget, the service, and the
receipt shown once. No IP address is looked at; junk never counts against the budget.

Nothing counts against the global budget until the form token has proved that a person could
have sent the form (form_token_spend), so junk cannot use up the minute for everyone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from protect.core.errors import InvalidInput, ProtectError, form_errors_from

from .form_token import form_token_check, form_token_issue, form_token_release, form_token_spend, form_token_used
from .honeypot import decoy_receipt, honeypot_filled
from .pages import DEFAULT_LANGUAGE, language_links

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublicForm:
    purpose: str  # the form token's purpose: a token served with another form is worth nothing here
    form_class: Callable[..., forms.Form]  # called with (data, files, language=…); `ready` once valid
    submit: Callable[[Any], Any]  # the service: returns the requester's secrets, raises ProtectError
    explain: Callable[[ProtectError], tuple[str | None, str, bool]]  # (field, message, known) in the page's language
    context: Callable[[str | None], dict[str, Any]]  # the page's links, for every template below
    template: str
    received_template: str
    already_received_template: str
    # The page the receipt's language links lead to (and a reload's): the receipt is never shown
    # again, so switching language shows what to do next, in that language, rather than a blank form.
    receipt_shown_page: str
    bucket: str = "request"

    def _form(self, request: HttpRequest, url_lang: str | None, form: forms.Form, *, token: str,
              notice: str = "", status: int = 200) -> HttpResponse:
        context = self.context(url_lang) | {"form": form, "form_token": token, "notice": notice}
        return render(request, self.template, context, status=status)

    def _after_receipt_context(self, url_lang: str | None) -> dict[str, Any]:
        return self.context(url_lang) | {"languages": language_links(page=self.receipt_shown_page, url_lang=url_lang)}

    def _received(self, request: HttpRequest, url_lang: str | None, code: str, passphrase: str) -> HttpResponse:
        context = self._after_receipt_context(url_lang) | {"receipt_code": code, "passphrase": passphrase}
        return render(request, self.received_template, context)

    def retype(self, request: HttpRequest, url_lang: str | None) -> HttpResponse:
        """The form again with what was typed, after the CSRF cookie was lost (protect.public.pages):
        checked, so that every error shows in this same round, and acted upon in no way. Its form
        token is kept while it is still good, so the person only has to press Send again."""
        language = translation.get_language() or DEFAULT_LANGUAGE
        form = self.form_class(request.POST, language=language)
        form.is_valid()
        sent = request.POST.get("form_token", "")
        checked = form_token_check(token=sent, purpose=self.purpose)
        usable = checked.problem in ("", "too_fast") and not form_token_used(token=checked)
        notice = _("Your browser did not send back this site's cookie (it may have been deleted), so nothing was "
                   "sent yet. What you typed is kept below: look it over and send it again. Files cannot be "
                   "kept: if you chose any, choose them again.")
        return self._form(request, url_lang, form, token=sent if usable else form_token_issue(purpose=self.purpose),
                          notice=notice)

    def handle(self, request: HttpRequest, url_lang: str | None) -> HttpResponse:
        language = translation.get_language() or DEFAULT_LANGUAGE
        if request.method != "POST":
            return self._form(request, url_lang, self.form_class(language=language),
                              token=form_token_issue(purpose=self.purpose))
        if honeypot_filled(data=request.POST):
            # A robot. It gets a page like the real one; nothing is stored or counted.
            return self._received(request, url_lang, *decoy_receipt(language=language))
        already = render(request, self.already_received_template, self._after_receipt_context(url_lang))
        token = form_token_check(token=request.POST.get("form_token", ""), purpose=self.purpose)
        if token.problem in ("invalid", "expired"):
            form = self.form_class(request.POST, language=language)
            form.is_valid()
            notice = _("This form was open for too long. Please look over your request and send it again.")
            return self._form(request, url_lang, form, token=form_token_issue(purpose=self.purpose), notice=notice)
        if form_token_used(token=token):
            return already
        form = self.form_class(request.POST, request.FILES, language=language)
        valid = form.is_valid()
        sent_token = request.POST["form_token"]
        if token.problem == "too_fast":
            notice = _("Please look over your request and send it again.")
            return self._form(request, url_lang, form, token=sent_token, notice=notice)
        if not valid or not getattr(form, "ready", True):
            return self._form(request, url_lang, form, token=sent_token)
        spent = form_token_spend(token=token, bucket=self.bucket,
                                 per_minute=settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE)
        if spent == "used":
            return already  # the same form, sent twice at once
        if spent == "busy":
            notice = _("Many requests are arriving right now. Please wait one minute, then send your request "
                       "again. What you typed is kept below.")
            return self._form(request, url_lang, form, token=sent_token, notice=notice, status=429)
        try:
            requester = self.submit(form)
        except InvalidInput as exc:  # the defender's own validation: shown beside its fields
            form_token_release(token=token)
            form_errors_from(form, exc)
            return self._form(request, url_lang, form, token=sent_token)
        except ProtectError as exc:
            form_token_release(token=token)
            field, message, known = self.explain(exc)
            if not known:
                logger.warning("public form refused purpose=%s code=%s", self.purpose, exc.code)
            form.add_error(field, message)
            return self._form(request, url_lang, form, token=sent_token)
        except BaseException:
            form_token_release(token=token)
            raise
        return self._received(request, url_lang, requester.receipt_code, requester.passphrase)
