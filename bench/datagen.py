"""The data the grant scenarios share: `manage.py generate_bench_data`'s cases (by COPY, in the first
annual report's proportions), put on the bench desks as routing would put them. Idempotent: it
only tops the database up to the requested number of grants to defenders.
"""

from __future__ import annotations

REGIONS = [("africa", ["KE", "UG", "CD", "ZW", "NG"], "en"), ("mena", ["EG", "SY", "TN", "IQ"], "ar"),
           ("americas", ["CO", "MX", "HN", "BR"], "es"), ("asia_pacific", ["PH", "MM", "KH"], "en"),
           ("europe_central_asia", ["BY", "RU", "TR", "AZ"], "ru")]


def ensure_teams() -> dict[str, tuple[object, list[object]]]:
    from common import bench_team

    teams = {}
    for region, _, language in REGIONS:
        team = bench_team(f"Bench {region} desk", region, sorted({language, "en"}), caseworkers=8)
        teams[region] = (team, list(team.members.all()))
    return teams


def generate_grants(total: int) -> int:
    """Top the database up to `total` grants to defenders with `manage.py generate_bench_data`
    (grants to organisations, relocations and alerts in proportion), then put every grant not yet
    on a desk on its region's bench desk; returns how many grants to defenders were added."""
    from django.core.management import call_command

    from grants.models import Grant

    missing = total - Grant.objects.filter(defender__kind="person").count()
    if missing > 0:
        call_command("generate_bench_data", grants=missing)
    assign_to_desks(ensure_teams())
    return max(missing, 0)


def assign_to_desks(teams: dict[str, tuple[object, list[object]]]) -> None:
    """What routing does, in bulk: each grant with no team goes to its region's desk and one of its
    caseworkers; while it is open, that caseworker holds the personal permissions on it (the engine
    takes them away when a case leaves the open group)."""
    from django.db import connection
    from guardian.models import Permission

    from grants.models import OPEN

    codenames = ("view_grant", "change_grant")
    permissions = list(Permission.objects.filter(codename__in=codenames, content_type__app_label="grants")
                       .values_list("pk", flat=True))
    assigned = 0
    with connection.cursor() as cursor:
        for region, (team, caseworkers) in teams.items():
            cursor.execute(
                "UPDATE grants_grant SET team_id = %s, caseworker_id = (%s::bigint[])[1 + id %% %s], "
                "routed_at = submitted_at + interval '1 second' WHERE region = %s AND team_id IS NULL",
                [team.pk, [c.pk for c in caseworkers], len(caseworkers), region])  # type: ignore[attr-defined]
            assigned += cursor.rowcount
        if not assigned:
            return
        cursor.execute(
            "INSERT INTO grants_grantuserobjectpermission (permission_id, user_id, content_object_id) "
            "SELECT p, g.caseworker_id, g.id FROM grants_grant g CROSS JOIN unnest(%s::int[]) AS p "
            "WHERE g.status = ANY(%s) AND g.caseworker_id IS NOT NULL ON CONFLICT DO NOTHING", [permissions, OPEN])
        cursor.execute("VACUUM ANALYZE grants_grant")  # visibility map and statistics, as autovacuum gives
        cursor.execute("VACUUM ANALYZE grants_grantuserobjectpermission")
    print(f"  {assigned} grants put on the bench desks", flush=True)
