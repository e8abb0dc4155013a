"""The form token on its own: signed for one purpose, between the minimum and the maximum age,
consumed once, given back when refused, and the only way into the global budget."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.core.cache import cache

from protect.public.form_token import (
    FormToken,
    form_token_check,
    form_token_consume,
    form_token_issue,
    form_token_release,
    form_token_spend,
    form_token_used,
)
from protect.public.ratelimit import rate_key

PURPOSE = "tests.public.some-form"


def aged(seconds: float = 10, purpose: str = PURPOSE) -> FormToken:
    return form_token_check(token=form_token_issue(purpose=purpose, now=time.time() - seconds), purpose=purpose)


def test_a_token_older_than_the_minimum_and_younger_than_the_maximum_is_usable():
    token = aged()

    assert token.usable and token.problem == "" and len(token.nonce) >= 16


def test_two_tokens_name_two_nonces():
    assert aged().nonce != aged().nonce


def test_a_token_sent_faster_than_a_person_could_fill_the_form_is_too_fast(settings):
    settings.PROTECT_PUBLIC_FORM_MIN_SECONDS = 3
    token = form_token_check(token=form_token_issue(purpose=PURPOSE), purpose=PURPOSE)

    assert token.problem == "too_fast" and not token.usable
    assert token.nonce  # still names its nonce: a replay of a used form is recognised even when fast


def test_a_token_older_than_the_maximum_age_is_expired(settings):
    settings.PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS = 7200
    issued = form_token_issue(purpose=PURPOSE, now=time.time() - 7201)

    assert form_token_check(token=issued, purpose=PURPOSE).problem == "expired"
    # The clock of the check decides, too: a token checked "later" than its maximum age.
    fresh = form_token_issue(purpose=PURPOSE, now=time.time() - 10)
    assert form_token_check(token=fresh, purpose=PURPOSE, now=time.time() + 7200).problem == "expired"


# Named ids: the signed value carries the time it was made, and each test process collects its own.
@pytest.mark.parametrize("token", ["", "forged", "a:b:c", signing.dumps({"n": "x", "t": 1}, salt="other")],
                         ids=["missing", "forged", "three-parts", "another-purpose"])
def test_a_missing_forged_or_foreign_token_is_invalid(token):
    checked = form_token_check(token=token, purpose=PURPOSE)

    assert checked == FormToken(nonce="", problem="invalid")


def test_a_token_served_with_one_form_is_worth_nothing_on_another():
    issued = form_token_issue(purpose="tests.public.form-a", now=time.time() - 10)

    assert form_token_check(token=issued, purpose="tests.public.form-b").problem == "invalid"


@pytest.mark.parametrize("payload", [["n", "t"], {"n": 5, "t": 1}, {"n": "x", "t": "soon"}, {"n": "x"}])
def test_a_signed_payload_of_the_wrong_shape_is_invalid(payload):
    assert form_token_check(token=signing.dumps(payload, salt=PURPOSE), purpose=PURPOSE).problem == "invalid"


def test_a_token_is_consumed_once_and_can_be_given_back():
    token = aged()
    assert not form_token_used(token=token)

    assert form_token_consume(token=token) is True
    assert form_token_used(token=token)
    assert form_token_consume(token=token) is False  # a double click, a replay

    form_token_release(token=token)
    assert not form_token_used(token=token)
    assert form_token_consume(token=token) is True


def test_an_unusable_token_cannot_be_consumed():
    with pytest.raises(ValueError):
        form_token_consume(token=FormToken(nonce="", problem="invalid"))
    with pytest.raises(ValueError):
        form_token_consume(token=form_token_check(token=form_token_issue(purpose=PURPOSE), purpose=PURPOSE))


def test_a_used_token_is_remembered_longer_than_a_token_lives(settings, monkeypatch):
    from protect.public import form_token as module

    timeouts: list[int] = []

    class RecordingCache:
        def add(self, key: str, value: int, timeout: int) -> bool:
            timeouts.append(timeout)
            return bool(cache.add(key, value, timeout=timeout))

    settings.PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS = 7200
    monkeypatch.setattr(module, "cache", RecordingCache())

    assert form_token_consume(token=aged()) is True
    assert timeouts and timeouts[0] > 7200


def test_spending_counts_a_token_once_against_the_budget(own_minute):
    first, second = aged(), aged()

    assert form_token_spend(token=first, bucket="tests-spend", per_minute=5) == "spent"
    assert form_token_spend(token=first, bucket="tests-spend", per_minute=5) == "used"  # a replay counts nothing
    assert form_token_spend(token=second, bucket="tests-spend", per_minute=5) == "spent"

    assert cache.get(rate_key(bucket="tests-spend")) == 2


def test_over_budget_the_token_is_given_back_for_the_next_minute(own_minute, monkeypatch):
    from protect.public import ratelimit

    spent = [form_token_spend(token=aged(), bucket="tests-busy", per_minute=2) for _ in range(2)]
    late = aged()

    assert spent == ["spent", "spent"]
    assert form_token_spend(token=late, bucket="tests-busy", per_minute=2) == "busy"
    assert not form_token_used(token=late)  # the same form can be sent again
    monkeypatch.setattr(ratelimit, "_clock", lambda: (own_minute + 1) * 60.0)
    assert form_token_spend(token=late, bucket="tests-busy", per_minute=2) == "spent"
