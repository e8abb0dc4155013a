"""The benchmarks' data set, behind one function: ensure_dataset(size).

It tops the database up with `manage.py generate_bench_data` (grants, grants to organisations,
relocations and alerts in proportion) and puts the grants on the bench desks (bench/datagen.py),
then adds the scenarios' own rows: a partner's referrals here; hosts, and the relocations and
alert recipients their scenarios need, in their scripts.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    and the generic object-permission rows the naive peer reads (copied from the direct ones)."""
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
    ensure_generic_permissions([caseworker.pk, partner_id])
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


def ensure_generic_permissions(user_ids: list[int]) -> None:
    """The naive peer's permission rows, in guardian's generic table: the caseworker's grants (from
    the direct table) and the grants the partner referred."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'grants' AND model = 'grant'")
        ctype = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM auth_permission WHERE content_type_id = %s AND codename = 'view_grant'",
                       [ctype])
        view = cursor.fetchone()[0]
        cursor.execute("DELETE FROM guardian_userobjectpermission WHERE content_type_id = %s AND user_id = ANY(%s)",
                       [ctype, user_ids])
        cursor.execute(
            "INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id) "
            "SELECT content_object_id::text, %s, permission_id, user_id FROM grants_grantuserobjectpermission "
            "WHERE permission_id = %s AND user_id = ANY(%s)", [ctype, view, user_ids])
        cursor.execute(
            "INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id) "
            "SELECT DISTINCT r.case_id::text, %s, %s, r.partner_id FROM api_referral r "
            "WHERE r.case_type = 'grants.grant' AND r.partner_id = ANY(%s) ON CONFLICT DO NOTHING",
            [ctype, view, user_ids])
        cursor.execute("ANALYZE guardian_userobjectpermission")
