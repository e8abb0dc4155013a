"""The roles of Protect, and who may do what. Each role is a Django group of the same name, created
by a migration; code compares roles by these constants, never by a translated label.

A capability that several roles share is named once below, and every check of it (a page's
role_required, a service's refusal, a transition's roles, a menu link) uses that name: a role
given a capability gets it everywhere at once, never in the menu but not on the page."""

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

# Open the case queue and a case page (/cases/): everyone who works on cases, finance included.
CASE_STAFF = frozenset({Role.CASEWORKER, Role.REVIEWER, Role.FINANCE, Role.COORDINATOR})
# Work on a case's substance: read its narrative, ask the requester, reject or refer, "my cases".
CASE_HANDLERS = frozenset({Role.CASEWORKER, Role.REVIEWER, Role.COORDINATOR})
# Take a request in and carry it: record one from the hotline, triage, send for review, close.
INTAKE = frozenset({Role.CASEWORKER, Role.COORDINATOR})
# Decide: the review inbox, approve, return to triage, co-sign as second approver.
DECIDERS = frozenset({Role.REVIEWER, Role.COORDINATOR})
# Pay: the payments page and the payee's details.
PAYERS = frozenset({Role.FINANCE, Role.COORDINATOR})
# Reach a case through a personal assignment (a guardian object permission), beyond team or role.
ASSIGNABLE = frozenset({Role.CASEWORKER, Role.REVIEWER})
# Read the donor dashboard: aggregates only.
DASHBOARD_READERS = frozenset({Role.DONOR, Role.COORDINATOR})
# Hold an API token: a token skips the second factor, so staff never get one.
API_TOKEN_HOLDERS = frozenset({Role.PARTNER})
