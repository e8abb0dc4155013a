"""Anonymous readers and every role get the same public alert pages and feed, byte for byte: being
logged in shows nothing more (and nothing less) on the public side."""

from __future__ import annotations

import pytest

from alerts.services.drafting import alert_update
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

ROLES = ("caseworker", "caseworker_other_team", "reviewer", "approver", "finance", "coordinator", "donor",
         "partner", "host", "outsider")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_what_anonymous_readers_see(client, request, alert_in, caseworker, role):
    alert = alert_in("published")
    alert_update(alert=alert, by=caseworker, idempotency_key="k", news="Moved to another prison.")
    urls = [f"{prefix}{path}" for prefix in ("", "/fr") for path in
            ("/alerts/", "/alerts/feed/", f"/alerts/{alert.public_slug}/")]
    anonymous = {url: client.get(url) for url in urls}
    login_verified(client, request.getfixturevalue(role))
    for url in urls:
        response = client.get(url)
        assert response.status_code == anonymous[url].status_code == 200
        assert response.content == anonymous[url].content, url
