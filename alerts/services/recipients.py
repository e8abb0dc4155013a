"""Recipients of alerts: imported from the spreadsheets organisations already keep (all or nothing)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from protect.accounts.permissions import is_coordinator
from protect.audit.services import log_event
from protect.core.errors import PermissionDenied, clean_or_refuse
from protect.delivery.services import DeliveryError, check_webhook_url, webhook_endpoint_create
from protect.delivery.signing import new_webhook_secret, secret_key

from ..errors import AlertError
from ..models import Recipient, Tier

COLUMNS = ["name", "channel", "address", "language", "tier", "secret"]
LANGUAGES = {code for code, _name in settings.LANGUAGES}


@dataclass(frozen=True)
class ImportedRecipient:
    recipient: Recipient
    line: int
    generated_secret: str  # a web hook secret made here: shown once, never stored readable


class ImportRefused(AlertError):
    """Bad rows: `problems` lists each as "line N: what is wrong"; nothing was imported."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Nothing was imported: " + "; ".join(problems), code="import_refused")
        self.problems = problems


def _problem(row: dict[str, str]) -> str | None:
    name, channel, address = row["name"], row["channel"], row["address"]
    if not name:
        return "the name is empty"
    if channel not in Recipient.Channel.values:
        return f"the channel must be email or webhook, not {channel!r}"
    if row["language"] not in LANGUAGES:
        return f"the language must be one of {', '.join(sorted(LANGUAGES))}"
    if row["tier"] not in Tier.values:
        return f"the tier must be one of {', '.join(Tier.values)}"
    if channel == Recipient.Channel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            return "the address is not an e-mail address"
        if row["secret"]:
            return "an e-mail recipient takes no secret"
        return None
    try:
        check_webhook_url(address)
    except DeliveryError:
        return "a web hook address must be an https URL"
    if row["secret"]:
        try:
            secret_key(row["secret"])
        except ValueError:
            return "the secret must be whsec_ followed by base64 of at least 24 bytes"
    return None


def recipients_read_csv(stream: IO[str]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or [f.strip().lower() for f in reader.fieldnames] != COLUMNS:
        raise ImportRefused([f"line 1: the columns must be {','.join(COLUMNS)}"])
    rows = []
    for row in reader:
        if None in row:
            raise ImportRefused([f"line {reader.line_num}: more cells than columns"])
        rows.append((reader.line_num, {key.strip().lower(): (value or "").strip() for key, value in row.items()}))
    return rows


def recipients_import(*, rows: Iterable[tuple[int, dict[str, str]]]) -> list[ImportedRecipient]:
    """Check every row first; any bad row refuses the whole file (each reported by line). Then
    create them all in one transaction; web hooks without a secret get a new one."""
    rows = list(rows)
    problems = [f"line {line}: {problem}" for line, row in rows if (problem := _problem(row))]
    if problems:
        raise ImportRefused(problems)
    imported = []
    with transaction.atomic():
        for line, row in rows:
            generated = ""
            recipient = Recipient(name=row["name"], channel=row["channel"], language=row["language"], tier=row["tier"])
            if row["channel"] == Recipient.Channel.WEBHOOK:
                generated = "" if row["secret"] else new_webhook_secret()
                recipient.endpoint, _secret = webhook_endpoint_create(url=row["address"],
                                                                      secret=row["secret"] or generated)
            else:
                recipient.email = row["address"]
            clean_or_refuse(recipient, exclude=["data_key"])
            recipient.save()
            imported.append(ImportedRecipient(recipient=recipient, line=line, generated_secret=generated))
        log_event("alerts.recipients.imported", data={"count": len(imported)})
    return imported


# --- managed one by one on the staff pages (coordinators) -----------------------------------------


def _require_coordinator(by: Any) -> None:
    if not is_coordinator(by):
        raise PermissionDenied("Only coordinators manage the recipients of alerts.")


def _refuse_problem(row: dict[str, str]) -> None:
    """The import's rules, one row at a time: the same address checks for a form as for a file."""
    problem = _problem(row)
    if problem:
        field = "secret" if "secret" in problem else "address" if "address" in problem else None
        raise AlertError(problem[0].upper() + problem[1:] + ".", code="recipient_invalid", field=field)


def recipient_create(
    *, by: Any, name: str, channel: str, address: str, language: str, tier: str, secret: str = "",
) -> tuple[Recipient, str]:
    """Add one recipient. A web hook without a secret gets a new one, returned here to be shown
    once (it is stored sealed and never shown again); "" otherwise."""
    _require_coordinator(by)
    row = {"name": name.strip(), "channel": channel, "address": address.strip(), "language": language,
           "tier": tier, "secret": secret.strip()}
    _refuse_problem(row)
    generated = ""
    with transaction.atomic():
        recipient = Recipient(name=row["name"], channel=channel, language=language, tier=tier)
        if channel == Recipient.Channel.WEBHOOK:
            generated = "" if row["secret"] else new_webhook_secret()
            recipient.endpoint, _secret = webhook_endpoint_create(url=row["address"], secret=row["secret"] or generated)
        else:
            recipient.email = row["address"]
        clean_or_refuse(recipient, exclude=["data_key"])
        recipient.save()
        log_event("alerts.recipient.added", actor=by, target=recipient, data={"channel": channel, "tier": tier})
    return recipient, generated


def recipient_update(*, recipient: Recipient, by: Any, name: str, address: str, language: str, tier: str) -> Recipient:
    """Change a recipient's name, address, language or tier (its channel and secret stay: a new
    channel is a new recipient). Deliveries already recorded keep the address they were made for."""
    _require_coordinator(by)
    with transaction.atomic():
        locked = Recipient.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=recipient.pk)
        row = {"name": name.strip(), "channel": locked.channel, "address": address.strip(), "language": language,
               "tier": tier, "secret": ""}
        _refuse_problem(row)
        locked.name, locked.language, locked.tier = row["name"], language, tier
        changed = ["name", "language", "tier"]
        if locked.channel == Recipient.Channel.WEBHOOK:
            assert locked.endpoint is not None
            locked.endpoint.url = check_webhook_url(row["address"])
            locked.endpoint.save(update_fields=["url"])
        else:
            locked.email = row["address"]
            changed.append("email")
        clean_or_refuse(locked, exclude=["data_key"])
        locked.save(update_fields=changed)
        log_event("alerts.recipient.changed", actor=by, target=locked, data={"tier": tier, "language": language})
    return locked


def recipient_set_active(*, recipient: Recipient, by: Any, active: bool) -> Recipient:
    """Deactivate (or reactivate) a recipient: an inactive one gets nothing from the next fan-out.
    Asking twice changes nothing the second time."""
    _require_coordinator(by)
    with transaction.atomic():
        locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if locked.active != active:
            locked.active = active
            locked.save(update_fields=["active"])
            log_event("alerts.recipient.activated" if active else "alerts.recipient.deactivated", actor=by,
                      target=locked, data={})
    return locked
