"""Helpers shared by the test suite: make an account with roles, give it an enrolment code, log a
client in as a user who has passed the second factor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

PASSWORD = "correct horse battery staple 42"


def make_user(username: str, *roles: str, password: str = PASSWORD, **fields: Any) -> Any:
    """An active account holding `roles` (Role values), with `password`."""
    from protect.accounts.models import User

    user = User.objects.create_user(username=username, password=password, **fields)
    # get_or_create: a transactional test elsewhere flushes the groups the role migration made.
    user.groups.set([Group.objects.get_or_create(name=str(role))[0] for role in roles])
    return user


def enrol_totp(user: Any) -> Any:
    """Give `user` a confirmed authenticator device (no recovery codes) and return it."""
    from protect.accounts.models import AuthenticatorDevice

    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = AuthenticatorDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def issue_enrolment_code(user: Any) -> str:
    """The enrolment code a coordinator would hand `user` out of band (what the setup page asks
    for before it shows an authenticator key)."""
    from protect.accounts.services import enrolment_code_issue

    return enrolment_code_issue(user=user, by=None)


def current_code(device: Any, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` periods later)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def login_verified(client: Any, user: Any) -> Any:
    """Log `client` (Django's Client or DRF's APIClient) in as `user`, second factor passed.

    Enrols an authenticator if the user has none, logs in (the same `login()` the login page uses,
    so the session gets its login time and is tracked) and marks the session verified with that
    device, as the verify page does. Returns the device."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = enrol_totp(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
