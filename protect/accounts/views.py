"""Accounts pages: login, second factor (enrol, verify, recovery codes, reset), password, and the
coordinators' account pages. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import base64
import io
from base64 import b32encode
from collections.abc import Callable
from typing import Any

import django_otp
import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.models import Device

from protect.core.errors import ProtectError

from . import selectors, services
from .forms import (
    LOGIN_FAILED,
    ApiTokenForm,
    CodeForm,
    EnrolmentCodeForm,
    LoginForm,
    PartnerOrganisationForm,
    ReasonForm,
)
from .lockout import logins_paused_for_everyone
from .middleware import second_factor_exempt
from .models import ApiToken, EnrolmentCode, RecoveryCodeDevice, User
from .permissions import is_coordinator, is_second_factor_verified, role_required
from .roles import Role
from .second_factor import has_second_factor, second_factor_url

# --- Login and logout ----------------------------------------------------------------------


class ProtectLoginView(LoginView):
    """Password step. Success leads to the second factor, never straight to a page."""

    form_class = LoginForm
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["login_failed_message"] = LOGIN_FAILED
        return context

    def get_success_url(self) -> str:
        return second_factor_url(self.request.user, self.get_redirect_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The global brake comes before any password is checked, so a refused attempt is neither
        # a guess nor a failure that would pause the name it gave.
        if logins_paused_for_everyone():
            return lockout_response(request)
        return super().post(request, *args, **kwargs)


login_view = second_factor_exempt(ProtectLoginView.as_view())
logout_view = second_factor_exempt(LogoutView.as_view())


@second_factor_exempt
def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """The admin has no login page of its own: one login page, one set of rules."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a locked-out attempt gets the very page a wrong password gets
    (same status, same message), so the answer never tells that the name is a real account."""
    if isinstance(original_response, HttpResponse) and original_response.status_code == 200:
        return original_response
    username = request.POST.get("username", "") if request.method == "POST" else ""
    context = {
        "form": LoginForm(request, initial={"username": username}),
        "login_failed": True,
        "login_failed_message": LOGIN_FAILED,
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context)


# --- Second factor -------------------------------------------------------------------------

# The id of the enrolment code this session typed in: only this session may then see the key.
ENROLMENT_CODE_SESSION_KEY = "protect_enrolment_code"


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _after_login_url(next_url: str) -> str:
    return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)


def _complete_second_factor(request: HttpRequest, device: Device) -> None:
    django_otp.login(request, device)
    # A new session key once fully logged in: a key seen before the second factor is worth nothing.
    request.session.cycle_key()


def _qr_data_uri(text: str) -> str:
    """The otpauth:// URI as a PNG data: URI, made here: no script, no request to anyone."""
    image = qrcode.make(text, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    next_url = _safe_next(request)
    if has_second_factor(user):
        # Enrolling again would let a stolen password replace the phone: verify, or ask for a reset.
        if is_second_factor_verified(user):
            return HttpResponseRedirect(_after_login_url(next_url))
        return HttpResponseRedirect(second_factor_url(user, next_url))
    enrolment_code_id = request.session.get(ENROLMENT_CODE_SESSION_KEY)
    if not EnrolmentCode.objects.redeemed(user=user, pk=enrolment_code_id).exists():
        return _enrolment_code_step(request, user, next_url)
    device = services.totp_device_for_enrolment(user=user, enrolment_code_id=enrolment_code_id)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.second_factor_enrol(user=user, device=device, code=form.cleaned_data["code"],
                                                         enrolment_code_id=enrolment_code_id)
        except ProtectError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop(ENROLMENT_CODE_SESSION_KEY, None)
            _complete_second_factor(request, device)
            return render(request, "accounts/recovery_codes_new.html",
                          {"codes": codes, "continue_url": _after_login_url(next_url), "first_time": True})
    secret = b32encode(device.bin_key).decode("ascii")
    return render(request, "accounts/2fa_setup.html", {
        "form": form,
        "qr_data_uri": _qr_data_uri(device.config_url),
        "secret": _grouped(secret),
        "next": next_url,
    })


def _enrolment_code_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """First step of enrolment: the code a coordinator gave out of band. Until it is accepted
    no authenticator key exists for this account, so none can be shown or scanned."""
    form = EnrolmentCodeForm(request.POST if request.method == "POST" and "enrolment_code" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            enrolment = services.enrolment_code_redeem(user=user, code=form.cleaned_data["enrolment_code"])
        except ProtectError as exc:
            form.add_error("enrolment_code", exc.message)
        else:
            request.session[ENROLMENT_CODE_SESSION_KEY] = enrolment.pk
            return HttpResponseRedirect(second_factor_url(user, next_url))
    return render(request, "accounts/2fa_enrolment_code.html", {"form": form, "next": next_url})


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    next_url = _safe_next(request)
    if is_second_factor_verified(user):
        return HttpResponseRedirect(_after_login_url(next_url))
    if not has_second_factor(user):
        return HttpResponseRedirect(second_factor_url(user, next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            _complete_second_factor(request, device)
            if isinstance(device, RecoveryCodeDevice):
                messages.warning(request, _("You used a recovery code; %(n)d are left. Make new ones on your "
                                            "account page if you are running out.") % {"n": device.codes.count()})
            return HttpResponseRedirect(_after_login_url(next_url))
        form.add_error("code", _("That code is not right, or there were too many attempts: wait a moment and "
                                 "try the next code."))
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.recovery_codes_regenerate(user=user, code=form.cleaned_data["code"])
        except ProtectError as exc:
            form.add_error("code", exc.message)
        else:
            return render(request, "accounts/recovery_codes_new.html",
                          {"codes": codes, "continue_url": reverse("accounts:account"), "first_time": False})
    return render(request, "accounts/recovery_codes.html",
                  {"form": form, "remaining": services.recovery_codes_remaining(user)})


def _reasoned_action_on_user(
    request: HttpRequest, user_id: int, *, act: Callable[..., Any], done: str, template: str
) -> HttpResponse:
    """A coordinator does something to an account, giving a reason: confirm page, service, back
    to the account's page. Bad input or a refusal re-shows the form and changes nothing."""
    target = selectors.user_for_coordination(viewer=request.user, pk=user_id)
    if target is None:
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(user=target, by=request.user, reason=form.cleaned_data["reason"])
        except ProtectError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done % {"user": target.get_username()})
            return HttpResponseRedirect(reverse("accounts:user-detail", args=[target.pk]))
    return render(request, template, {"form": form, "target": target})


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def second_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    target = selectors.user_for_coordination(viewer=request.user, pk=user_id)
    if target is None:
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            code = services.second_factor_reset(user=target, by=request.user,  # type: ignore[arg-type]
                                                reason=form.cleaned_data["reason"])
        except ProtectError as exc:
            form.add_error(None, exc.message)
        else:
            return _enrolment_code_page(request, target, code, reset=True)
    return render(request, "accounts/2fa_reset.html", {"form": form, "target": target})


@role_required(Role.COORDINATOR)
@require_POST
def enrolment_code_issue(request: HttpRequest, user_id: int) -> HttpResponse:
    """A fresh enrolment code for an account that has none that works (expired, used up)."""
    target = selectors.user_for_coordination(viewer=request.user, pk=user_id)
    if target is None:
        raise Http404
    try:
        code = services.enrolment_code_issue(user=target, by=request.user)  # type: ignore[arg-type]
    except ProtectError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("accounts:user-detail", args=[target.pk]))
    return _enrolment_code_page(request, target, code, reset=False)


def _enrolment_code_page(request: HttpRequest, target: User, code: str, *, reset: bool) -> HttpResponse:
    """The one time an enrolment code is shown (no-store, like every page): only its keyed hash is kept."""
    return render(request, "accounts/enrolment_code_new.html", {
        "target": target, "code": code, "reset": reset, "hours": settings.ENROLMENT_CODE_HOURS,
    })


# --- The account holder's own pages --------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(request, "accounts/account.html", {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "teams": selectors.teams_visible_to(viewer=user).filter(members=user),
        "recovery_remaining": services.recovery_codes_remaining(user),
        "is_coordinator": is_coordinator(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)  # runs AUTH_PASSWORD_VALIDATORS
    if request.method == "POST" and form.is_valid():
        services.user_password_change(user=user, password=form.cleaned_data["new_password1"], by=user)
        update_session_auth_hash(request, user)  # stay logged in here; other sessions end
        messages.success(request, _("Password changed. Your other sessions have ended."))
        return HttpResponseRedirect(reverse("accounts:account"))
    return render(request, "accounts/password_change.html", {"form": form})


# --- Coordinators: accounts, disabling, tokens ---------------------------------------------


@role_required(Role.COORDINATOR)
def users_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/users_list.html",
                  {"users": selectors.users_for_coordination(viewer=request.user)})


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def partner_organisations(request: HttpRequest) -> HttpResponse:
    """The partner organisations that use the API; a new one gets its partner account, on whose
    page tokens are issued."""
    form = PartnerOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.partner_organisation_ensure(name=form.cleaned_data["name"],
                                                                by=request.user)  # type: ignore[arg-type]
        except ProtectError as exc:
            form.add_error(None, exc.message)
        else:
            return HttpResponseRedirect(reverse("accounts:user-detail", args=[organisation.account_id]))
    return render(request, "accounts/partners.html", {
        "organisations": selectors.partner_organisations_for(viewer=request.user), "form": form,
    })


@role_required(Role.COORDINATOR)
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    target = selectors.user_for_coordination(viewer=request.user, pk=user_id)
    if target is None:
        raise Http404
    return render(request, "accounts/user_detail.html", {
        "target": target,
        "tokens": selectors.api_tokens_of(viewer=request.user, user=target),
        "token_form": ApiTokenForm(),
        "can_have_token": services.api_token_allowed_for(target),
        "enrolment_pending": EnrolmentCode.objects.filter(user=target).first(),
        "disable_form": ReasonForm(),
    })


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def user_disable(request: HttpRequest, user_id: int) -> HttpResponse:
    return _reasoned_action_on_user(
        request, user_id, act=services.user_disable, template="accounts/user_disable.html",
        done=_("Account disabled; its sessions ended and its API tokens were revoked."),
    )


@role_required(Role.COORDINATOR)
@require_POST
def api_token_issue(request: HttpRequest, user_id: int) -> HttpResponse:
    target = selectors.user_for_coordination(viewer=request.user, pk=user_id)
    if target is None:
        raise Http404
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_issue(user=target, name=form.cleaned_data["name"], by=request.user,  # type: ignore[arg-type]
                                                  scopes=form.cleaned_data["scopes"], expires_at=form.expires_at())
        except ProtectError as exc:
            messages.error(request, exc.message)
        else:
            return render(request, "accounts/api_token_new.html", {"target": target, "token": token, "raw": raw})
    else:
        messages.error(request, _("Give the token a name, at least one scope and a valid expiry."))
    return HttpResponseRedirect(reverse("accounts:user-detail", args=[target.pk]))


@role_required(Role.COORDINATOR)
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id)
    services.api_token_revoke(token=token, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return HttpResponseRedirect(reverse("accounts:user-detail", args=[token.user_id]))
