"""The budget of a relocation: lines in minor units with a currency and the EUR rate recorded when
written (the kernel's money rules, as for grants), edited on the page, and the totals per
relocation and per year with the number of people, family included."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from protect.core.errors import ProtectError
from relocation.errors import RelocationError
from relocation.models import BudgetLine, Relocation
from relocation.selectors import relocation_totals, relocation_totals_by_year
from relocation.services import relocation_add_budget_line, relocation_cancel, relocation_remove_budget_line
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db
START, END = datetime.date(2031, 3, 1), datetime.date(2031, 8, 31)  # six stipend months


def test_a_line_records_its_currency_and_eur_rate(relocation_in, caseworker, settings, audit_actions):
    relocation = relocation_in("preparing")
    line = relocation_add_budget_line(relocation=relocation, by=caseworker, kind="travel", amount_minor=120_000,
                                      currency="usd")
    assert (line.currency, line.eur_rate, line.amount_eur_minor) == ("USD", Decimal("0.92"), 110_400)
    settings.PROTECT_EUR_RATES = settings.PROTECT_EUR_RATES | {"USD": Decimal("0.5")}
    line.refresh_from_db()
    assert line.amount_eur_minor == 110_400  # a later rate never rewrites a recorded amount
    assert audit_actions("relocation.budget") == ["relocation.budget.line_added"]


@pytest.mark.parametrize(("values", "field"), [
    ({"kind": "travel", "amount_minor": 0, "currency": "EUR"}, "amount"),
    ({"kind": "travel", "amount_minor": 100, "currency": "XYZ"}, "currency"),
    ({"kind": "yacht", "amount_minor": 100, "currency": "EUR"}, "kind"),
    ({"kind": "other", "amount_minor": 100, "currency": "EUR"}, "note"),  # "other" says what it is for
])
def test_bad_lines_are_refused_and_change_nothing(relocation_in, caseworker, values, field):
    relocation = relocation_in("preparing")
    with pytest.raises(ProtectError) as refused:
        relocation_add_budget_line(relocation=relocation, by=caseworker, **values)
    assert refused.value.field == field
    assert not BudgetLine.objects.exists()


def test_one_stipend_line_per_relocation(relocation_in, caseworker):
    relocation = relocation_in("preparing")
    relocation_add_budget_line(relocation=relocation, by=caseworker, kind="stipend", amount_minor=60_000,
                               currency="EUR")
    with pytest.raises(RelocationError, match="stipend line already"):
        relocation_add_budget_line(relocation=relocation, by=caseworker, kind="stipend", amount_minor=70_000,
                                   currency="EUR")
    assert BudgetLine.objects.filter(kind="stipend").count() == 1


def test_the_page_adds_a_line_once_for_a_double_click_and_removes_it(client, relocation_in, caseworker):
    relocation = relocation_in("preparing")
    login_verified(client, caseworker)
    url = f"/relocations/{relocation.reference}/"
    form = {"kind": "insurance", "amount": "350.50", "currency": "EUR", "note": "", "key": "k-123456789"}
    assert client.post(url + "budget/", form)["Location"] == url
    assert client.post(url + "budget/", form)["Location"] == url  # the same form again
    line = BudgetLine.objects.get()
    assert (line.kind, line.amount_minor) == ("insurance", 35_050)
    html = client.get(url).content.decode()
    assert f'id="budget-line-{line.pk}"' in html and "EUR 350.50" in html
    assert client.post(url + "budget/remove/", {"line": line.pk})["Location"] == url
    assert not BudgetLine.objects.exists()
    response = client.post(url + "budget/remove/", {"line": line.pk})  # removed already
    assert response.status_code == 400 and "No such budget line" in response.content.decode()


def test_the_budget_is_closed_once_the_stay_ended(relocation_in, caseworker):
    from protect.workflow import WorkflowError
    from relocation.services import relocation_end

    relocation = relocation_end(relocation=relocation_in("in_residence"), by=caseworker)
    with pytest.raises(WorkflowError):
        relocation_add_budget_line(relocation=relocation, by=caseworker, kind="travel", amount_minor=100,
                                   currency="EUR")
    line = BudgetLine.objects.create(relocation=relocation, kind="travel", amount_minor=100, currency="EUR",
                                     eur_rate=1, amount_eur_minor=100)
    with pytest.raises(WorkflowError):
        relocation_remove_budget_line(relocation=relocation, by=caseworker, line_id=line.pk)


def _budget(relocation, by):
    for kind, amount, currency in (("travel", 90_000, "EUR"), ("visa", 10_000, "USD"),
                                   ("stipend", 50_000, "EUR")):
        relocation_add_budget_line(relocation=relocation, by=by, kind=kind, amount_minor=amount, currency=currency)


def test_totals_count_everyone_who_relocated_and_the_stipend_over_the_whole_stay(relocation_in, caseworker):
    relocation = relocation_in("preparing", starts_on=START, ends_on=END)  # the defender and two family members
    _budget(relocation, caseworker)
    totals = relocation_totals(relocation)
    # travel 900 + visa USD 100 at 0.92 + 500 a person a month, three people, six months
    assert totals.people == 3
    assert totals.planned_eur_minor == 90_000 + 9_200 + 50_000 * 3 * 6
    assert (totals.stipends_written_eur_minor, totals.stipends_paid_eur_minor) == (0, 0)


def test_totals_per_year_for_the_dashboards(relocation_in, caseworker, host_of):
    host = host_of(places=5)
    first = relocation_in("preparing", host=host, starts_on=START, ends_on=END)
    second = relocation_in("preparing", host=host, starts_on=START, ends_on=START, family=[])  # alone, one month
    next_year = relocation_in("preparing", host=host, starts_on=datetime.date(2032, 1, 10),
                              ends_on=datetime.date(2032, 2, 9))
    cancelled = relocation_in("preparing", host=host, starts_on=START, ends_on=END)
    for relocation in (first, second, next_year, cancelled):
        _budget(relocation, caseworker)
    relocation_cancel(relocation=cancelled, by=caseworker, reason="The defender chose to stay.")
    by_year = relocation_totals_by_year()
    assert sorted(by_year) == [2031, 2032]
    assert (by_year[2031].relocations, by_year[2031].people) == (2, 4)
    one_offs = 90_000 + 9_200
    assert by_year[2031].planned_eur_minor == (one_offs + 50_000 * 3 * 6) + (one_offs + 50_000 * 1 * 1)
    assert (by_year[2032].relocations, by_year[2032].people) == (1, 3)
    # Scoped: the page passes the relocations its user may see.
    assert relocation_totals_by_year(Relocation.objects.none(), years=[2031])[2031].relocations == 0


def test_the_page_shows_the_totals(client, relocation_in, caseworker):
    relocation = relocation_in("preparing", starts_on=START, ends_on=END)
    _budget(relocation, caseworker)
    login_verified(client, caseworker)
    html = client.get(f"/relocations/{relocation.reference}/").content.decode()
    assert 'id="totals"' in html and "EUR 9,992.00" in html  # 900 + 92 + 500 × 3 × 6
    assert 'id="year-totals"' in html and "relocations: 1, people: 3" in html
