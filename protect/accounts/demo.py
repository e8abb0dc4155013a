"""Demo second factor and teams: every demo user gets an enrolled authenticator, printed once.

Found by seed_demo's autodiscovery; runs right after the demo users are created."""

from __future__ import annotations

from base64 import b32encode

from django.core.management.base import OutputWrapper

from protect.core.demo import DEMO_USERS, register

from .models import Region, Team, User
from .services import team_add_member, team_create, totp_device_enrol_confirmed

SHOWN_RECOVERY_CODES = 3


@register
def seed(out: OutputWrapper) -> None:
    out.write(
        "Second factor, already enrolled: add the key to an authenticator app, or log in with a recovery\n"
        "code (single use), or print the current code with `manage.py totp_code <user>`:\n"
    )
    for username, _role, _display in DEMO_USERS:
        user = User.objects.get(username=username)
        device, codes = totp_device_enrol_confirmed(user=user)
        key = b32encode(device.bin_key).decode("ascii")
        out.write(f"  {username:<12} key {key}   recovery {' '.join(codes[:SHOWN_RECOVERY_CODES])}\n")
    _seed_teams()


def _seed_teams() -> None:
    """Two regional desks so intake routing has somewhere to go, made by the demo coordinator."""
    users = {u.username: u for u in User.objects.filter(username__in=[name for name, _r, _d in DEMO_USERS])}
    coordinator = users["coordinator"]
    desks = [
        ("Africa desk", Region.AFRICA, ["en", "fr"], ["caseworker", "reviewer"]),
        ("MENA desk", Region.MENA, ["ar", "en", "fr"], ["caseworker", "approver"]),
    ]
    for name, region, languages, members in desks:
        if Team.objects.filter(name=name).exists():
            continue
        team = team_create(name=name, region=region, languages=languages, coordinator=coordinator, by=coordinator)
        for member in members:
            team_add_member(team=team, user=users[member], by=coordinator)
