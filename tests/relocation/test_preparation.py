"""The preparation checklist (visa, travel booked, insurance, arrival contact): edited on the
relocation page, and the SLA sweep's warning when the start nears with items open, once per
relocation and threshold (the kernel sweep runs the relocation's hook)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from protect.cases.services.sla import cases_sweep_sla
from protect.delivery.models import Delivery
from protect.workflow import WorkflowError
from relocation.models import PreparationItem, PreparationWarning
from relocation.services import relocation_update_checklist
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
KINDS = ("visa", "travel", "insurance", "arrival_contact")


@pytest.fixture
def preparing(relocation_in, caseworker):
    caseworker.email = "amina@desk.example"
    caseworker.save(update_fields=["email"])

    def make(start_in_days: int):
        start = TODAY + datetime.timedelta(days=start_in_days)
        return relocation_in("preparing", starts_on=start, ends_on=start + datetime.timedelta(days=180))

    return make


def _all_done(relocation, by):
    relocation_update_checklist(relocation=relocation, by=by, items={kind: (TODAY, TODAY) for kind in KINDS})


def test_the_caseworker_sets_due_and_done_dates_on_the_page(client, preparing, caseworker, audit_actions):
    relocation = preparing(30)
    login_verified(client, caseworker)
    url = f"/relocations/{relocation.reference}/"
    assert f"{url}checklist/" in client.get(url).content.decode()
    due = (TODAY + datetime.timedelta(days=10)).isoformat()
    form = {"visa_due_on": due, "visa_done_on": TODAY.isoformat(), "travel_due_on": due}
    assert client.post(url + "checklist/", form)["Location"] == url
    items = {item.kind: item for item in PreparationItem.objects.filter(relocation=relocation)}
    assert set(items) == {"visa", "travel"}
    assert (items["visa"].done_on, items["travel"].done_on, items["travel"].due_on.isoformat()) == (TODAY, None, due)
    html = client.get(url).content.decode()
    assert 'id="prep-visa"' in html and TODAY.isoformat() in html
    # The same dates sent again (a double click) change nothing and add no audit event.
    client.post(url + "checklist/", form)
    assert audit_actions("relocation.preparation.updated") == ["relocation.preparation.updated"]


def test_a_done_date_in_the_future_is_refused_and_changes_nothing(client, preparing, caseworker):
    relocation = preparing(30)
    login_verified(client, caseworker)
    future = (TODAY + datetime.timedelta(days=2)).isoformat()
    response = client.post(f"/relocations/{relocation.reference}/checklist/",
                           {"visa_due_on": TODAY.isoformat(), "visa_done_on": future})
    assert response.status_code == 400 and "cannot be done on a date in the future" in response.content.decode()
    assert not PreparationItem.objects.exists()
    response = client.post(f"/relocations/{relocation.reference}/checklist/", {"visa_due_on": "not a date"})
    assert response.status_code == 400 and not PreparationItem.objects.exists()


def test_the_checklist_is_edited_only_while_preparing_or_in_residence(relocation_in, caseworker):
    relocation = relocation_in("host_matching")
    with pytest.raises(WorkflowError):
        relocation_update_checklist(relocation=relocation, by=caseworker, items={"visa": (TODAY, None)})
    assert not PreparationItem.objects.exists()


def test_the_sweep_warns_the_caseworker_once_per_threshold_while_items_are_open(preparing, settings, audit_actions):
    settings.PROTECT_RELOCATION_PREPARATION_WARN_DAYS = [14, 3]
    relocation = preparing(10)
    now = timezone.now()
    assert cases_sweep_sla(now=now) == 1
    assert cases_sweep_sla(now=now) == 0  # the next sweep, five minutes later: nothing twice
    warnings = list(PreparationWarning.objects.filter(relocation=relocation).values_list("days_before", flat=True))
    assert warnings == [14]
    mail = Delivery.objects.get(key=f"relocation.preparation:{relocation.pk}:14")
    assert mail.recipient == "amina@desk.example" and relocation.reference in mail.subject
    assert "Visa or stay permit" in mail.body and "Leila" not in mail.body  # items, never a name
    # Eight days later, two days before the start: the three-day warning, once.
    later = now + datetime.timedelta(days=8)
    assert cases_sweep_sla(now=later) == 1
    assert cases_sweep_sla(now=later) == 0
    assert sorted(PreparationWarning.objects.values_list("days_before", flat=True)) == [3, 14]
    assert audit_actions("relocation.relocation.preparation_warned") == ["relocation.relocation.preparation_warned"] * 2


def test_a_sweep_that_first_runs_close_to_the_start_sends_only_the_tightest_warning(preparing, settings):
    settings.PROTECT_RELOCATION_PREPARATION_WARN_DAYS = [14, 3]
    relocation = preparing(2)
    assert cases_sweep_sla(now=timezone.now()) == 1
    assert list(PreparationWarning.objects.filter(relocation=relocation).values_list("days_before", flat=True)) == [3]


def test_no_warning_when_everything_is_done_or_the_start_is_far(preparing, caseworker, settings):
    settings.PROTECT_RELOCATION_PREPARATION_WARN_DAYS = [14, 3]
    ready = preparing(5)
    _all_done(ready, caseworker)
    preparing(40)  # far off
    assert cases_sweep_sla(now=timezone.now()) == 0
    assert not PreparationWarning.objects.exists() and not Delivery.objects.filter(key__startswith="relocation.preparation").exists()


def test_a_stay_that_started_is_no_longer_warned_about(preparing, caseworker, settings):
    from relocation.services import relocation_start_residence

    settings.PROTECT_RELOCATION_PREPARATION_WARN_DAYS = [14, 3]
    relocation = preparing(5)
    relocation_start_residence(relocation=relocation, by=caseworker)
    assert cases_sweep_sla(now=timezone.now()) == 0
