"""The public request form: one request makes one grant and one defender, in the language of the URL,
with spam resistance that never looks at an IP address."""

from __future__ import annotations

import re
import secrets
import time
from urllib.parse import urlparse

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from grants.models import Grant, GrantFile
from grants.public_forms import REQUEST_FORM, PublicRequestForm, parse_amount_minor
from protect.cases.services.casefile import case_ask_requester
from protect.cases.services.requester import case_for_requester
from protect.cases.services.routing import case_route
from protect.cases.status_page import STATUS_LOGIN_FORM
from protect.crypto.models import EncryptedFile
from protect.defenders.models import Defender
from protect.outbox.models import OutboxMessage
from protect.public import ratelimit
from protect.public.form_token import form_token_issue
from tests.documents import pdf_bytes

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")
HEADINGS = {
    "en": "Ask for emergency support",
    "ar": "طلب دعم طارئ",
    "es": "Pedir apoyo de emergencia",
    "fr": "Demander un soutien d’urgence",
    "ru": "Запросить экстренную помощь",
}


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    """Other tests share the minute's counter: only the rate-limit test sets a low limit."""
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 100_000
    settings.PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = 100_000


def aged_token() -> str:
    """A token served ten seconds ago: past the minimum fill time."""
    return form_token_issue(purpose=REQUEST_FORM, now=time.time() - 10)


def request_data(**overrides):
    data = {
        "form_token": aged_token(),
        "kind": "person",
        "pseudonym": "Heron",
        "legal_name": "Nadia Haddad",
        "channel": "signal",
        "contact": "+961 70 000 000",
        "contact_notes": "After 6 pm only",
        "country": "LB",
        "location": "Tripoli",
        "profiles": ["journalist", "women_hrd"],
        "incident": "Security forces raided my office and took my laptop.",
        "threat": "I am summoned to the military court next week.",
        "risk_kinds": ["raid", "judicial_harassment"],
        "urgency": "high",
        "needs": ["legal", "digital_security"],
        "need_details": "A lawyer and a clean laptop.",
        "amount": "2500.50",
        "currency": "EUR",
        "other_funding": "None yet.",
        "endorser1_name": "Rima",
        "endorser1_organisation": "Press Freedom Network",
        "endorser1_contact": "Signal +961 70 111 111",
        "homepage": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def secrets_in(html: str) -> tuple[str, str]:
    receipt = RECEIPT.search(html).group(0)
    passphrase = re.findall(r'<span class="secret" dir="ltr">([^<]+)</span>', html)[1]
    return receipt, passphrase


def nothing_created() -> bool:
    return not Grant.objects.exists() and not Defender.objects.exists() and not OutboxMessage.objects.exists()


# --- a request ------------------------------------------------------------------------------------


def test_a_valid_request_creates_one_grant_and_one_defender_and_shows_the_receipt_once(client):
    response = client.post("/request/", request_data())

    assert response.status_code == 200
    assert "Location" not in response
    html = response.content.decode()
    assert "Your request was received" in html
    receipt, passphrase = secrets_in(html)
    assert len(passphrase.split()) == 7
    grant = Grant.objects.get()
    assert Defender.objects.count() == 1
    assert grant.channel == "public_form" and grant.status == "submitted" and grant.language == "en"
    assert grant.amount_requested_minor == 250_050 and grant.currency == "EUR"
    assert grant.needs == ["digital_security", "legal"] and grant.urgency == "high"
    assert grant.endorsers == [{"name": "Rima", "organisation": "Press Freedom Network",
                                "contact": "Signal +961 70 111 111"}]
    defender = grant.defender
    assert defender.legal_name == "Nadia Haddad" and defender.pseudonym == "Heron"
    assert (defender.country, defender.region, defender.location) == ("LB", "mena", "Tripoli")
    assert defender.contacts == {"signal": "+961 70 000 000"}
    assert defender.secure_channels == {"preferred": "signal", "notes": "After 6 pm only"}
    assert sorted(defender.profiles.values_list("profile", flat=True)) == ["journalist", "women_hrd"]
    routing = OutboxMessage.objects.get(task_name="cases.route")
    assert routing.kwargs == {"case_type": "grants.grant", "case_id": grant.pk}
    # The secrets open this grant, and are kept nowhere the browser could show them again.
    assert case_for_requester(receipt_code=receipt, passphrase=passphrase) == grant
    assert receipt not in str(dict(client.session)) and passphrase not in str(dict(client.session))
    assert receipt not in response.cookies.output()


def test_a_request_in_arabic_is_recorded_in_arabic(client):
    response = client.post("/ar/request/", request_data(channel="none", contact=""))

    assert response.status_code == 200
    grant = Grant.objects.get()
    assert grant.language == "ar"
    assert grant.defender.languages == ["ar"] and grant.defender.contacts == {}


@pytest.mark.parametrize(("typed", "minor"), [
    ("2500", 250_000), ("2500.50", 250_050), ("2500,5", 250_050), ("2 500.05", 250_005), ("٢٥٠٠٫٥٠", 250_050),
    ("0.01", 1),
    # the issue's examples: a separator before exactly three digits groups thousands
    ("2,500", 250_000), ("2 500", 250_000), ("2500,00", 250_000), ("٢٥٠٠", 250_000), ("٢٬٥٠٠", 250_000),
    ("2.500", 250_000), ("1,250,000", 125_000_000), ("2.500,50", 250_050), ("2,500.50", 250_050),
    ("2\u202f500,00", 250_000), ("٢،٥٠٠", 250_000),
])
def test_amounts_are_read_as_major_units_and_kept_in_minor_units(typed, minor):
    assert parse_amount_minor(typed) == minor


@pytest.mark.parametrize("typed", [
    "2500.555", "abc", "0", "-5", "1e3", "",
    "0,500",  # half, or five hundred? refused rather than guessed
    "25,00,0", "2,500,50", "2.500.50", "2,50.000", ",5", "5,", "1234567890123",
])
def test_ambiguous_or_malformed_amounts_are_refused(typed):
    with pytest.raises(ValidationError):
        parse_amount_minor(typed)


def test_an_amount_above_the_cap_is_a_clear_error_and_creates_nothing(client):
    response = client.post("/request/", request_data(amount="10000.01"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "The amount is above the maximum grant of EUR 10,000." in html
    assert 'id="id_amount_error"' in html and 'aria-invalid="true"' in html
    assert nothing_created()


def test_the_cap_error_speaks_the_language_of_the_page(client):
    response = client.post("/es/request/", request_data(amount="20000"))

    assert "La cantidad supera la subvención máxima de 10\xa0000 EUR." in response.content.decode()
    assert nothing_created()


def test_validation_errors_keep_what_was_typed_and_create_nothing(client):
    data = request_data(pseudonym="", needs=None, incident="Threat letters at my door every night.", threat="")
    response = client.post("/request/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert nothing_created()
    # what was typed comes back
    assert 'value="Nadia Haddad"' in html
    assert "Threat letters at my door every night." in html
    assert 'value="2500.50"' in html
    assert re.search(r'<option value="LB" selected>', html)
    assert re.search(r'value="journalist"[^>]*checked', html)
    # errors are linked to their fields, and listed at the top with links
    assert 'aria-describedby="id_pseudonym_helptext id_pseudonym_error"' in html
    assert 'id="id_needs_error"' in html and 'href="#id_needs_0"' in html
    assert "choose them again" in html  # file inputs cannot be refilled: the page says so
    # the same form token is kept, so correcting and resending works
    assert f'value="{data["form_token"]}"' in html


def test_what_happened_or_the_threat_must_be_told(client):
    response = client.post("/request/", request_data(incident="", threat=""))

    assert "Tell us what happened or what the threat is now: at least one." in response.content.decode()
    assert 'id="id_incident_error"' in response.content.decode()
    assert nothing_created()


def test_the_rule_about_what_happened_is_explained_before_sending(client):
    html = client.get("/request/").content.decode()

    form = html[html.index("<form"):]
    assert form.index("Tell us what happened or what the threat is now: at least one.") < form.index('name="incident"')


# --- a short form --------------------------------------------------------------------------------


def _controls(html: str) -> int:
    """Inputs, selects, text areas and buttons a person can use (not hidden, not the honeypot)."""
    tags = re.findall(r"<(?:input|select|textarea|button)\b([^>]*)>", html)
    return len([attrs for attrs in tags if 'type="hidden"' not in attrs and 'name="homepage"' not in attrs])


def test_the_form_asks_first_only_what_is_needed_to_act_and_the_rest_is_marked_optional(client):
    html = client.get("/request/").content.decode()
    form = html[html.index("<form"):html.index("</form>")]
    optional = form[form.index('<details class="optional-part">'):form.index("</details>")]

    # 58 controls and the button on one long page before; now 34 and the button first, 24 folded away
    assert (_controls(form), _controls(optional)) == (59, 24)
    assert "More about you and your request" in optional and "(optional)" in optional
    for name in ("kind", "legal_name", "profiles", "need_details", "other_funding", "endorser1_name", "attachments"):
        assert f'name="{name}"' in optional and f'name="{name}"' not in form.replace(optional, "")
    for name in ("pseudonym", "channel", "contact", "contact_notes", "country", "location", "incident", "threat",
                 "needs", "urgency", "amount", "currency"):
        assert f'name="{name}"' not in optional


def test_the_short_path_a_pseudonym_and_what_is_needed_makes_a_request(client):
    essentials = {key: value for key, value in request_data(amount="2,500").items()
                  if key not in PublicRequestForm.OPTIONAL}

    response = client.post("/request/", essentials)

    assert response.status_code == 200 and "Your request was received" in response.content.decode()
    grant = Grant.objects.get()
    assert grant.amount_requested_minor == 250_000 and grant.endorsers == []
    assert (grant.defender.kind, grant.defender.legal_name, grant.defender.pseudonym) == ("person", "", "Heron")
    assert grant.defender.name_country_index == ""  # nothing to index: no name yet


def test_every_error_shows_in_a_single_round(client):
    """Field checks and the service's rules together: after correcting what was shown, nothing new."""
    wrong = request_data(pseudonym="", needs=None, incident="", threat="", amount="20000", risk_kinds=None,
                         endorser1_contact="", contact="")
    html = client.post("/request/", wrong).content.decode()

    errors = set(re.findall(r'id="id_(\w+)_error"', html))
    assert errors == {"pseudonym", "needs", "incident", "amount", "risk_kinds", "endorser1_contact", "contact"}
    assert "The amount is above the maximum grant of EUR 10,000." in html
    assert '<details class="optional-part" open>' in html  # an error in the optional part is not hidden
    corrected = {**wrong, "pseudonym": "Heron", "needs": ["legal"], "incident": "A raid.", "amount": "2 500",
                 "risk_kinds": ["raid"], "endorser1_contact": "Signal +961", "contact": "+961 70 000 000"}
    assert "Your request was received" in client.post("/request/", corrected).content.decode()


def test_the_optional_part_stays_folded_until_something_in_it_is_typed_or_wrong(client):
    essentials = {key: value for key, value in request_data(needs=None).items() if key not in PublicRequestForm.OPTIONAL}
    assert '<details class="optional-part">' in client.post("/request/", essentials).content.decode()
    assert '<details class="optional-part" open>' in client.post("/request/", request_data(needs=None)).content.decode()


def test_at_least_one_kind_of_risk_is_asked_for(client):
    response = client.post("/request/", request_data(risk_kinds=None))

    assert 'id="id_risk_kinds_error"' in response.content.decode()
    assert nothing_created()


def test_a_contact_is_needed_unless_the_defender_will_only_read_the_status_page(client):
    response = client.post("/request/", request_data(channel="email", contact="not an address"))

    assert "Enter a valid e-mail address." in response.content.decode()
    assert nothing_created()


# --- spam and double submissions ---------------------------------------------------------------------


def test_a_filled_honeypot_gets_a_normal_thank_you_and_stores_nothing(client):
    response = client.post("/request/", request_data(homepage="http://spam.example"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your request was received" in html
    assert RECEIPT.search(html)  # shaped like a real receipt, valid for nothing
    assert nothing_created()


def test_the_honeypot_is_hidden_by_a_class_not_an_inline_style(client):
    html = client.get("/request/").content.decode()

    assert '<div class="hp" aria-hidden="true">' in html
    assert 'name="homepage"' in html and 'tabindex="-1"' in html
    assert "style=" not in html


def test_replaying_the_same_form_token_creates_nothing_twice(client):
    data = request_data()
    first = client.post("/request/", data)
    receipt, _ = secrets_in(first.content.decode())

    second = client.post("/request/", data)

    assert Grant.objects.count() == 1 and Defender.objects.count() == 1
    html = second.content.decode()
    assert "This request was already received" in html
    assert receipt not in html and not RECEIPT.search(html)


def test_a_form_sent_faster_than_a_person_could_fill_it_is_shown_again(client):
    data = request_data(form_token=form_token_issue(purpose=REQUEST_FORM))

    response = client.post("/request/", data)

    assert nothing_created()
    html = response.content.decode()
    assert "Please look over your request and send it again." in html
    assert 'value="Nadia Haddad"' in html


@pytest.mark.parametrize("token", ["", "forged", "expired"])
def test_a_missing_forged_or_expired_token_creates_nothing_and_gives_a_fresh_form(client, token):
    if token == "expired":
        token = form_token_issue(purpose=REQUEST_FORM, now=time.time() - 3 * 3600)
    response = client.post("/request/", request_data(form_token=token))

    assert nothing_created()
    html = response.content.decode()
    assert "This form was open for too long." in html
    assert 'value="Nadia Haddad"' in html
    fresh = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    assert fresh != token


def test_the_rate_limit_answers_429_with_a_calm_translated_message(client, settings, monkeypatch):
    settings.PROTECT_PUBLIC_REQUESTS_PER_MINUTE = 2
    # A minute of our own, so no other test's requests count in it.
    minute = 10**9 + secrets.randbelow(10**6)
    monkeypatch.setattr(ratelimit, "_clock", lambda: minute * 60.0)

    responses = [client.post("/fr/request/", request_data()) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert Grant.objects.count() == 2
    html = responses[2].content.decode()
    assert "Beaucoup de demandes arrivent en ce moment." in html
    assert 'value="Nadia Haddad"' in html  # what was typed is kept for the next try


# --- attachments ---------------------------------------------------------------------------------------


def test_a_refused_attachment_is_a_form_error_and_stores_nothing_then_the_form_can_be_resent(client):
    data = request_data()
    bad = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not really a photo", content_type="image/jpeg")

    response = client.post("/request/", data | {"attachments": [bad]})

    html = response.content.decode()
    assert "This type of file is not accepted." in html and 'id="id_attachments_error"' in html
    assert nothing_created() and not EncryptedFile.objects.exists()
    good = SimpleUploadedFile("letter.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post("/request/", data | {"attachments": [good]})
    assert "Your request was received" in response.content.decode()
    assert GrantFile.objects.get().kind == "attachment"


def test_a_file_above_the_size_cap_is_refused_with_the_limit(client, settings):
    settings.PROTECT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10), content_type="application/pdf")

    response = client.post("/fr/request/", request_data() | {"attachments": [big]})

    assert "Un fichier dépasse la limite de 10 Mo." in response.content.decode()
    assert nothing_created() and not EncryptedFile.objects.exists()


def test_no_ip_address_is_kept_anywhere(client):
    from protect.audit.models import AuditEvent

    client.post("/request/", request_data(), REMOTE_ADDR="203.0.113.77", HTTP_X_FORWARDED_FOR="198.51.100.9")

    grant = Grant.objects.get()
    kept = [str(event.__dict__) for event in AuditEvent.objects.all()]
    kept += [str(grant.defender.contacts), str(grant.defender.secure_channels), str(dict(client.session))]
    kept += [str(message.kwargs) for message in OutboxMessage.objects.all()]
    assert not any("203.0.113.77" in text or "198.51.100.9" in text for text in kept)


def test_more_than_three_attachments_are_refused(client):
    files = [SimpleUploadedFile(f"n{i}.txt", b"notes", content_type="text/plain") for i in range(4)]

    response = client.post("/request/", request_data() | {"attachments": files})

    assert "Send at most 3 files." in response.content.decode()
    assert nothing_created()


# --- languages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "lang", "direction"), [
    ("/request/", "en", "ltr"), ("/en/request/", "en", "ltr"), ("/ar/request/", "ar", "rtl"),
    ("/es/request/", "es", "ltr"), ("/fr/request/", "fr", "ltr"), ("/ru/request/", "ru", "ltr"),
])
def test_each_language_url_renders_with_its_lang_dir_and_translated_heading(client, path, lang, direction):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<h1>{HEADINGS[lang]}</h1>" in html
    assert response["Content-Language"] == lang


def test_the_english_page_links_to_the_four_other_languages(client):
    html = client.get("/request/").content.decode()

    for code in ("ar", "es", "fr", "ru"):
        assert f'href="/{code}/request/" lang="{code}" hreflang="{code}"' in html
    assert 'hreflang="en"' not in html


def test_the_url_decides_the_language_not_the_browser_headers_or_a_cookie(client):
    client.cookies["django_language"] = "ar"
    english = client.get("/request/", HTTP_ACCEPT_LANGUAGE="ru,ar;q=0.9").content.decode()
    russian = client.get("/ru/request/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<html lang="en" dir="ltr">' in english and HEADINGS["en"] in english
    assert '<html lang="ru" dir="ltr">' in russian and HEADINGS["ru"] in russian


def test_choice_labels_and_countries_are_translated(client):
    arabic = client.get("/ar/request/").content.decode()
    french = client.get("/fr/request/").content.decode()

    assert "لبنان" in arabic and "الأمن الرقمي" in arabic and "صحفي أو عامل في الإعلام" in arabic
    assert "Sécurité numérique" in french and "Liban" in french and "Critique : en danger maintenant" in french
    assert "Digital security" not in arabic and "Digital security" not in french


@pytest.mark.parametrize("path", ["/de/request/", "/xx/request/", "/de/request/status/", "/arr/request/", "/AR/request/"])
def test_an_unknown_language_url_is_404(client, path):
    assert client.get(path).status_code == 404


def test_the_form_is_submitted_by_post_only(client):
    assert client.put("/request/").status_code == 405
    assert client.get("/request/status/leave/").status_code == 405


# --- weight and origin of every public page ---------------------------------------------------------------


def _page_is_small_and_self_contained(response, sizes: dict[str, int], name: str) -> None:
    body = response.content
    sizes[name] = len(body)
    assert len(body) < 100_000, f"{name} weighs {len(body)} bytes"
    html = body.decode()
    assert "<script" not in html.lower()
    foreign = [u for u in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html) if urlparse(u).netloc]
    assert foreign == [], name


def test_every_public_page_is_under_100_kb_and_loads_nothing_from_another_origin(client, caseworker, team_africa):


    sizes: dict[str, int] = {}
    for code in ("en", "ar", "es", "fr", "ru"):
        _page_is_small_and_self_contained(client.get(f"/{code}/request/"), sizes, f"form {code}")
    every_error = {"form_token": aged_token(), "amount": "x" * 24, "homepage": ""}
    _page_is_small_and_self_contained(client.post("/ar/request/", every_error), sizes, "form with errors ar")
    data = request_data(country="KE")
    received = client.post("/ar/request/", data)
    _page_is_small_and_self_contained(received, sizes, "receipt ar")
    _page_is_small_and_self_contained(client.post("/ar/request/", data), sizes, "already received ar")
    _page_is_small_and_self_contained(client.get("/ar/request/status/"), sizes, "status login ar")

    grant = case_route(model=Grant, case_id=Grant.objects.get().pk)
    case_ask_requester(case=grant, by=caseworker, question="Which court summoned you? " * 20)
    receipt, passphrase = secrets_in(received.content.decode())
    client.post("/ar/request/status/", {"action": "login", "receipt_code": receipt, "passphrase": passphrase,
                                        "form_token": form_token_issue(purpose=STATUS_LOGIN_FORM, now=time.time() - 10)})
    status_page = client.get("/ar/request/status/")
    assert "Which court summoned you?" in status_page.content.decode()
    _page_is_small_and_self_contained(status_page, sizes, "status ar")

    print("public page sizes (bytes):", sizes)  # shown with -s


def test_a_form_without_its_csrf_cookie_is_shown_again_in_its_language_and_creates_nothing():
    """Issue 9, item 4 (tests/public/test_lost_csrf_cookie.py has the rest): the form comes back
    with what was typed, in the page's language, and nothing was created."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/ar/request/", request_data(), HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")

    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html and HEADINGS["ar"] in html
    assert 'value="Heron"' in html and "Security forces raided my office" in html
    assert nothing_created()


def test_a_form_posted_from_our_no_referrer_page_is_accepted_with_its_csrf_token():
    """Browsers send `Origin: null` (and `Sec-Fetch-Site: same-origin`) from a no-referrer page."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/request/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = browser.post("/request/", request_data() | {"csrfmiddlewaretoken": token},
                            HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")

    assert response.status_code == 200 and "Your request was received" in response.content.decode()
    assert Grant.objects.count() == 1


# --- the receipt in the requester's script -------------------------------------------------------


def _status_login(client, path, receipt, passphrase):
    return client.post(path, {"action": "login", "receipt_code": receipt, "passphrase": passphrase,
                              "form_token": form_token_issue(purpose=STATUS_LOGIN_FORM, now=time.time() - 10)})


@pytest.mark.parametrize(("language", "script"), [
    ("ar", r"[٠-٩]{4}( [٠-٩]{4}){5}"), ("ru", r"[а-яё]+( [а-яё]+){6}"), ("en", r"[a-z]+( [a-z]+){6}"),
    ("es", r"[a-zñáéíóú]+( [a-zñáéíóú]+){6}"), ("fr", r"[a-zàâçéèêëîïôûùüÿœ]+( [a-zàâçéèêëîïôûùüÿœ]+){6}"),
])
def test_the_receipt_passphrase_is_in_the_script_of_the_page(client, language, script):
    received = client.post(f"/{language}/request/", request_data())

    _receipt, passphrase = secrets_in(received.content.decode())
    assert re.fullmatch(script, passphrase)


def test_an_arabic_passphrase_opens_the_status_page_typed_in_arabic_indic_or_western_digits(client):
    receipt, passphrase = secrets_in(client.post("/ar/request/", request_data()).content.decode())
    assert re.fullmatch(r"[٠-٩ ]+", passphrase)

    assert _status_login(client, "/ar/request/status/", receipt, passphrase).status_code == 302
    western = passphrase.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")).replace(" ", "")
    other = type(client)()
    assert _status_login(other, "/ar/request/status/", receipt.lower(), western).status_code == 302
