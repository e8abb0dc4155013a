"""The data generator the benchmarks share: many defenders and grants, fast, realistic enough.

Rows are bulk-inserted (encrypted fields are still sealed one by one by their pre_save), spread over
regions, statuses, urgencies, needs and deadlines, and assigned to the bench teams' caseworkers the
way routing would. Idempotent: it only tops the database up to the requested number of grants.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal

REGIONS = [("africa", ["KE", "UG", "CD", "ZW", "NG"], "en"), ("mena", ["EG", "SY", "TN", "IQ"], "ar"),
           ("americas", ["CO", "MX", "HN", "BR"], "es"), ("asia_pacific", ["PH", "MM", "KH"], "en"),
           ("europe_central_asia", ["BY", "RU", "TR", "AZ"], "ru")]
STATUSES = ["triage"] * 20 + ["info_requested"] * 5 + ["under_review"] * 8 + ["approved"] * 4 + \
    ["disbursing"] * 3 + ["reporting"] * 5 + ["closed"] * 45 + ["rejected"] * 7 + ["referred"] * 2 + ["withdrawn"]
NEEDS = ["physical_security", "digital_security", "communications", "security_training", "secure_transport", "legal",
         "medical", "humanitarian", "urgent_relocation", "monitoring_advocacy", "other"]


def ensure_teams() -> dict[str, tuple[object, list[object]]]:
    from common import bench_team

    teams = {}
    for region, _, language in REGIONS:
        team = bench_team(f"Bench {region} desk", region, sorted({language, "en"}), caseworkers=8)
        teams[region] = (team, list(team.members.all()))
    return teams


def generate_grants(total: int, *, batch: int = 2000, seed: int = 7) -> int:
    """Top the database up to `total` grants; returns how many were added."""
    from django.db import connection, transaction
    from django.utils import timezone
    from guardian.models import Permission

    from grants.models import OPEN, Grant, GrantUserObjectPermission
    from protect.crypto.services import data_key_create
    from protect.defenders.models import Defender

    existing = Grant.objects.count()
    if existing >= total:
        return 0
    rng = random.Random(seed + existing)
    teams = ensure_teams()
    view = Permission.objects.get(codename="view_grant", content_type__app_label="grants")
    change = Permission.objects.get(codename="change_grant", content_type__app_label="grants")
    now = timezone.now()
    added = 0
    started = time.perf_counter()
    while existing + added < total:
        size = min(batch, total - existing - added)
        with transaction.atomic():
            defenders = []
            for n in range(size):
                region, countries, _ = REGIONS[rng.randrange(len(REGIONS))]
                defender = Defender(pseudonym=f"Bench defender {existing + added + n}", kind="person",
                                    legal_name=f"Person {rng.randrange(10**9)}", country=rng.choice(countries),
                                    region=region, contacts={"signal": f"+1555{rng.randrange(10**7):07d}"},
                                    risk_notes="Bench risk notes")
                defender.data_key = data_key_create()
                defenders.append(defender)
            Defender.objects.bulk_create(defenders, batch_size=500)
            grants = []
            for defender in defenders:
                team, caseworkers = teams[defender.region]
                submitted = now - timedelta(hours=rng.randrange(1, 24 * 365))
                urgency = rng.choice(["critical", "high", "normal", "normal"])
                hours = {"critical": 24, "high": 72, "normal": 240}[urgency]
                status = rng.choice(STATUSES)
                amount = rng.randrange(200, 9000) * 100
                grant = Grant(
                    defender=defender, status=status, channel=rng.choice(["public_form", "hotline", "partner"]),
                    language=REGIONS[[r[0] for r in REGIONS].index(defender.region)][2], country=defender.country,
                    region=defender.region, risk_kinds=["threats"], urgency=urgency,
                    needs=sorted(rng.sample(NEEDS, rng.randrange(1, 3))), amount_requested_minor=amount,
                    currency="EUR", eur_rate=Decimal(1), amount_requested_eur_minor=amount,
                    incident="Bench incident narrative " * 4, threat="Bench threat", team=team,
                    caseworker=rng.choice(caseworkers), routed_at=submitted + timedelta(seconds=1),
                    sla_due_at=submitted + timedelta(hours=hours),
                    sla_near_at=submitted + timedelta(hours=hours * 0.75),
                )
                grants.append(grant)
            Grant.objects.bulk_create(grants, batch_size=500)
            # submitted_at is auto_now_add: put it back where the generated deadline says it was.
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE grants_grant SET submitted_at = sla_due_at - CASE urgency WHEN 'critical' THEN "
                    "interval '24 hours' WHEN 'high' THEN interval '72 hours' ELSE interval '240 hours' END "
                    "WHERE id = ANY(%s)", [[g.pk for g in grants]],
                )
            perms = []
            # Personal permissions live only while a case is open: the engine takes them away
            # when it leaves the open group (case_revoke_personal_access).
            for grant in (grant for grant in grants if grant.status in OPEN):
                for permission in (view, change):
                    perms.append(GrantUserObjectPermission(permission=permission, user=grant.caseworker,
                                                           content_object=grant))
            GrantUserObjectPermission.objects.bulk_create(perms, batch_size=2000)
        added += size
        print(f"  generated {existing + added}/{total} grants ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # visibility map and statistics, as autovacuum gives a live database
    return added
