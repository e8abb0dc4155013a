"""Accounts use cases: the only code that writes users' security state, teams and API tokens.

Every function is keyword-only, validates before it saves, and writes its audit event in the same
transaction. Secrets (passwords, TOTP keys, recovery codes, raw tokens) never reach the audit log."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from base64 import b32encode
from collections.abc import Iterable
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django_otp.models import Device

from protect.audit.services import log_event
from protect.core.errors import InvalidInput, PermissionDenied, ProtectError, clean_or_refuse

from .models import (
    ApiScope,
    ApiToken,
    AuthenticatorDevice,
    EnrolmentCode,
    PartnerOrganisation,
    RecoveryCode,
    RecoveryCodeDevice,
    Team,
    User,
    UserSession,
    enrolment_code_digest,
    new_recovery_hmac_key,
)
from .permissions import has_any_role, is_coordinator
from .roles import API_TOKEN_HOLDERS, Role
from .second_factor import has_second_factor


class AccountsError(ProtectError):
    """An accounts rule said no; the message is safe to show to the person who asked."""


RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
API_TOKEN_PREFIX = "pt"
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
REASON_MAX_LENGTH = 500
# Five wrong tries void an enrolment code (60 random bits: guessing is hopeless anyway); the
# account holder then asks a coordinator for a new one, which also tells the coordinator.
ENROLMENT_CODE_MAX_FAILURES = 5
ENROLMENT_CODE_WRONG = (
    "That enrolment code is not right, has expired or was already used. After five wrong tries it "
    "stops working: ask a coordinator for a new one."
)

_TOTP_SHAPE = re.compile(r"^\d{6}$")


def _require_coordinator(by: Any) -> None:
    if not is_coordinator(by):
        raise PermissionDenied("Only a coordinator may do this.")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AccountsError("Give a reason; it is kept in the audit log.", code="reason_required")
    return reason[:REASON_MAX_LENGTH]


# --- Users ---------------------------------------------------------------------------------



def _check_password(password: str, user: Any) -> None:
    """The configured validators (length, common passwords, similarity), refused as InvalidInput."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput({"password": list(exc.messages)}, code="password") from None


def user_create(
    *,
    username: str,
    password: str | None,
    roles: Iterable[Role] = (),
    display_name: str = "",
    email: str = "",
    by: User | None,
) -> tuple[User, str]:
    """Create an account; return it and its enrolment code, to be shown once to whoever creates
    it and handed to the account holder out of band (see `enrolment_code_issue`). `by` is the
    coordinator creating it, or None for the system (management commands). The password is
    checked against the configured validators (length, common-password list, similarity); None
    leaves the account without a usable password."""
    if by is not None:
        _require_coordinator(by)
    user = User(username=username, display_name=display_name, email=email)
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    clean_or_refuse(user)
    role_names = sorted({Role(role).value for role in roles})
    with transaction.atomic():
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in role_names])
        log_event("accounts.user.created", actor=by, target=user, data={"roles": role_names})
        code = _issue_enrolment_code(user=user, by=by)
    return user, code


def user_admin_saved(*, user: User, by: User, created: bool, fields: list[str]) -> None:
    """Audit an account created or edited in the Django admin (which saves through its own forms,
    password validators included): which fields changed and the roles now held, never values."""
    roles = sorted(user.groups.values_list("name", flat=True))
    log_event("accounts.user.created" if created else "accounts.user.changed", actor=by, target=user,
              data={"fields": sorted(fields), "roles": roles})


def user_password_change(*, user: User, password: str, by: User) -> User:
    """Set a new password, checked by the validators. Other sessions of the user stop working at
    their next request (Django binds sessions to the password hash)."""
    if by.pk != user.pk:
        _require_coordinator(by)
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        log_event("accounts.password.changed", actor=by, target=user, data={"by_self": by.pk == user.pk})
    return user


def user_disable(*, user: User, by: User, reason: str) -> User:
    """Disable an account: it can no longer log in, its sessions end now and its API tokens are
    revoked. Running it twice changes nothing the second time."""
    _require_coordinator(by)
    if user.pk == by.pk:
        raise AccountsError("You cannot disable your own account; ask another coordinator.", code="self")
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        was_active = locked.is_active
        locked.is_active = False
        clean_or_refuse(locked)
        locked.save(update_fields=["is_active"])
        sessions_ended = _end_sessions(locked)
        tokens_revoked = ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if was_active or sessions_ended or tokens_revoked:
            log_event(
                "accounts.user.disabled",
                actor=by,
                target=locked,
                data={"reason": reason, "sessions_ended": sessions_ended, "tokens_revoked": tokens_revoked},
            )
    user.is_active = False
    return locked


def user_enable(*, user: User, by: User, reason: str) -> User:
    _require_coordinator(by)
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            return locked
        locked.is_active = True
        clean_or_refuse(locked)
        locked.save(update_fields=["is_active"])
        log_event("accounts.user.enabled", actor=by, target=locked, data={"reason": reason})
    user.is_active = True
    return locked


# --- Sessions ------------------------------------------------------------------------------


def session_track(*, user: User, session_key: str, previous_key: str | None = None) -> None:
    """Remember that `session_key` belongs to `user` (at login, and whenever the key rotates)."""
    now = timezone.now()
    with transaction.atomic():
        if previous_key and previous_key != session_key:
            UserSession.objects.filter(session_key=previous_key).delete()
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})
        # No session outlives the absolute limit, so older rows name dead sessions: prune them.
        stale_before = now - timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
        UserSession.objects.filter(user=user, created_at__lt=stale_before).delete()


def session_forget(*, session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key).delete()


def _end_sessions(user: User) -> int:
    """Delete every session of `user` from the session store (any engine); return how many."""
    engine = import_module(settings.SESSION_ENGINE)
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    store = engine.SessionStore()
    for key in keys:
        store.delete(key)
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def user_sessions_end(*, user: User, by: User) -> int:
    """Log `user` out everywhere (e.g. a lost laptop), without disabling the account."""
    if by.pk != user.pk:
        _require_coordinator(by)
    with transaction.atomic():
        ended = _end_sessions(user)
        log_event("accounts.sessions.ended", actor=by, target=user, data={"sessions_ended": ended})
    return ended


# --- Second factor -------------------------------------------------------------------------


def normalize_code(code: str) -> str:
    """Codes are read off a phone or a sheet of paper: ignore spaces, dashes and case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _new_recovery_code() -> str:
    while True:
        # 8 base32 characters (40 bits), single use, throttled: as django-otp's StaticToken.
        code = b32encode(secrets.token_bytes(5)).decode("ascii").lower()
        if not code.isdigit():  # an all-digit code would be taken for an authenticator code
            return code


def _replace_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes under a fresh hash key; the old sheet stops working. The device itself is
    kept (its throttle, and a session verified with it, carry on)."""
    RecoveryCodeDevice.objects.filter(user=user).exclude(name=RECOVERY_DEVICE_NAME).delete()
    device = RecoveryCodeDevice.objects.select_for_update().filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    if device is None:
        device = RecoveryCodeDevice(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    else:
        device.codes.all().delete()
        device.hmac_key = new_recovery_hmac_key()
    clean_or_refuse(device)
    device.save()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = _new_recovery_code()
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, digest=device.code_digest(code)) for code in codes])
    return codes


def _new_enrolment_code() -> str:
    """12 base32 characters (60 bits) in groups of four, easy to read out over a phone line."""
    raw = b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:12]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _issue_enrolment_code(*, user: User, by: User | None) -> str:
    """Replace the account's enrolment code with a fresh one and return it. The caller holds the
    transaction; an authenticator key shown before (unconfirmed device) is thrown away with the
    old code, so only the holder of the new code will see the key that gets enrolled."""
    code = _new_enrolment_code()
    expires_at = timezone.now() + timedelta(hours=settings.ENROLMENT_CODE_HOURS)
    AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
    EnrolmentCode.objects.update_or_create(user=user, defaults={
        "digest": enrolment_code_digest(user_id=user.pk, code=normalize_code(code)),
        "issued_by": by, "created_at": timezone.now(), "expires_at": expires_at, "redeemed_at": None, "failures": 0,
    })
    log_event("accounts.2fa.enrolment_code_issued", actor=by, target=user,
              data={"expires_at": expires_at.isoformat()})
    return code


def enrolment_code_issue(*, user: User, by: User | None) -> str:
    """A new single-use enrolment code for an account without an authenticator (the last one
    expired, was used up by wrong tries, or the account predates codes). Returned once, stored
    only as a keyed hash. `by` is a coordinator, or None for `manage.py enrolment_code`."""
    if by is not None:
        _require_coordinator(by)
        if by.pk == user.pk:
            raise AccountsError("Ask another coordinator for your enrolment code.", code="self")
    if not user.is_active:
        raise AccountsError("A disabled account cannot enrol an authenticator.", code="inactive")
    if has_second_factor(user):
        raise AccountsError("This account already has an authenticator app: reset its second factor instead.",
                            code="already_enrolled")
    with transaction.atomic():
        return _issue_enrolment_code(user=user, by=by)


def enrolment_code_redeem(*, user: User, code: str) -> EnrolmentCode:
    """Check the enrolment code the account holder typed; on success it is spent (no other
    session can use it) and the caller keeps the returned row's id in this session only."""
    code = normalize_code(code)
    now = timezone.now()
    with transaction.atomic():
        row = EnrolmentCode.objects.select_for_update().filter(user=user).first()
        usable = (row is not None and row.redeemed_at is None and row.is_live(now)
                  and row.failures < ENROLMENT_CODE_MAX_FAILURES)
        accepted = bool(usable and code and row is not None and hmac.compare_digest(
            row.digest, enrolment_code_digest(user_id=user.pk, code=code)))
        if accepted:
            assert row is not None
            row.redeemed_at = now
            row.save(update_fields=["redeemed_at"])
            log_event("accounts.2fa.enrolment_code_redeemed", actor=user, target=user)
        else:
            if usable and row is not None:
                row.failures += 1
                row.save(update_fields=["failures"])
            # Recorded even when no code is pending: a coordinator reading the log sees someone
            # with this account's password trying to enrol.
            log_event("accounts.2fa.enrolment_code_failed", actor=user, target=user,
                      data={"failures": row.failures if row is not None else 0})
    if not accepted or row is None:
        raise AccountsError(ENROLMENT_CODE_WRONG, code="wrong_enrolment_code")
    return row


def totp_device_for_enrolment(*, user: User, enrolment_code_id: object) -> AuthenticatorDevice:
    """The unconfirmed authenticator device the enrolment page shows, kept across reloads so a
    code scanned a minute ago still works. Only for a session that has typed in the account's
    enrolment code: the key is the second factor, and the password alone must not reveal it."""
    if has_second_factor(user):
        raise AccountsError("This account already has an authenticator app.", code="already_enrolled")
    if not EnrolmentCode.objects.redeemed(user=user, pk=enrolment_code_id).exists():
        raise AccountsError(ENROLMENT_CODE_WRONG, code="enrolment_code_required")
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = AuthenticatorDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        clean_or_refuse(device)
        device.save()
    return device


def second_factor_enrol(
    *, user: User, device: AuthenticatorDevice, code: str, enrolment_code_id: object
) -> tuple[AuthenticatorDevice, list[str]]:
    """Confirm the authenticator app with a code it shows; return it and 10 fresh recovery codes
    (shown once: only the user keeps them). Needs the enrolment code this session redeemed,
    which is then gone for good."""
    recovery_codes: list[str] = []
    with transaction.atomic():
        enrolment = EnrolmentCode.objects.select_for_update().redeemed(user=user, pk=enrolment_code_id).first()
        if enrolment is None:
            raise AccountsError(ENROLMENT_CODE_WRONG, code="enrolment_code_required")
        pending = AuthenticatorDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False)
        locked = pending.first()
        if locked is None or has_second_factor(user):
            raise AccountsError("Start the set-up again: this authenticator is no longer pending.", code="stale")
        # verify_token records a failure for throttling itself; it must commit, so no raise inside.
        confirmed = locked.verify_token(normalize_code(code))
        if confirmed:
            locked.confirmed = True
            clean_or_refuse(locked)
            locked.save(update_fields=["confirmed"])
            AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
            enrolment.delete()
            recovery_codes = _replace_recovery_codes(user)
            log_event("accounts.2fa.enrolled", actor=user, target=user, data={"recovery_codes": RECOVERY_CODE_COUNT})
    if not confirmed:
        raise AccountsError("That code is not right. Check the time on your phone and try the next code.",
                            code="wrong_code")
    return locked, recovery_codes


def totp_device_enrol_confirmed(*, user: User) -> tuple[AuthenticatorDevice, list[str]]:
    """Enrol an authenticator without a code from a phone: for the demo seed and tests only."""
    with transaction.atomic():
        AuthenticatorDevice.objects.filter(user=user).delete()
        EnrolmentCode.objects.filter(user=user).delete()
        device = AuthenticatorDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        clean_or_refuse(device)
        device.save()
        codes = _replace_recovery_codes(user)
        log_event("accounts.2fa.enrolled", actor=None, target=user, data={"recovery_codes": RECOVERY_CODE_COUNT,
                                                                           "without_code": True})
    return device, codes


def second_factor_verify(*, user: User, code: str) -> Device | None:
    """Check a code from the authenticator app or a recovery code (which is then used up).

    Returns the device that accepted it, or None. Six digits are an authenticator code, anything
    else a recovery code, so a mistyped code costs one device's throttle, not both."""
    code = normalize_code(code)
    if not code:
        return None
    model: type[Device] = AuthenticatorDevice if _TOTP_SHAPE.match(code) else RecoveryCodeDevice
    matched: Device | None = None
    with transaction.atomic():
        for device in model.objects.filter(user=user, confirmed=True).select_for_update():
            if device.verify_token(code):
                matched = device
                break
        if matched is None:
            log_event("accounts.2fa.failed", actor=user, target=user)
        elif isinstance(matched, RecoveryCodeDevice):
            remaining = matched.codes.count()
            log_event("accounts.2fa.recovery_code_used", actor=user, target=user, data={"remaining": remaining})
        else:
            log_event("accounts.2fa.verified", actor=user, target=user)
    return matched


def recovery_codes_remaining(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """Replace the recovery codes; needs a current authenticator code, so a borrowed, unlocked
    session alone cannot mint codes that outlive it."""
    code = normalize_code(code)
    regenerated: list[str] = []
    with transaction.atomic():
        ok = False
        if _TOTP_SHAPE.match(code):
            for device in AuthenticatorDevice.objects.filter(user=user, confirmed=True).select_for_update():
                if device.verify_token(code):
                    ok = True
                    break
        if ok:
            regenerated = _replace_recovery_codes(user)
            log_event("accounts.2fa.recovery_codes_regenerated", actor=user, target=user,
                      data={"recovery_codes": RECOVERY_CODE_COUNT})
    if not ok:
        raise AccountsError("That authenticator code is not right.", code="wrong_code")
    return regenerated


def second_factor_reset(*, user: User, by: User, reason: str) -> str:
    """A coordinator removes a user's authenticator and recovery codes (lost phone) and ends their
    sessions, so the user must log in with the password and enrol again; return the enrolment
    code that enrolment will ask for, shown once to the coordinator, who hands it over out of
    band. Without it, whoever knows (or took) the password could enrol their own phone."""
    _require_coordinator(by)
    if user.pk == by.pk:
        raise AccountsError("Ask another coordinator to reset your own second factor.", code="self")
    reason = _clean_reason(reason)
    with transaction.atomic():
        totp_deleted, _ = AuthenticatorDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        sessions_ended = _end_sessions(user)
        log_event("accounts.2fa.reset", actor=by, target=user,
                  data={"reason": reason, "devices_removed": totp_deleted, "sessions_ended": sessions_ended})
        return _issue_enrolment_code(user=user, by=by)


# --- Teams ---------------------------------------------------------------------------------


def team_create(
    *, name: str, region: str, languages: Iterable[str], coordinator: User | None = None, by: User
) -> Team:
    _require_coordinator(by)
    team = Team(name=name.strip(), region=region, languages=sorted(set(languages)), coordinator=coordinator)
    clean_or_refuse(team)
    with transaction.atomic():
        team.save()
        log_event("accounts.team.created", actor=by, target=team,
                  data={"region": team.region, "languages": team.languages,
                        "coordinator_id": coordinator.pk if coordinator else None})
    return team


def team_update(
    *, team: Team, by: User, name: str, region: str, languages: Iterable[str], coordinator: User | None
) -> Team:
    _require_coordinator(by)
    team.name = name.strip()
    team.region = region
    team.languages = sorted(set(languages))
    team.coordinator = coordinator
    clean_or_refuse(team)
    with transaction.atomic():
        team.save(update_fields=["name", "region", "languages", "coordinator"])
        log_event("accounts.team.updated", actor=by, target=team,
                  data={"region": team.region, "languages": team.languages,
                        "coordinator_id": coordinator.pk if coordinator else None})
    return team


def team_add_member(*, team: Team, user: User, by: User) -> Team:
    _require_coordinator(by)
    if not user.is_active:
        raise AccountsError("A disabled account cannot join a team.", code="inactive")
    with transaction.atomic():
        if not team.members.filter(pk=user.pk).exists():
            team.members.add(user)
            log_event("accounts.team.member_added", actor=by, target=team, data={"user_id": user.pk})
    return team


# Sent in the transaction that removes a member: the case kernel takes back the personal access
# the member held on the team's cases (accounts knows no case, so it announces rather than calls).
team_member_removed = Signal()  # sender=Team, team=, user=, by=


def team_remove_member(*, team: Team, user: User, by: User) -> Team:
    _require_coordinator(by)
    with transaction.atomic():
        if team.members.filter(pk=user.pk).exists():
            team.members.remove(user)
            log_event("accounts.team.member_removed", actor=by, target=team, data={"user_id": user.pk})
            team_member_removed.send(sender=Team, team=team, user=user, by=by)
    return team


# --- Partner API tokens --------------------------------------------------------------------


def api_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_prefix_of(raw: str) -> str | None:
    """The identifying prefix of a raw token `pt_<prefix>_<secret>`, or None if it is not one."""
    parts = raw.split("_")
    if len(parts) < 3 or parts[0] != API_TOKEN_PREFIX or not parts[1]:
        return None
    return parts[1]


def api_token_allowed_for(user: User) -> bool:
    """Only active partner accounts without admin rights hold tokens (a token skips the 2FA)."""
    return bool(user.is_active and not user.is_staff and not user.is_superuser
                and has_any_role(user, API_TOKEN_HOLDERS))


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in ApiScope.values]
    if unknown:
        raise AccountsError(f"Unknown scope {unknown[0]!r}; the scopes are: {', '.join(ApiScope.values)}.",
                            code="scope", field="scopes")
    if not chosen:
        raise AccountsError("Give the token at least one scope.", code="scope", field="scopes")
    return chosen


def api_token_issue(
    *, user: User, name: str, by: User | None, scopes: Iterable[str], expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for a partner account. Returns the token row and the raw token, which is
    shown once and never stored: only its SHA-256 hash is kept. `by` is a coordinator, or None for
    `manage.py partner_token`."""
    if by is not None:
        _require_coordinator(by)
    if not user.is_active:
        raise AccountsError("A disabled account cannot get an API token.", code="inactive")
    if not api_token_allowed_for(user):
        raise AccountsError("API tokens are only for partner accounts.", code="not_partner")
    if expires_at is not None and expires_at <= timezone.now():
        raise AccountsError("The expiry date must be in the future.", code="expired")
    chosen = _clean_scopes(scopes)
    prefix = secrets.token_hex(4)
    raw = f"{API_TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(user=user, name=name.strip(), prefix=prefix, token_hash=api_token_hash(raw),
                     expires_at=expires_at, scopes=chosen)
    clean_or_refuse(token)
    with transaction.atomic():
        token.save()
        log_event("accounts.api_token.issued", actor=by, target=token,
                  data={"user_id": user.pk, "prefix": prefix, "scopes": chosen,
                        "expires_at": expires_at.isoformat() if expires_at else None})
    return token, raw


def partner_organisation_ensure(*, name: str, by: User | None) -> PartnerOrganisation:
    """The partner organisation of this name, made with its partner account when it is new. `by`
    is a coordinator, or None for `manage.py partner_token`. Asked twice, the same one."""
    if by is not None:
        _require_coordinator(by)
    name = " ".join((name or "").split())
    if not name:
        raise AccountsError("Give the organisation's name.", code="organisation", field="organisation")
    if len(name) > 150:
        raise AccountsError("The organisation's name is too long (150 characters at most).", code="organisation",
                            field="organisation")
    with transaction.atomic():
        existing = PartnerOrganisation.objects.select_for_update().filter(name__iexact=name).first()
        if existing is not None:
            return existing
        username = f"partner-{secrets.token_hex(4)}"
        account, _code = user_create(username=username, password=None, roles=[Role.PARTNER], display_name=name,
                                     by=by)
        organisation = PartnerOrganisation.objects.create(name=name, account=account)
        log_event("accounts.partner_organisation.created", actor=by, target=organisation,
                  data={"account_id": account.pk})
    return organisation


def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    """Revoke a token (its owner, a coordinator, or None for `manage.py partner_token revoke`).
    Revoking twice changes nothing; the authentication reads the row on every request, so the
    token is refused from the next one on."""
    if by is not None and by.pk != token.user_id:
        _require_coordinator(by)
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            log_event("accounts.api_token.revoked", actor=by, target=locked,
                      data={"user_id": locked.user_id, "prefix": locked.prefix})
    token.revoked_at = locked.revoked_at
    return locked


def api_token_mark_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record use at most once a minute, so a busy partner's reads do not each become a write."""
    now = now or timezone.now()
    if token.last_used_at is not None and token.last_used_at >= now - API_TOKEN_TOUCH_INTERVAL:
        return  # the row as just read says it was touched this minute: no write at all
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - API_TOKEN_TOUCH_INTERVAL)
    ).update(last_used_at=now)
