"""`manage.py partner_token create --organisation NAME --scope SCOPE [--scope SCOPE…] [--expires-days N]`:
issue a partner API token from the console, printed once (the organisation is made if new).
`manage.py partner_token revoke PREFIX` cuts a token off at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from protect.accounts.models import ApiScope, ApiToken
from protect.accounts.services import api_token_issue, api_token_revoke, partner_organisation_ensure
from protect.core.errors import ProtectError


class Command(BaseCommand):
    help = "Issue (create) or revoke a partner organisation's API token."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token, printed once")
        create.add_argument("--organisation", required=True, help="the partner organisation (made if new)")
        create.add_argument("--scope", action="append", required=True, choices=ApiScope.values,
                            help="what the token may do; repeat for several")
        create.add_argument("--expires-days", type=int, default=365,
                            help="days until it expires (default 365; 0 for never)")
        create.add_argument("--name", default="", help="what the token is for (default: the scopes)")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options)
            else:
                self._revoke(options["prefix"])
        except ProtectError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, options: dict[str, Any]) -> None:
        days = options["expires_days"]
        if days < 0 or days > 3650:
            raise CommandError("--expires-days must be between 0 (never) and 3650.")
        organisation = partner_organisation_ensure(name=options["organisation"], by=None)
        token, raw = api_token_issue(
            user=organisation.account, by=None, scopes=options["scope"],
            name=options["name"] or " ".join(sorted(set(options["scope"]))),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        self.stdout.write(f"Organisation: {organisation.name}")
        self.stdout.write(f"Scopes: {', '.join(token.scopes)}")
        self.stdout.write(f"Expires: {token.expires_at.date().isoformat() if token.expires_at else 'never'}")
        self.stdout.write("Token (shown once; send it as 'Authorization: Bearer <token>'):")
        self.stdout.write(raw)

    def _revoke(self, prefix: str) -> None:
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with prefix {prefix}.")
        api_token_revoke(token=token, by=None)
        self.stdout.write(f"Token {prefix}… revoked.")
