"""After a blind-index key change, `reindex_defenders` makes duplicate detection work again."""

import pytest
from django.core.management import call_command

from protect.audit.models import AuditEvent
from protect.crypto.keys import new_blind_index_key
from protect.defenders.services import defender_create, defender_find_duplicates

pytestmark = pytest.mark.django_db


def test_duplicates_are_found_again_after_the_key_changes_and_the_indexes_are_rebuilt(settings, coordinator, capsys):
    defender = defender_create(by=coordinator, pseudonym="Kestrel", legal_name="Achieng Otieno", country="KE",
                               contacts={"phone": "+254 700 000 001"})
    assert list(defender_find_duplicates(phone="+254700000001")) == [defender]

    settings.PROTECT_BLIND_INDEX_KEY = new_blind_index_key()
    assert not defender_find_duplicates(phone="+254700000001").exists()

    call_command("reindex_defenders", "--batch-size", "1")

    assert "rebuilt for 1 defenders" in capsys.readouterr().out
    assert list(defender_find_duplicates(phone="+254700000001")) == [defender]
    assert list(defender_find_duplicates(name="achieng  otieno", country="ke")) == [defender]
    assert AuditEvent.objects.filter(action="defenders.indexes.rebuilt").exists()
