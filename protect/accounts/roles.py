"""The roles of Protect. Each is a Django group of the same name, created by a migration;
code compares roles by these constants, never by a translated label."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    REVIEWER = "reviewer"
    FINANCE = "finance"
    COORDINATOR = "coordinator"
    DONOR = "donor"
    PARTNER = "partner"
    HOST = "host"


STAFF_ROLES = frozenset(Role)  # every account holder is "staff" for 2FA; defenders have no account
# Only these roles may hold API tokens: a token skips the second factor, so staff never get one.
API_TOKEN_HOLDERS = frozenset({Role.PARTNER})
