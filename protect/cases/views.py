"""The staff pages every kind of case shares: look-up by reference, the action runner, and the
case-file actions (note, document, download, reveal). A kind mounts these with its own case page.

Each action posts to `/…/<reference>/<action>/`, calls one service and redirects on success
(POST/redirect/GET); refused input re-renders the case page with the service's message and the
HTTP status of the error, and changes nothing. A case the user may not see answers 404."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from protect.accounts.permissions import has_any_role, has_role, role_required
from protect.accounts.roles import CASE_HANDLERS, CASE_STAFF, INTAKE, PAYERS, Role
from protect.core.errors import NotFound, ProtectError, form_errors_from
from protect.crypto.fields import decryptions_seen
from protect.crypto.files import encrypted_file_response
from protect.defenders.selectors import defender_consents

from . import selectors
from .access import can_see_narrative
from .forms import ReissueReceiptForm
from .models import Case
from .payments import payment_sections
from .search import staff_search
from .services import casefile
from .services.notifications import notifications_seen
from .services.requester import case_reissue_receipt
from .services.search import search_record
from .services.transitions import case_transition


class RenderCase(Protocol):
    def __call__(self, request: HttpRequest, case: Any, /, *, status: int = 200,
                 bound: dict[str, forms.Form] | None = None, confidential: bool = False) -> HttpResponse: ...


def case_or_404(request: HttpRequest, model: type[Case], reference: str, related: tuple[str, ...] = ()) -> Any:
    try:
        return selectors.case_get_for(request.user, model, reference, related=related)
    except NotFound:
        raise Http404(_("No such case.")) from None


Done = str | Callable[[Any], str]  # the message after success, or a function of what the service returned


def act(
    request: HttpRequest, case: Case, name: str, form: forms.Form, run: Callable[[Any, dict[str, Any]], Any],
    done: Done, render: RenderCase, reload: Callable[[], Case],
) -> HttpResponse:
    """Validate `form`, run one service; on success redirect to the case with `done`; otherwise
    re-render the case page with the message and the form as filled in (nothing was changed).
    `done` may read the service's result: a repeat that changed nothing says so."""
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: correct what is marked in the form."))
        return render(request, case, status=400, bound={name: form})
    try:
        result = run(case, form.cleaned_data)
    except ProtectError as exc:
        form_errors_from(form, exc)
        messages.error(request, exc.message)
        return render(request, reload(), status=exc.status_code, bound={name: form})
    messages.success(request, done(result) if callable(done) else done)
    return redirect(case.get_absolute_url())


class NoteForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Note (confidential, for the team)"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (PDF, image, text, ODT or DOCX)"))


class CaseViews:
    """The pages every kind shares, for one kind: mount each as `<reference>/<action>/`.

    `render` is the kind's case page. Every way to it (the kind's own GET view through
    `self.render`, an action's re-render, the reveal) goes through `_audited_render`, so every view
    of decrypted case content is audited once, here, for every kind."""

    def __init__(self, model: type[Case], render: RenderCase, roles: tuple[Role, ...],
                 confidential_fields: list[str]) -> None:
        self.model, self.roles, self.confidential_fields = model, roles, confidential_fields
        self._render_page = render

    def render(self, request: HttpRequest, case: Any, /, *, status: int = 200,
               bound: dict[str, forms.Form] | None = None, confidential: bool = False) -> HttpResponse:
        """The kind's case page, audited as one view listing the fields it decrypted (read from the
        fields themselves as the page is built, so a new section cannot be forgotten)."""
        with decryptions_seen() as seen:
            response = self._render_page(request, case, status=status, bound=bound, confidential=confidential)
        casefile.case_record_view(case=case, by=request.user, decrypted=sorted(seen),
                                  revealed=self.confidential_fields if confidential else None)
        notifications_seen(user=request.user, case=case)
        return response

    def _case(self, request: HttpRequest, reference: str) -> Any:
        return case_or_404(request, self.model, reference)

    def act(self, request: HttpRequest, reference: str, name: str, form: forms.Form,
            run: Callable[[Any, dict[str, Any]], Any], done: Done) -> HttpResponse:
        return act(request, self._case(request, reference), name, form, run, done, self.render,
                   lambda: self._case(request, reference))

    def transition(self, action: str, form_class: type[forms.Form], done: str,
                   roles: tuple[Role, ...] | None = None) -> Callable[..., HttpResponse]:
        """A plain step of the table (reject, refer, withdraw, close…), its form's fields as params."""

        @role_required(*(roles or self.roles))
        @require_POST
        def view(request: HttpRequest, reference: str) -> HttpResponse:
            return self.act(request, reference, action, form_class(request.POST),
                            lambda case, data: case_transition(case=case, by=request.user, action=action, **data),
                            done)

        view.__name__ = view.__qualname__ = f"case_{action}"
        return view

    def note(self) -> Callable[..., HttpResponse]:
        @role_required(*self.roles)
        @require_POST
        def case_note(request: HttpRequest, reference: str) -> HttpResponse:
            return self.act(request, reference, "note", NoteForm(request.POST),
                             lambda case, data: casefile.case_add_note(case=case, by=request.user, body=data["body"]),
                             _("Note added."))

        return case_note

    def upload(self) -> Callable[..., HttpResponse]:
        @role_required(*self.roles)
        @require_POST
        def case_upload(request: HttpRequest, reference: str) -> HttpResponse:
            return self.act(request, reference, "upload", UploadForm(request.POST, request.FILES),
                             lambda case, data: casefile.case_add_document(case=case, by=request.user,
                                                                           uploaded_file=data["file"]),
                             _("File added."))

        return case_upload

    def download(self) -> Callable[..., HttpResponse]:
        @role_required(*self.roles)
        @require_GET
        def case_file(request: HttpRequest, reference: str, file_id: int) -> HttpResponse:
            case = self._case(request, reference)
            case_file = selectors.case_files_for(request.user, case).filter(pk=file_id).first()
            if case_file is None:
                raise Http404(_("No such file."))
            try:
                response: HttpResponse = encrypted_file_response(case_file.file)  # type: ignore[assignment]
            except ProtectError as exc:  # erased owner, missing or damaged file: refused before any byte
                messages.error(request, exc.message)
                return redirect(case.get_absolute_url())
            casefile.case_record_download(case=case, by=request.user, case_file=case_file)
            return response

        return case_file

    def reveal(self) -> Callable[..., HttpResponse]:
        @role_required(*self.roles)
        @require_POST
        def case_reveal(request: HttpRequest, reference: str) -> HttpResponse:
            """Show the confidential details, once per click, each time audited. The answer is the
            page itself (nothing to repeat on reload but another audited reveal)."""
            case = self._case(request, reference)
            if not can_see_narrative(request.user):
                messages.error(request, _("Finance does not see the confidential details of a case."))
                return self.render(request, case, status=403)
            if case.defender.is_erased:
                messages.error(request, _("The defender's data was erased; it can no longer be read."))
                return self.render(request, case, status=410)
            return self.render(request, case, confidential=True)  # audited as a reveal

        return case_reveal

    def reissue_receipt(self) -> Callable[..., HttpResponse]:
        @role_required(*self.roles)
        @require_POST
        def case_reissue_receipt_view(request: HttpRequest, reference: str) -> HttpResponse:
            """A new receipt for a requester who called back through a verified channel: shown once,
            in the answer to this POST, to be read out; stored nowhere. The form's `once` token
            makes a double click or a reload issue one receipt."""
            case = self._case(request, reference)
            form = ReissueReceiptForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Nothing was changed: correct what is marked in the form."))
                return self.render(request, case, status=400, bound={"reissue_receipt": form})
            key = f"cases:reissue:{request.user.pk}:{form.cleaned_data['once']}"
            if not cache.add(key, "", INTAKE_TOKEN_SECONDS):
                messages.info(request, _("A new receipt was already issued with this form and shown once. If it did "
                                         "not reach the requester, issue another one."))
                return redirect(case.get_absolute_url())
            try:
                requester = case_reissue_receipt(case=case, by=request.user,
                                                 verified_channel=form.cleaned_data["verified_channel"],
                                                 language=form.cleaned_data["language"])
            except ProtectError as exc:
                cache.delete(key)  # nothing was issued: the same form may be sent again
                form_errors_from(form, exc)
                messages.error(request, exc.message)
                return self.render(request, self._case(request, reference), status=exc.status_code,
                                   bound={"reissue_receipt": form})
            except BaseException:
                cache.delete(key)
                raise
            return render(request, "cases/staff/receipt_reissued.html", {
                "case": case, "requester": requester, "language": form.cleaned_data["language"]})

        return case_reissue_receipt_view


# --- lists ---------------------------------------------------------------------------------------


def queue_scopes(user: Any, *, fallback: str) -> list[tuple[str, str]]:
    """A queue's tabs for this user, the first the default; `fallback` names the one tab of a
    role that sees the kind only in some states (finance: "Approved grants")."""
    scopes: list[tuple[str, str]] = []
    if has_role(user, Role.COORDINATOR):
        scopes.append(("all", _("All cases")))
    if has_any_role(user, CASE_HANDLERS):
        scopes.append(("mine", _("My cases")))
    if has_any_role(user, INTAKE):
        scopes.append(("team", _("My team's cases")))
    if not scopes:
        scopes.append(("all", fallback))
    return scopes


def render_payments_inbox(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """The payments inbox: each kind's section, its rows read through the kind's scoped selector.
    A kind's payment action that is refused re-renders it with the message and the error's status."""
    sections = [{"key": section.key, "title": section.title, "template": section.template,
                 "rows": section.rows(request.user)} for section in payment_sections()]
    return render(request, "cases/staff/payments_inbox.html", {"sections": sections}, status=status)


@role_required(*PAYERS)
@require_GET
def payments_inbox(request: HttpRequest) -> HttpResponse:
    return render_payments_inbox(request)


# --- staff intake, once per form ------------------------------------------------------------------

INTAKE_TOKEN_SECONDS = 6 * 3600
_INTAKE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def record_once(
    request: HttpRequest, *, form_class: type[forms.Form], template: str, receipt_template: str,
    record: Callable[[Any], tuple[Any, Any]], already: str | None = None,
) -> HttpResponse:
    """A request taken by phone or secure messenger, recorded by `record(form)`. The receipt code
    and passphrase are shown once, in the answer to the POST, and stored nowhere; a one-time form
    token (`intake_token`) makes a reload or double click record the request once.

    Anything else made once per form (an alert drafted, a recipient whose new secret is shown once)
    uses the same token: `record` returns the object (with `get_absolute_url()`) and what the
    receipt shows, and `already` says what a repeat is told (%(reference)s: the object)."""
    if request.method == "GET":
        return render(request, template, {"form": form_class(initial={"intake_token": secrets.token_urlsafe(24)})})
    form = form_class(request.POST, request.FILES)
    token = request.POST.get("intake_token", "")
    if not _INTAKE_TOKEN.match(token):
        data = request.POST.copy()
        data["intake_token"] = secrets.token_urlsafe(24)
        messages.error(request, _("The form expired: check it and send it again."))
        return render(request, template, {"form": form_class(data)}, status=400)
    key = f"cases:intake:{request.user.pk}:{token}"
    if not cache.add(key, "", INTAKE_TOKEN_SECONDS):
        done = cache.get(key)
        if done:
            messages.info(request, (already or _("This request was already recorded as %(reference)s. The receipt "
                                                 "code and passphrase were shown once, when it was recorded."))
                          % {"reference": done[0]})
            return redirect(done[1])
        messages.error(request, _("This request is being recorded already: look for it in your queue."))
        return render(request, template, {"form": form}, status=409)
    case, status = None, 400
    try:
        if form.is_valid():
            case, requester = record(form)
    except ProtectError as exc:
        form_errors_from(form, exc)
        status = exc.status_code
    except BaseException:
        cache.delete(key)  # an unexpected failure recorded nothing either: let the form be sent again
        raise
    if case is None:
        cache.delete(key)  # nothing was recorded: the same form may be sent again
        messages.error(request, _("Nothing was recorded: correct what is marked below."))
        return render(request, template, {"form": form}, status=status)
    cache.set(key, (getattr(case, "reference", None) or str(case), case.get_absolute_url()), INTAKE_TOKEN_SECONDS)
    return render(request, receipt_template, {"case": case, "grant": case, "requester": requester})


# --- search and the defender page ----------------------------------------------------------------


def case_row(case: Case) -> dict[str, Any]:
    """A case of any kind as one line of a list: its kind in words, its status, its page."""
    return {"case": case, "kind": _(str(type(case)._meta.verbose_name).capitalize()),
            "status": case.get_status_display(), "url": case.get_absolute_url()}  # type: ignore[attr-defined]


@role_required(*CASE_STAFF)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = staff_search(request.user, query)
    if results.query:
        search_record(by=request.user, cases=len(results.cases), defenders=len(results.defenders))
    return render(request, "cases/staff/search.html", {
        "query": results.query, "cases": [case_row(case) for case in results.cases],
        "defenders": results.defenders, "count": results.count})


@role_required(*CASE_HANDLERS)
@require_GET
def defender_page(request: HttpRequest, reference: str) -> HttpResponse:
    """Who the defender is to us (no decrypted value) and every request of theirs the user may see."""
    try:
        defender = selectors.defender_get_for(request.user, reference)
    except NotFound:
        raise Http404(_("No such defender.")) from None
    return render(request, "cases/staff/defender.html", {
        "defender": defender,
        "requests": [case_row(case) for case in selectors.defender_requests_for(request.user, defender)],
        "consents": defender_consents(defender),
    })
