"""The demo cast logs in with a second factor: keys printed once, codes from `totp_code`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from protect.accounts import services
from protect.accounts.models import AuthenticatorDevice
from tests.helpers import make_user


@pytest.mark.django_db
def test_seed_demo_enrols_every_demo_user_and_prints_key_and_recovery_codes_on_one_screen():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    from protect.core.demo import DEMO_USERS

    for username, _role, _display in DEMO_USERS:
        assert AuthenticatorDevice.objects.filter(user__username=username, confirmed=True).exists()
        line = next(line for line in text.splitlines() if line.strip().startswith(username) and " key " in line)
        assert len(line.split("recovery", 1)[1].split()) == 3
        assert len(line) <= 100
    assert len(text.splitlines()) <= 40, "the whole demo seeding output fits on one screen"


@pytest.mark.django_db
def test_totp_code_prints_a_code_the_verify_step_accepts():
    user = make_user("demo-caseworker", "caseworker")
    services.totp_device_enrol_confirmed(user=user)
    out = StringIO()
    call_command("totp_code", "demo-caseworker", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert services.second_factor_verify(user=user, code=code) is not None


@pytest.mark.django_db
def test_totp_code_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused"):
        call_command("totp_code", "anyone")


@pytest.mark.django_db
def test_totp_code_says_so_when_the_user_has_no_authenticator():
    make_user("plain")
    with pytest.raises(CommandError, match="no enrolled authenticator"):
        call_command("totp_code", "plain")
