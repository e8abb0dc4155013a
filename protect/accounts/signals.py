"""Login, logout and lockout: stamp the session and write the security events to the audit log;
and a second-factor device's data key goes with the device.

No IP address, user agent or typed user name is recorded: a failed login names the account only
when it exists (a mistyped name may be a password or a person's real name)."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest

from protect.audit.services import log_event
from protect.crypto.models import DataKey

from .lockout import global_failure_record, typed_username
from .middleware import AUTH_AT_SESSION_KEY, IDLE_PUSHED_SESSION_KEY, track_session
from .models import AuthenticatorDevice, RecoveryCodeDevice, SealedDevice
from .services import session_forget


def _account_named(username: object) -> Any:
    if not isinstance(username, str) or not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="protect.accounts.logged_in")
def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # The absolute session lifetime counts from here (SessionLifetimeMiddleware).
        request.session[AUTH_AT_SESSION_KEY] = int(time.time())
        request.session[IDLE_PUSHED_SESSION_KEY] = int(time.time())  # saved now, with a fresh idle expiry
        track_session(request, user)
    log_event("accounts.login.succeeded", actor=user, target=user, data={"second_factor": "pending"})


@receiver(user_logged_out, dispatch_uid="protect.accounts.logged_out")
def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        session_forget(session_key=session.session_key)
    if user is not None:
        log_event("accounts.logout.done", actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="protect.accounts.login_failed")
def on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                    **kwargs: Any) -> None:
    account = _account_named(credentials.get("username"))
    # Unknown names are logged too (without the name), so both cases cost the same time.
    log_event("accounts.login.failed", actor="anonymous", target=account,
              data={"account": "known" if account is not None else "unknown"})
    if global_failure_record() == settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE:
        # Once per minute that trips the brake: coordinators see that every login was held back.
        log_event("accounts.login.paused_for_everyone", actor="anonymous", target=None,
                  data={"failures_per_minute": settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE})


@receiver(post_delete, sender=AuthenticatorDevice, dispatch_uid="protect.accounts.authenticator_deleted")
@receiver(post_delete, sender=RecoveryCodeDevice, dispatch_uid="protect.accounts.recovery_device_deleted")
def on_second_factor_device_deleted(sender: Any, instance: SealedDevice, **kwargs: Any) -> None:
    """A device's data key serves that device only: delete it too (however the device went: a
    reset, a fresh enrolment, a deleted user), so its secret cannot be unsealed from a later dump."""
    DataKey.objects.filter(pk=instance.data_key_id).delete()


@receiver(user_locked_out, dispatch_uid="protect.accounts.locked_out")
def on_locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None,
                  **kwargs: Any) -> None:
    # axes passes its hashed key; the typed name is still in the request being refused.
    account = _account_named(typed_username(request))
    log_event("accounts.login.locked", actor="anonymous", target=account,
              data={"account": "known" if account is not None else "unknown"})
