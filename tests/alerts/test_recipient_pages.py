"""Recipients of alerts managed by coordinators on the desk: list, add (a web hook's secret shown
once), edit, deactivate; addresses checked as the import checks them; nobody else sees them."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from alerts.models import Recipient
from protect.delivery.signing import secret_key
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _add(client, **fields):
    page = client.get("/alert-desk/recipients/new/").content.decode()
    token = re.search(r'name="intake_token" value="([^"]+)"', page).group(1)
    form = {"intake_token": token, "name": "UN SR on HRDs", "channel": "email", "address": "sr@example.org",
            "language": "en", "tier": "un", "secret": ""} | fields
    return form, client.post("/alert-desk/recipients/new/", form)


def test_a_web_hook_recipient_gets_a_secret_shown_once_and_a_repeat_adds_nothing(client, coordinator):
    login_verified(client, coordinator)
    form, response = _add(client, name="Partner hook", channel="webhook", address="https://hooks.example.org/in",
                          tier="partners")
    assert response.status_code == 200
    secret = re.search(r'<code class="secret">(whsec_[^<]+)</code>', response.content.decode()).group(1)
    recipient = Recipient.objects.get()
    assert secret_key(secret) and recipient.endpoint.secret == secret and recipient.endpoint.url.startswith("https")
    again = client.post("/alert-desk/recipients/new/", form)  # a double click: nothing added, no secret again
    assert again.status_code == 302 and Recipient.objects.count() == 1
    assert "whsec_" not in client.get(again["Location"]).content.decode()
    assert secret not in client.get(f"/alert-desk/recipients/{recipient.pk}/").content.decode()


@pytest.mark.parametrize(("address", "allowed"), [
    ("http://hooks.example.org/in", False),
    ("ftp://hooks.example.org/in", False),
    ("http://127.0.0.1:8025/in", True),
])
def test_plain_http_is_refused_unless_to_loopback_outside_production(client, coordinator, address, allowed):
    login_verified(client, coordinator)
    _form, response = _add(client, channel="webhook", address=address, tier="partners")
    assert (response.status_code == 200) is allowed
    assert Recipient.objects.exists() is allowed
    if not allowed:
        assert "must be an https URL" in response.content.decode()


@override_settings(PRODUCTION=True)
def test_in_production_even_loopback_needs_https(coordinator):
    from alerts.services.recipients import recipient_create
    from protect.core.errors import ProtectError

    with pytest.raises(ProtectError, match="https"):
        recipient_create(by=coordinator, name="Local", channel="webhook", address="http://127.0.0.1:8025/in",
                         language="en", tier="partners")
    assert not Recipient.objects.exists()


def test_a_bad_e_mail_address_is_refused_beside_the_field(client, coordinator):
    login_verified(client, coordinator)
    _form, response = _add(client, address="not an address")
    assert response.status_code == 400
    assert "The address is not an e-mail address." in response.content.decode()
    assert not Recipient.objects.exists()


def test_a_coordinator_edits_and_deactivates_a_recipient(client, coordinator):
    login_verified(client, coordinator)
    _add(client)
    recipient = Recipient.objects.get()
    response = client.post(f"/alert-desk/recipients/{recipient.pk}/", {
        "name": "UN Special Rapporteur", "address": "rapporteur@example.org", "language": "fr", "tier": "un"})
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert (recipient.name, recipient.email, recipient.language) == ("UN Special Rapporteur",
                                                                     "rapporteur@example.org", "fr")
    refused = client.post(f"/alert-desk/recipients/{recipient.pk}/", {
        "name": "UN", "address": "nope", "language": "fr", "tier": "un"})
    assert refused.status_code == 400
    recipient.refresh_from_db()
    assert recipient.email == "rapporteur@example.org"
    for _ in range(2):  # deactivating twice changes nothing the second time
        assert client.post(f"/alert-desk/recipients/{recipient.pk}/deactivate/").status_code == 302
    recipient.refresh_from_db()
    assert recipient.active is False
    listing = client.get("/alert-desk/recipients/").content.decode()
    assert "UN Special Rapporteur" in listing and "rapporteur@example.org" not in listing


@pytest.mark.parametrize("role", ["caseworker", "reviewer", "finance"])
def test_only_coordinators_manage_recipients(client, request, coordinator, role):
    login_verified(client, coordinator)
    _add(client)
    recipient = Recipient.objects.get()
    login_verified(client, request.getfixturevalue(role))
    assert client.get("/alert-desk/recipients/").status_code == 403
    assert client.post(f"/alert-desk/recipients/{recipient.pk}/deactivate/").status_code == 403
    assert Recipient.objects.get().active
