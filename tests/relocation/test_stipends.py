"""Monthly stipends: beat writes one instalment per relocation and month, however often it runs;
finance confirms them in the same payments inbox as grants (the kernel's sections), once; finance
sees stipends and nothing else of a relocation."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from protect.core.errors import Conflict, PermissionDenied
from relocation.models import StipendInstalment
from relocation.services import (
    relocation_add_budget_line,
    relocation_confirm_stipend,
    relocation_end,
    relocations_create_stipends,
)
from relocation.tasks import create_stipends
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def residing(relocation_in, caseworker, host_of):
    """In residence since `days_ago`, with a stipend of EUR 500 a person a month (a family of three)."""

    def make(days_ago: int = 40, *, months: int = 6, **overrides):
        starts_on = TODAY - datetime.timedelta(days=days_ago)
        relocation = relocation_in("in_residence", host=host_of(places=10), starts_on=starts_on,
                                   ends_on=starts_on + datetime.timedelta(days=30 * months), **overrides)
        relocation_add_budget_line(relocation=relocation, by=caseworker, kind="stipend", amount_minor=50_000,
                                   currency="EUR")
        return relocation

    return make


def test_beat_writes_each_begun_month_once_however_often_it_runs(residing, audit_actions):
    relocation = residing(40)  # the first month, and the second begun ten days ago
    assert create_stipends.apply().get() == 2
    assert create_stipends.apply().get() == 0  # run twice
    assert relocations_create_stipends() == 0
    stipends = list(StipendInstalment.objects.filter(relocation=relocation))
    assert [s.month for s in stipends] == [relocation.starts_on, relocation.starts_on.replace(
        month=relocation.starts_on.month % 12 + 1, year=relocation.starts_on.year + (relocation.starts_on.month == 12))]
    assert all((s.people, s.amount_minor, s.currency, s.amount_eur_minor) == (3, 150_000, "EUR", 150_000)
               for s in stipends)
    assert audit_actions("relocation.stipend") == ["relocation.stipend.created"] * 2


def test_no_stipend_before_the_start_after_the_end_or_without_a_stipend_line(relocation_in, residing, caseworker):
    residing(-5)  # starts in five days
    relocation_in("in_residence", starts_on=TODAY - datetime.timedelta(days=40),
                  ends_on=TODAY + datetime.timedelta(days=100))  # no stipend line
    short = residing(70, months=1)  # a one-month stay that ended forty days ago: one month
    assert relocations_create_stipends() == 1
    assert list(StipendInstalment.objects.values_list("relocation_id", flat=True)) == [short.pk]


def test_an_ended_stay_gets_its_last_month_caught_up_once(residing, caseworker):
    relocation = residing(40)
    relocation_end(relocation=relocation, by=caseworker)
    assert relocations_create_stipends() == 2
    assert relocations_create_stipends() == 0


def test_the_amount_counts_the_people_who_relocated(residing):
    residing(10, family=[])
    assert relocations_create_stipends() == 1
    assert StipendInstalment.objects.get().amount_minor == 50_000  # the defender alone


def _finance_inbox(client, finance):
    login_verified(client, finance)
    return client.get("/cases/payments/")


def test_finance_confirms_stipends_in_the_payments_inbox_once(client, residing, finance, audit_actions):
    relocation = residing(40)
    relocations_create_stipends()
    first, second = StipendInstalment.objects.order_by("month")
    response = _finance_inbox(client, finance)
    html = response.content.decode()
    assert 'id="pay-grants"' in html and 'id="pay-relocationstipends"' in html  # one inbox, both kinds
    assert f'id="stipend-{first.pk}"' in html and "EUR 1,500.00" in html and "Swift" in html
    assert "Followed and threatened" not in html and f'href="/relocations/{relocation.reference}/"' not in html
    post = {"instalment": first.pk, "paid_on": TODAY.isoformat()}
    url = f"/relocations/{relocation.reference}/confirm-stipend/"
    assert client.post(url, post)["Location"] == "/cases/payments/"
    assert client.post(url, post)["Location"] == "/cases/payments/"  # a double click changes nothing twice
    first.refresh_from_db()
    assert (first.paid_on, first.confirmed_by) == (TODAY, finance)
    assert audit_actions("relocation.stipend.confirmed") == ["relocation.stipend.confirmed"]
    html = client.get("/cases/payments/").content.decode()
    assert f'id="stipend-{first.pk}"' not in html and f'id="stipend-{second.pk}"' in html


def test_bad_confirmations_are_refused_and_change_nothing(client, residing, finance):
    relocation = residing(40)
    relocations_create_stipends()
    first = StipendInstalment.objects.order_by("month").first()
    login_verified(client, finance)
    url = f"/relocations/{relocation.reference}/confirm-stipend/"
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"instalment": first.pk, "paid_on": tomorrow})
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    response = client.post(url, {"instalment": 999_999, "paid_on": TODAY.isoformat()})
    assert response.status_code == 400 and "No such stipend" in response.content.decode()
    assert client.post(url, {"paid_on": TODAY.isoformat()}).status_code == 400
    assert not StipendInstalment.objects.filter(paid_on__isnull=False).exists()
    relocation_confirm_stipend(relocation=relocation, by=finance, instalment_id=first.pk, paid_on=TODAY)
    with pytest.raises(Conflict):  # confirmed already, on another day
        relocation_confirm_stipend(relocation=relocation, by=finance, instalment_id=first.pk,
                                   paid_on=TODAY - datetime.timedelta(days=1))
    first.refresh_from_db()
    assert first.paid_on == TODAY


def test_only_finance_confirms_and_finance_sees_stipends_only(client, residing, finance, caseworker, coordinator):
    relocation = residing(40)
    relocations_create_stipends()
    first = StipendInstalment.objects.order_by("month").first()
    for user in (caseworker, coordinator):
        with pytest.raises(PermissionDenied):
            relocation_confirm_stipend(relocation=relocation, by=user, instalment_id=first.pk, paid_on=TODAY)
        login_verified(client, user)
        response = client.post(f"/relocations/{relocation.reference}/confirm-stipend/",
                               {"instalment": first.pk, "paid_on": TODAY.isoformat()})
        assert response.status_code == 403
    first.refresh_from_db()
    assert first.paid_on is None
    login_verified(client, coordinator)  # the coordinator reads the inbox, without the button
    html = client.get("/cases/payments/").content.decode()
    assert f'id="stipend-{first.pk}"' in html and "confirm-stipend" not in html
    login_verified(client, finance)
    for path in ("/relocations/", f"/relocations/{relocation.reference}/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/relocations/{relocation.reference}/reveal/").status_code == 403


def test_finance_cannot_confirm_for_a_relocation_not_yet_in_residence(client, relocation_in, finance):
    relocation = relocation_in("preparing")
    login_verified(client, finance)
    response = client.post(f"/relocations/{relocation.reference}/confirm-stipend/",
                           {"instalment": 1, "paid_on": TODAY.isoformat()})
    assert response.status_code == 404  # finance does not learn it exists


def test_the_page_lists_the_stipends_for_the_caseworker(client, residing, caseworker):
    relocation = residing(40)
    relocations_create_stipends()
    login_verified(client, caseworker)
    html = client.get(f"/relocations/{relocation.reference}/").content.decode()
    assert html.count("waiting for finance") == 2 and "EUR 3,000.00" in html  # written so far


@pytest.mark.parametrize(("starts_on", "ends_on", "months"), [
    ("2031-03-01", "2031-08-31", 6), ("2031-03-01", "2031-09-01", 6), ("2031-03-01", "2031-09-02", 7),
    ("2031-01-31", "2031-04-30", 3), ("2031-03-01", "2031-03-01", 1),
])
def test_a_stay_has_one_stipend_month_per_month_begun_before_its_end(starts_on, ends_on, months):
    from relocation.workflow import stipend_months

    days = [datetime.date.fromisoformat(starts_on), datetime.date.fromisoformat(ends_on)]
    found = list(stipend_months(*days))
    assert len(found) == months and found[0] == days[0]
    if starts_on == "2031-01-31":
        assert [d.isoformat() for d in found] == ["2031-01-31", "2031-02-28", "2031-03-31"]  # never drifts
