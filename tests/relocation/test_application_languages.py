"""The public relocation application speaks the language of its URL: every label, choice, help and
heading of the form is translated into ar, es, fr and ru, and none is left in English (the browser
walk applies in Arabic, tests/e2e/test_relocation_full_flow.py)."""

from __future__ import annotations

import html

import pytest
from django.utils import translation
from django.utils.translation import gettext

pytestmark = pytest.mark.django_db

ON_THE_FORM = [
    "Apply for temporary relocation", "Who is at risk", "Who is applying?", "The defender",
    "Someone on the defender's behalf", "A host organisation", "The risk", "What is the risk?",
    "Why relocation rather than other protection measures?", "Where and how", "Preferred country",
    "Why this country?", "Visa or stay-permit plan", "Travel security plan", "What will you do during the stay?",
    "For example rest, training, advocacy or study.", "Other funders you asked",
    "Family members who would come too", "Only an age band and what each person needs: no names.", "Age band",
    "No one", "Child (under 12)", "Teenager (12 to 17)", "Adult (18 to 64)", "Older person (65 or more)",
    "Needs (health, school, care…)", "The return", "Intended return date", "How will the return be made safe?",
    "Send the application",
]


@pytest.mark.parametrize("lang", ["ar", "es", "fr", "ru"])
def test_the_application_form_has_no_english_left_in_each_language(client, lang):
    page = html.unescape(client.get(f"/{lang}/relocation/apply/").content.decode())
    for english in ON_THE_FORM:
        with translation.override(lang):
            text = gettext(english)
        assert text != english, f"{english!r} has no {lang} translation"
        assert text in page
        assert f">{english}<" not in page and f"{english}</" not in page
