"""No free text in plaintext: every CharField and TextField of every model in the app registry is
either encrypted (EncryptedTextField is neither), a choice, or on the reviewed list below with the
reason it may stay readable in a `pg_dump` (a code, a reference, a hash or blind index, a staff
account's own data, text the system writes itself). A new plaintext column fails here until it is
encrypted under the defender's key or reviewed onto this list."""

from __future__ import annotations

from django.apps import apps
from django.db import models

CODE = "a code the system sets or checks against a fixed set, never typed free text"
REFERENCE = "a random reference (never sequential, says nothing about anyone)"
HASH = "a keyed hash, blind index or password hash: no plaintext"
STAFF = "a staff account's own data (not a defender's): kept readable for login and administration"
LOG = "written by the system from codes and references only (no defender's text reaches it)"
THIRD_PARTY = "a third-party app's column about staff logins (django-axes): staff data, no defender's text"

REVIEWED: dict[str, str] = {
    "accounts.enrolmentcode.digest": HASH,
    "audit.auditevent.key_id": "the id of the audit key an event was chained with (an operator's label)",
    # Django itself
    "admin.logentry.object_repr": "str() of an object changed in the admin: every model's __str__ shows a "
                                  "reference or a pseudonym, never a name (grants.Disbursement included)",
    "admin.logentry.object_id": REFERENCE,
    "admin.logentry.change_message": "the names of the fields changed, not their values",
    "auth.permission.name": CODE, "auth.permission.codename": CODE, "auth.group.name": CODE,
    "contenttypes.contenttype.app_label": CODE, "contenttypes.contenttype.model": CODE,
    "sessions.session.session_key": HASH,
    "sessions.session.session_data": "a staff session: ids and flags, no case content",
    "guardian.userobjectpermission.object_pk": REFERENCE, "guardian.groupobjectpermission.object_pk": REFERENCE,
    # django-axes (staff login attempts)
    **{f"axes.{model}.{field}": THIRD_PARTY
       for model in ("accessfailurelog", "accessattempt", "accesslog")
       for field in ("user_agent", "username", "http_accept", "path_info", "get_data", "post_data", "session_hash")},
    # accounts: staff, not defenders
    "accounts.user.password": HASH, "accounts.user.username": STAFF, "accounts.user.first_name": STAFF,
    "accounts.user.last_name": STAFF, "accounts.user.email": STAFF, "accounts.user.display_name": STAFF,
    "accounts.team.name": STAFF, "accounts.usersession.session_key": HASH,
    "accounts.apitoken.name": STAFF, "accounts.apitoken.prefix": REFERENCE, "accounts.apitoken.token_hash": HASH,
    "accounts.partnerorganisation.name": "a partner organisation's name (an NGO that refers cases, not a defender)",
    "api.idempotentrequest.key": "an opaque key the partner's system chose for one POST",
    "api.idempotentrequest.fingerprint": HASH,
    "api.tokenrequest.method": CODE,
    "api.tokenrequest.path": "an API path: /api/v1/ and a case reference at most, never a query string",
    "api.referral.reference": REFERENCE, "api.referral.case_type": CODE, "api.referral.kind": CODE,
    # A view over api_referral and the cases' status columns (migration api 0003): it stores nothing.
    "api.referralstatus.reference": REFERENCE, "api.referralstatus.case_type": CODE,
    "api.referralstatus.kind": CODE, "api.referralstatus.status": CODE, "api.referralstatus.urgency": CODE,
    "accounts.authenticatordevice.name": STAFF, "accounts.recoverycodedevice.name": STAFF,
    "accounts.recoverycode.digest": HASH,
    # crypto
    "crypto.datakey.master_key_id": CODE, "crypto.encryptedfile.storage_name": REFERENCE,
    "crypto.encryptedfile.content_type": "the type detected from the content (a MIME code)",
    "crypto.encryptedfile.extension": "the extension of the detected type (a code)",
    # audit: the data column holds codes, ids and amounts only (log_event refuses anything else)
    "audit.auditevent.actor_label": LOG, "audit.auditevent.action": CODE, "audit.auditevent.target_type": CODE,
    "audit.auditevent.target_id": REFERENCE, "audit.auditevent.prev_hash": HASH, "audit.auditevent.hash": HASH,
    # defenders
    "defenders.defender.reference": REFERENCE,
    "defenders.defender.pseudonym": "a code name chosen to be safe to show in lists (the name is encrypted)",
    "defenders.defender.country": CODE,
    "defenders.defender.name_country_index": HASH, "defenders.defender.phone_index": HASH,
    "defenders.defender.email_index": HASH,
    "defenders.defender.erasure_reason": "written once the defender's key is destroyed, so it cannot be "
                                         "encrypted under it; the service asks for a reason that identifies nobody",
    # the case kernel and the engine
    "cases.appliedstep.case_type": CODE, "cases.appliedstep.action": CODE,
    "cases.appliedstep.key": "an idempotency key a client generates (a random token)",
    # notifications (issue 9): what a caseworker is told names the case by its reference, nothing more
    "cases.notification.case_type": CODE, "cases.notification.reference": REFERENCE,
    "cases.notification.key": "an idempotency key made of codes and ids (grants.reply:<case id>:<message id>)",
    "cases.notification.url": "the case page's path, built from its reference",
    "outbox.outboxmessage.task_name": CODE,
    "delivery.delivery.key": LOG, "delivery.delivery.recipient": STAFF,
    "delivery.delivery.subject": LOG, "delivery.delivery.body": LOG,
    "delivery.delivery.last_error": "an exception's class name",
    # grants
    "grants.disbursement.currency": CODE, "grants.disbursement.payment_reference_index": HASH,
    "grants.grant.currency": CODE,
    # relocation: a host institution is an organisation that receives defenders, not a person at
    # risk; its public facts stay readable (which defender it hosts is on the encrypted relocation side)
    "relocation.hostinstitution.organisation": "a host institution's public name (an organisation, not a defender)",
    "relocation.hostinstitution.city": "where a host institution is (public, an organisation's address)",
    "relocation.hostinstitution.country": CODE,
    "relocation.hostinstitution.accessibility": "a host institution's description of its premises (no defender)",
    "relocation.budgetline.currency": CODE, "relocation.stipendinstalment.currency": CODE,

    # alerts
    "alerts.alertupdate.key": "an idempotency key a client generates (a random token)",
    "alerts.alert.public_slug": "the public page's address: random, never derived from the defender or the text",
}
# The dashboards' rollups: derived, non-identifying codes (kind of case, place, need, profile, outcome).
REVIEWED |= {f"dashboards.{_m}.{_c}": CODE for _m, _cs in (("casefact", ("kind", "region", "country", "outcome")),
                                                            ("monthrollup", ("kind", "region", "country", "need",
                                                                             "profile")),
                                                            ("defenderrollup", ("region", "country", "need",
                                                                                "profile")),
                                                            ("hoursrollup", ("measure", "region", "country", "need",
                                                                             "profile")),
                                                            ("pendingrefresh", ("kind",))) for _c in _cs}
# What every kind of case shares (protect/cases/models.py Case): codes, references and hashes.
for _kind in ("grants.grant", "relocation.relocation", "toykind.toy", "alerts.alert"):
    REVIEWED |= {f"{_kind}.reference": REFERENCE, f"{_kind}.country": CODE, f"{_kind}.region": CODE,
                 f"{_kind}.receipt_index": HASH, f"{_kind}.passphrase_hash": HASH}


def plaintext_text_columns() -> list[str]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                found.append(f"{model._meta.label_lower}.{field.name}")
    return sorted(found)


def test_every_plaintext_text_column_is_reviewed():
    unreviewed = [column for column in plaintext_text_columns() if column not in REVIEWED]
    assert unreviewed == [], (
        "free text stored in plaintext: encrypt it under the defender's key (EncryptedTextField), "
        f"or review it onto REVIEWED with the reason it may stay readable: {unreviewed}"
    )


def test_the_reviewed_list_names_only_columns_that_exist():
    # axes' models vary by version: its entries are generated for every column it may have.
    stale = [c for c in REVIEWED if c not in plaintext_text_columns() and not c.startswith("axes.")]
    assert stale == [], f"reviewed columns that are gone or now encrypted (take them off the list): {stale}"


def test_the_free_text_the_probe_found_is_encrypted():
    for column in ("grants.grant.referred_to", "grants.disbursement.payment_reference",
                   "grants.disbursement.payee_details"):
        assert column not in plaintext_text_columns()
