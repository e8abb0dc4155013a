"""The schema and the docs a partner starts from: every operation documented with working examples,
served from our own origin."""

from __future__ import annotations

import pytest
from django.test import Client

from protect.api.docs import operations
from tests.api.conftest import grant_body

pytestmark = pytest.mark.django_db


def _schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_has_a_request_example_where_it_takes_a_body_and_a_response_example():
    schema = _schema(Client())
    missing = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "delete"):
                continue
            if "requestBody" in op:
                content = op["requestBody"]["content"]["application/json"]
                if not content.get("examples"):
                    missing.append(f"{method} {path}: request")
            success = [code for code in op["responses"] if code.startswith("2")]
            if success != ["204"] and not any(
                    op["responses"][code].get("content", {}).get("application/json", {}).get("examples")
                    for code in success):
                missing.append(f"{method} {path}: response")
    assert missing == []


def test_the_request_examples_of_the_docs_work_against_the_api(helpline):
    schema = _schema(Client())
    posted = 0
    reference = helpline.refer(grant_body())["reference"]
    for path, item in schema["paths"].items():
        op = item.get("post")
        if op is None:
            continue
        for example in op["requestBody"]["content"]["application/json"]["examples"].values():
            response = helpline.post(path.replace("{reference}", reference), example["value"])
            assert response.status_code == 201, (path, response.content)
            posted += 1
    assert posted == 4  # a grant, a relocation, a message, a web hook


def test_the_docs_page_is_rendered_on_the_server_with_every_operation_and_nothing_from_elsewhere():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    ops = operations()
    assert len(ops) == 10
    for op in ops:
        assert f'id="{op["id"]}"' in html
    assert "<script" not in html and "cdn" not in html.lower()
    assert "Idempotency-Key" in html and "Bearer" in html
