"""QuickSelect writes the same HTML as Django's template-rendered Select, so swapping it in changes
nothing a reader, a browser test or axe sees, only the time it takes."""

from __future__ import annotations

import pytest
from django import forms

from grants.forms import QueueFilterForm
from protect.core.forms import QuickSelect

CHOICES = [("", "Any"), ("KE", "Kenya"), ("CI", "Côte d'Ivoire"), ("x<y", 'Say "hi" & <b>bye</b>'),
           ("Group", [("a", "A"), ("b", "B")])]


@pytest.mark.parametrize("value", [None, "", "KE", "x<y", "b", "not a choice"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_country", "required": True, "disabled": False,
                                          "aria-describedby": "help"}])
def test_quick_select_writes_what_django_s_select_writes(value, attrs):
    assert QuickSelect(choices=CHOICES).render("country", value, attrs) == \
        forms.Select(choices=CHOICES).render("country", value, attrs)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"country": "KE", "status": "triage", "urgency": "high", "need": "legal"},
                                  {"country": "nowhere", "urgency": "<script>"}])
def test_the_queue_filters_render_as_before(data):
    quick = QueueFilterForm(data)
    quick.is_valid()
    plain = QueueFilterForm(data)
    plain.is_valid()
    for name in ("status", "urgency", "country", "need"):
        plain.fields[name].widget = forms.Select(choices=plain.fields[name].choices)
        assert isinstance(quick.fields[name].widget, QuickSelect)
        assert str(quick[name]) == str(plain[name])
