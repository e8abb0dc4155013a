"""A request body above PROTECT_REQUEST_MAX_BYTES is refused with 413 before anything reads it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


class NeverRead:
    """A request body that fails the test if anything reads it."""

    def read(self, *args, **kwargs):
        raise AssertionError("the body was read")

    readline = read

    def __iter__(self):
        raise AssertionError("the body was read")


@pytest.mark.parametrize("path", ["/request/", "/fr/request/status/", "/cases/", "/accounts/login/", "/csp-report/"])
def test_a_300_mb_post_is_refused_with_413_without_being_read(path):
    response = Client(raise_request_exception=False).generic(
        "POST", path, b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * 1024 * 1024), **{"wsgi.input": NeverRead()})
    assert response.status_code == 413
    assert response["Content-Language"] == ("fr" if path.startswith("/fr/") else "en")
    assert "Too large" in response.content.decode() or "Trop volumineux" in response.content.decode()


def test_the_limit_follows_the_upload_cap_and_a_body_under_it_is_read(settings):
    from protect.crypto.uploads import MAX_FILES_PER_REQUEST

    assert settings.PROTECT_REQUEST_MAX_BYTES > MAX_FILES_PER_REQUEST * settings.PROTECT_UPLOAD_MAX_BYTES
    settings.PROTECT_REQUEST_MAX_BYTES = 2048
    client = Client(raise_request_exception=False)
    assert client.post("/csp-report/", b"x" * 1024, content_type="application/json").status_code == 204
    assert client.post("/csp-report/", b"x" * 4096, content_type="application/json").status_code == 413


def test_the_413_page_speaks_the_language_of_the_url():
    response = Client().generic("POST", "/ru/request/", b"", CONTENT_LENGTH=str(10**9), **{"wsgi.input": NeverRead()})
    assert response.status_code == 413 and 'lang="ru"' in response.content.decode()
    assert "Too large" not in response.content.decode()


def test_a_malformed_content_length_is_a_400():
    response = Client().generic("POST", "/request/", b"", CONTENT_LENGTH="lots", **{"wsgi.input": NeverRead()})
    assert response.status_code == 400
