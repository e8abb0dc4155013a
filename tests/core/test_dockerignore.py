"""Issue 8, item 2: no place where the README tells people to put a secret, and no key file, can
enter the Docker build context (the Dockerfile copies the whole tree into the image)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker reads it: `*` within one path segment, `**` across them,
    anchored at the context root; a match on a folder excludes everything under it."""
    out, i = "", 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "(?:/.*)?")


def _excluded(path: str) -> bool:
    excluded = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if _pattern_regex(line.lstrip("!")).fullmatch(path):
            excluded = not negate  # the last matching line wins, as in Docker
    return excluded


def _secret_places_named_in_the_readme() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    places = set(re.findall(r"\blocal/secrets/[A-Za-z0-9_.-]+", readme))
    places |= {match.rstrip("/") + "/x" for match in re.findall(r"`(var/[A-Za-z0-9_./-]*)`", readme)}
    return places


def test_the_readme_names_secret_places_at_all():
    places = _secret_places_named_in_the_readme()
    assert "local/secrets/protect_master_keys" in places and "var/keys/x" in places


@pytest.mark.parametrize("path", sorted(_secret_places_named_in_the_readme()))
def test_every_secret_place_of_the_readme_stays_out_of_the_build_context(path):
    assert _excluded(path), f"{path} would be copied into the image"


@pytest.mark.parametrize("path", [
    "local/secrets/django_secret_key", "local/anything", ".env", ".env.production", "protect/.env",
    "var/keys/master_keys", "var/keys/blind_index_key", "var/keys/audit_key", "var/demo.sqlite3",
    "var/files/3f/encrypted", "tls/server.key", "deploy/cert.pem", "certs/client.p12", "backup/demo.sqlite3",
    "config/secrets/db_password",
])
def test_key_files_and_secret_folders_stay_out_of_the_build_context(path):
    assert _excluded(path), f"{path} would be copied into the image"


@pytest.mark.parametrize("path", ["manage.py", "pyproject.toml", "protect/settings.py", "templates/base.html",
                                  "protect/crypto/keys.py", "protect/audit/keys.py", "deploy/postgres/10-protect-app-role.sql"])
def test_the_code_still_enters_the_build_context(path):
    assert not _excluded(path)
