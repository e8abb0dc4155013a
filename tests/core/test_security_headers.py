"""Every response carries the headers the security model asks for."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/request/", "/healthz"])
def test_every_page_has_a_strict_policy_and_is_never_cached(client, path, monkeypatch):
    from protect.core import health

    monkeypatch.setattr(health, "worker_is_up", lambda: True)
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "Strict-Transport-Security" not in response  # only in production, over HTTPS


@pytest.mark.django_db
def test_landing_page_explains_how_to_ask_for_help_and_links_the_form(client):
    html = client.get("/").content.decode()
    assert "How to ask for help" in html
    assert 'href="/request/"' in html
    assert "<script" not in html


@pytest.mark.django_db
def test_csp_report_endpoint_accepts_a_report_and_keeps_nothing(client):
    response = client.post(
        "/csp-report/",
        data='{"csp-report":{"violated-directive":"script-src","document-uri":"http://x/case/1?secret"}}',
        content_type="application/csp-report",
    )
    assert response.status_code == 204
