"""The public pages of relocation: the application form and its receipt. No account, no
JavaScript; the page wrapper, the language links, the spam resistance and the way a form is
received are protect.public's; the status page the receipt opens is the kernel's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from protect.public.pages import language_links, public_page, public_url
from protect.public.submission import PublicForm

from .public_forms import APPLICATION_FORM, RelocationApplicationForm, service_error
from .services import relocation_apply_public


def _context(url_lang: str | None) -> dict[str, Any]:
    urls = {
        "form": public_url(name="relocation-apply", url_lang=url_lang),
        "status": public_url(name="request-status", url_lang=url_lang),
    }
    return {"languages": language_links(page="relocation-apply", url_lang=url_lang), "urls": urls}


def _submit(form: RelocationApplicationForm) -> Any:
    assert form.details is not None
    _relocation, requester = relocation_apply_public(defender_data=form.defender_data(), details=form.details)
    return requester


APPLICATION = PublicForm(
    purpose=APPLICATION_FORM, form_class=RelocationApplicationForm, submit=_submit, explain=service_error,
    context=_context, template="relocation/public/application_form.html",
    received_template="relocation/public/application_received.html",
    already_received_template="relocation/public/application_already_received.html",
    receipt_shown_page="request-received",
)


relocation_public_page = public_page(csrf_failed_context=_context,
                                     csrf_failed_template="cases/public/csrf_failed.html", retype=APPLICATION.retype)


@relocation_public_page
@require_http_methods(["GET", "POST"])
def application_form(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    return APPLICATION.handle(request, url_lang)
