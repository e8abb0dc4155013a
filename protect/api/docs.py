"""/api/docs/: the partner API's reference, rendered on the server from the live OpenAPI schema
(no JavaScript, nothing from another origin): every operation with its parameters and its
request and response examples."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

from protect.core.errors import PROBLEM_TITLES

METHODS = ("get", "post", "put", "patch", "delete")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return SchemaGenerator(patterns=None, urlconf=None).get_schema(request=None, public=True)  # type: ignore[no-any-return]


def _examples(content: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for media in content.values():
        for name, example in (media.get("examples") or {}).items():
            found.append({"name": example.get("summary") or name,
                          "json": json.dumps(example.get("value"), indent=2, ensure_ascii=False)})
    return found


def operations() -> list[dict[str, Any]]:
    schema = _schema()
    ops = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            ops.append({
                "id": op.get("operationId", f"{method}-{path}"),
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [p for p in op.get("parameters", []) if p.get("in") in ("header", "query", "path")],
                "request_examples": _examples(op.get("requestBody", {}).get("content", {})),
                "responses": [{"status": code, "description": r.get("description", ""),
                               "examples": _examples(r.get("content", {}))}
                              for code, r in op.get("responses", {}).items()],
            })
    return ops


def api_docs(request: HttpRequest) -> HttpResponse:
    schema = _schema()
    return render(request, "api/docs.html", {
        "info": schema.get("info", {}), "operations": operations(), "errors": sorted(PROBLEM_TITLES.items()),
    })
