"""Issue 8, item 11: every write through the Django admin is audited (add, change, delete,
actions), on every ModelAdmin, with model, ids and field names, never a value."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group

from protect.accounts.models import ApiToken
from protect.audit.admin import AuditedModelAdmin
from protect.audit.models import AuditEvent
from tests.helpers import login_verified, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new passphrase 7731"


def _admin_events():
    return list(AuditEvent.objects.filter(action__startswith="admin.").order_by("seq"))


def _assert_no_value(events, *values):
    stored = json.dumps([event.data for event in events])
    for value in values:
        assert value not in stored


def test_every_model_admin_is_audited():
    assert admin.site._registry, "no ModelAdmin registered?"
    left_out = [model._meta.label for model, model_admin in admin.site._registry.items()
                if not isinstance(model_admin, AuditedModelAdmin)]
    assert left_out == []


def test_a_password_changed_in_the_admin_is_audited(client, coordinator):
    victim = make_user("target-of-reset")
    login_verified(client, coordinator)
    response = client.post(f"/admin/accounts/user/{victim.pk}/password/",
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    victim.refresh_from_db()
    assert victim.check_password(NEW_PASSWORD)
    [event] = _admin_events()
    assert (event.action, event.actor_id) == ("admin.object.changed", coordinator.pk)
    assert (event.target_type, event.target_id) == ("accounts.user", str(victim.pk))
    assert event.data == {"fields": ["password"]}
    _assert_no_value([event], NEW_PASSWORD, victim.password)


def test_adding_changing_and_deleting_in_the_admin_is_audited(client, coordinator, caseworker):
    login_verified(client, coordinator)
    assert client.post("/admin/auth/group/add/", {"name": "Night desk"}).status_code == 302
    group = Group.objects.get(name="Night desk")
    assert client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Night shift"}).status_code == 302
    assert client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 302
    events = _admin_events()
    assert [(e.action, e.target_type, e.target_id) for e in events] == [
        ("admin.object.added", "auth.group", str(group.pk)),
        ("admin.object.changed", "auth.group", str(group.pk)),
        ("admin.object.deleted", "auth.group", str(group.pk)),
    ]
    assert events[1].data == {"fields": ["Name"]}  # the field label Django records, never its value
    assert {e.actor_id for e in events} == {coordinator.pk}
    _assert_no_value(events, "Night desk", "Night shift")


def test_an_admin_action_is_audited_with_the_ids_it_ran_on(client, coordinator, caseworker):
    token = ApiToken.objects.create(user=caseworker, name="sync", prefix="abcd1234", token_hash="x" * 64)
    login_verified(client, coordinator)
    response = client.post("/admin/accounts/apitoken/", {"action": "revoke", ACTION_CHECKBOX_NAME: [str(token.pk)]})
    assert response.status_code == 302
    [event] = [e for e in _admin_events() if e.action == "admin.action.ran"]
    assert event.actor_id == coordinator.pk
    assert event.data == {"action": "revoke", "model": "accounts.apitoken", "ids": [str(token.pk)], "more": False}


def test_bulk_delete_is_audited_once_per_row_and_only_once_confirmed(client, coordinator):
    groups = [Group.objects.create(name=f"desk {n}") for n in range(3)]
    login_verified(client, coordinator)
    selected = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [str(g.pk) for g in groups]}
    client.post("/admin/auth/group/", selected)  # the confirmation page: nothing deleted yet
    assert _admin_events() == []
    client.post("/admin/auth/group/", {**selected, "post": "yes"})
    assert sorted(e.target_id for e in _admin_events() if e.action == "admin.object.deleted") == sorted(
        str(g.pk) for g in groups)
    assert not Group.objects.filter(pk__in=[g.pk for g in groups]).exists()
