"""The cast shared by the defenders and crypto tests: a coordinator, two caseworkers, an outsider (a donor),
and a private folder for encrypted files."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group

from protect.accounts.roles import Role


def _user(username: str, *roles: str) -> Any:
    from protect.accounts.models import User

    user = User.objects.create_user(username=username, password="x" * 20)
    # get_or_create: a transactional test elsewhere may have flushed the groups the migration made.
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
    return user


@pytest.fixture
def coordinator(db: Any) -> Any:
    return _user("coord", Role.COORDINATOR)


@pytest.fixture
def caseworker(db: Any) -> Any:
    return _user("amina", Role.CASEWORKER)


@pytest.fixture
def other_caseworker(db: Any) -> Any:
    return _user("bruno", Role.CASEWORKER)


@pytest.fixture
def outsider(db: Any) -> Any:
    return _user("donor", Role.DONOR)


@pytest.fixture(autouse=True)
def files_dir(settings: Any, tmp_path: Any) -> Any:
    settings.PROTECT_FILES_DIR = tmp_path / "files"
    return settings.PROTECT_FILES_DIR
