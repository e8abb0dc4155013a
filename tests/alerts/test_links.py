"""An alert may be linked to the defender's grant or relocation, never to another defender's."""

from __future__ import annotations

import pytest

from alerts.services.drafting import alert_draft
from protect.defenders.services import defender_create
from tests.alerts.conftest import TEXTS
from tests.relocation.conftest import applied  # noqa: F401  the relocation fixture

pytestmark = pytest.mark.django_db


def test_an_alert_keeps_the_link_to_the_defenders_relocation(applied, caseworker):  # noqa: F811
    relocation = applied()
    alert = alert_draft(by=caseworker, defender=relocation.defender, language="en", relocation=relocation, **TEXTS)
    assert alert.relocation == relocation and list(relocation.alerts.all()) == [alert]


def test_an_alert_cannot_be_linked_to_another_defenders_relocation(applied, caseworker):  # noqa: F811
    from alerts.models import Alert
    from protect.core.errors import ProtectError

    relocation = applied()
    other = defender_create(by=caseworker, pseudonym="Other", legal_name="Other Person", country="KE")
    with pytest.raises(ProtectError) as refused:
        alert_draft(by=caseworker, defender=other, language="en", relocation=relocation, **TEXTS)
    assert refused.value.field == "relocation" and not Alert.objects.exists()
