"""The benchmarks' data set, behind one function: ensure_dataset(size).

It tops the database up with `manage.py generate_bench_data` (grants, grants to organisations,
relocations and alerts in proportion) and puts the grants on the bench desks (bench/datagen.py),
then adds the scenarios' own rows: a partner's referrals here; hosts, and the relocations and
alert recipients their scenarios need, in their scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Dataset:
    grants: int
    caseworker_id: int
    open_grant_reference: str
    partner_id: int
    partner_token: str
    referral_reference: str


def ensure_dataset(size: int, *, referrals: int = 500) -> Dataset:
    """At least `size` grants, the bench desks and caseworkers, a partner with `referrals` referrals,
    and the generic object-permission rows the naive peer reads (what the product gives each user)."""
    from datagen import generate_grants

    generate_grants(size)
    drop_closed_personal_permissions()
    from api_reads import ensure_referrals

    from grants.models import OPEN, Grant
    from protect.accounts.models import User

    token, reference, partner_id = ensure_referrals(referrals)
    caseworker = User.objects.get(username="bench-africa-cw0")
    # Any open status: at a tenth of the size a caseworker may hold no case in triage yet.
    open_grant = Grant.objects.filter(caseworker=caseworker, status__in=OPEN).order_by("pk").first()
    assert open_grant is not None, f"{caseworker.username} holds no open case"
    ensure_generic_permissions(caseworker.pk)
    return Dataset(grants=Grant.objects.count(), caseworker_id=caseworker.pk,
                   open_grant_reference=open_grant.reference, partner_id=partner_id, partner_token=token,
                   referral_reference=reference)


def drop_closed_personal_permissions() -> None:
    """Take away personal permissions on grants that are no longer open, as the engine does when a
    case leaves the open group (case_revoke_personal_access); data sets made before datagen knew
    this kept them. Idempotent."""
    from django.db import connection

    from grants.models import OPEN

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grants_grantuserobjectpermission p USING grants_grant g "
                       "WHERE g.id = p.content_object_id AND NOT g.status = ANY(%s)", [OPEN])
        if cursor.rowcount:
            cursor.execute("VACUUM ANALYZE grants_grantuserobjectpermission")


def ensure_generic_permissions(caseworker_id: int) -> None:
    """The naive peer's permission rows, in guardian's generic tables, giving every user what the
    product gives them: each person's rows copied from the direct table (caseworkers on their open
    grants), each partner's on the grants it referred, and, for a desk, a group of its caseworkers
    holding the desk's grants: guardian's way to say what the product says with `team` (a desk
    sees its closed cases too). Rebuilt when the grants or desks changed; then checked: the peer
    must see, for the bench caseworker, as many grants as the product does."""
    from django.db import connection

    from grants.models import Grant
    from protect.accounts.models import User
    from protect.cases.selectors import cases_visible_to

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'grants' AND model = 'grant'")
        ctype = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM auth_permission WHERE content_type_id = %s AND codename = 'view_grant'",
                       [ctype])
        view = cursor.fetchone()[0]
        cursor.execute(
            "SELECT (SELECT count(*) FROM grants_grant WHERE team_id IS NOT NULL), "
            "(SELECT count(*) FROM (SELECT user_id, content_object_id FROM grants_grantuserobjectpermission "
            "WHERE permission_id = %s UNION SELECT partner_id, case_id FROM api_referral "
            "WHERE case_type = 'grants.grant') AS mine)", [view])
        wanted = cursor.fetchone()
        cursor.execute("SELECT (SELECT count(*) FROM guardian_groupobjectpermission WHERE content_type_id = %s), "
                       "(SELECT count(*) FROM guardian_userobjectpermission WHERE content_type_id = %s)",
                       [ctype, ctype])
        kept = cursor.fetchone()
        desks = _desk_groups()  # every time: bench_user sets a user's groups to its roles alone
        if kept != wanted:
            _copy_permissions(cursor, ctype, view, desks)
    from api_urls import objects_for_user_generic

    caseworker = User.objects.get(pk=caseworker_id)
    peer = objects_for_user_generic(caseworker, "view_grant", Grant.objects.all()).count()
    ours = cases_visible_to(caseworker, Grant).count()
    assert peer == ours, f"the naive peer sees {peer} grants of {caseworker}, the product {ours}"


def _desk_groups() -> list[tuple[Any, Any]]:
    """Each desk holding grants, with the naive peer's group of its caseworkers."""
    from django.contrib.auth.models import Group

    from grants.models import Grant
    from protect.accounts.models import Team

    found = []
    for team in Team.objects.filter(pk__in=Grant.objects.values("team_id")):
        group, _ = Group.objects.get_or_create(name=f"naive peer: {team.name}")
        group.user_set.set(team.members.all())
        found.append((team, group))
    return found


def _copy_permissions(cursor: Any, ctype: int, view: int, desks: list[tuple[Any, Any]]) -> None:
    cursor.execute("DELETE FROM guardian_userobjectpermission WHERE content_type_id = %s", [ctype])
    cursor.execute("DELETE FROM guardian_groupobjectpermission WHERE content_type_id = %s", [ctype])
    cursor.execute(
        "INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id) "
        "SELECT content_object_id::text, %s, permission_id, user_id FROM grants_grantuserobjectpermission "
        "WHERE permission_id = %s", [ctype, view])
    cursor.execute(
        "INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id) "
        "SELECT DISTINCT r.case_id::text, %s, %s, r.partner_id FROM api_referral r "
        "WHERE r.case_type = 'grants.grant' ON CONFLICT DO NOTHING", [ctype, view])
    for team, group in desks:
        cursor.execute(
            "INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, permission_id, group_id) "
            "SELECT id::text, %s, %s, %s FROM grants_grant WHERE team_id = %s", [ctype, view, group.pk, team.pk])
    cursor.execute("ANALYZE guardian_userobjectpermission")
    cursor.execute("ANALYZE guardian_groupobjectpermission")
