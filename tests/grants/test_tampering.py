"""A tampered ciphertext on a case page: a clear error page and an audit event, never data."""

import pytest
from django.db import connection

from grants.models import Grant
from protect.audit.models import AuditEvent
from protect.cases.services.routing import case_route
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def test_revealing_a_case_whose_ciphertext_was_moved_shows_an_error_and_is_audited(client, hotline_grant, coordinator):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    with connection.cursor() as cursor:  # someone with database access swaps two encrypted columns
        cursor.execute("UPDATE grants_grant SET incident = threat WHERE id = %s", [grant.pk])
    login_verified(client, coordinator)

    response = client.post(f"/cases/{grant.reference}/reveal/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "failed its integrity check" in html
    assert "Police raided" not in html and "Summons to appear" not in html
    assert AuditEvent.objects.filter(action="crypto.decrypt.failed").exists()


def test_the_case_summary_still_opens_without_the_confidential_details(client, hotline_grant, coordinator):
    grant = case_route(model=Grant, case_id=hotline_grant().pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE grants_grant SET incident = threat WHERE id = %s", [grant.pk])
    login_verified(client, coordinator)
    assert client.get(f"/cases/{grant.reference}/").status_code == 200
