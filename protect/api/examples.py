"""Working examples for every operation of the schema: a partner can copy a request body from
the docs and get the answer shown (tests send each request example to the live API)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

REFERRAL_GRANT_BODY = {
    "kind": "grant",
    "language": "es",
    "urgency": "high",
    "defender": {
        "pseudonym": "Rosa M.",
        "country": "HN",
        "location": "Tegucigalpa",
        "profiles": ["land_environment", "women_hrd"],
        "contact_channel": "partner",
        "safe_contact": "Only through us; never call her before 18:00.",
    },
    "grant": {
        "needs": ["legal"],
        "risk_kinds": ["judicial_harassment"],
        "amount_requested": "2500.00",
        "currency": "EUR",
        "incident": "She was charged with usurpation after defending her community's land.",
        "need_details": "A lawyer for the hearing next month.",
    },
}
REFERRAL_RELOCATION_BODY = {
    "kind": "relocation",
    "language": "ar",
    "urgency": "critical",
    "defender": {"pseudonym": "Nour", "country": "SY", "contact_channel": "signal", "contact": "+963 000 000"},
    "relocation": {
        "applicant": "third_party",
        "risk": "Her name is on a list of people to be arrested at checkpoints.",
        "why_relocation": "Moving within the country is not safe; every road has checkpoints.",
        "preferred_country": "Tunisia",
        "family": [{"age_band": "0-11"}, {"age_band": "18-64", "needs": "insulin"}],
    },
}
REFERRAL_BODY_OUT = {
    "reference": "G-7K2Q9M",
    "kind": "grant",
    "status": "submitted",
    "status_text": "We received your request. A caseworker will look at it soon.",
    "urgency": "high",
    "submitted_at": "2026-12-01T09:30:00Z",
    "status_changed_at": None,
    "messages_url": "/api/v1/referrals/G-7K2Q9M/messages/",
}

REFERRAL_GRANT_IN = OpenApiExample("A grant for a lawyer", value=REFERRAL_GRANT_BODY, request_only=True)
REFERRAL_RELOCATION_IN = OpenApiExample("A relocation with family", value=REFERRAL_RELOCATION_BODY,
                                        request_only=True)
REFERRAL_OUT = OpenApiExample("A referral", value=REFERRAL_BODY_OUT, response_only=True)
REFERRAL_LIST = OpenApiExample("A page of referrals", response_only=True, value={
    "next": "/api/v1/referrals/?cursor=cD0yMDI2LTEyLTAx", "previous": None, "results": [REFERRAL_BODY_OUT]})
MESSAGE_BODY = {"body": "She can travel to the capital on Thursday to meet the lawyer."}
MESSAGE_IN = OpenApiExample("A message", value=MESSAGE_BODY, request_only=True)
MESSAGE_BODY_OUT = {"id": 41, "sender": "partner", "body": MESSAGE_BODY["body"], "created_at": "2026-12-01T10:00:00Z"}
MESSAGE_OUT = OpenApiExample("The message written", value=MESSAGE_BODY_OUT, response_only=True)
MESSAGES_OUT = OpenApiExample("A conversation", response_only=True, value=[
    {"id": 40, "sender": "caseworker", "body": "Can she travel to the capital this week?",
     "created_at": "2026-12-01T09:45:00Z"}, MESSAGE_BODY_OUT])
WEBHOOK_BODY = {"url": "https://partner.example.org/hooks/protect", "events": ["referral.status_changed"]}
WEBHOOK_IN = OpenApiExample("A receiver", value=WEBHOOK_BODY, request_only=True)
WEBHOOK_BODY_OUT = {"id": 3, "url": WEBHOOK_BODY["url"], "events": WEBHOOK_BODY["events"],
                    "created_at": "2026-12-01T09:00:00Z"}
WEBHOOK_OUT = OpenApiExample("A receiver", value=WEBHOOK_BODY_OUT, response_only=True)
WEBHOOKS_OUT = OpenApiExample("Your receivers", value=[WEBHOOK_BODY_OUT], response_only=True)
WEBHOOK_CREATED_OUT = OpenApiExample("The new receiver and its secret", response_only=True,
                                     value=WEBHOOK_BODY_OUT | {"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
DELIVERIES_OUT = OpenApiExample("A delivery log", response_only=True, value={
    "next": None, "previous": None, "results": [
    {"id": 12, "webhook_id": "msg_2b5f0d6a8c3e4f1a9b7c6d5e4f3a2b1c", "event": "referral.status_changed",
     "status": "sent", "attempts": 1, "last_error": "", "created_at": "2026-12-01T09:31:00Z",
     "sent_at": "2026-12-01T09:31:01Z"}]})
PROBLEM = OpenApiExample("A refused request", response_only=True, value={
    "type": "/api/docs/#error-400", "title": "Bad request", "status": 400,
    "detail": "The request has invalid fields: see errors.", "code": "invalid",
    "errors": {"grant.currency": ["Ensure this field has at least 3 characters."]}})
