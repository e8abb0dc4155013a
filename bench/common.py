"""What the benchmarks share: Django set-up on a database of their own, percentiles, the cast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH_DB = "postgres://postgres@127.0.0.1:5432/protect_bench"


def setup_django(*, database_url: str | None = None) -> str:
    """Configure Django on PostgreSQL (a database of the bench's own, created and migrated)."""
    sys.path.insert(0, str(ROOT))
    url = database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_BENCH_DB
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protect.settings")
    os.environ.setdefault("PROTECT_ENV", "test")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # As a served process starts (protect/gunicorn.conf.py, protect/celery.py): the start-up's
    # objects out of the garbage collector's scans, so an in-process page pays what a served one does.
    from protect.core.startup import freeze_start_up_objects

    freeze_start_up_objects()
    return url


def ensure_database(url: str) -> None:
    """Create the bench's database on the local PostgreSQL when a fresh machine has none yet."""
    name = url.rsplit("/", 1)[-1]
    if url.startswith("postgres://postgres@127.0.0.1"):
        exists = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
             f"SELECT 1 FROM pg_database WHERE datname='{name}'"], capture_output=True, text=True, check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                            f'CREATE DATABASE "{name}"'], check=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_user(username: str, *roles: str):
    from django.contrib.auth.models import Group

    from protect.accounts.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@bench.invalid"})
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
    return user


def bench_team(name: str, region: str, languages: list[str], caseworkers: int):
    from protect.accounts.models import Team

    team, _ = Team.objects.get_or_create(name=name, defaults={"region": region, "languages": languages})
    for n in range(caseworkers):
        team.members.add(bench_user(f"bench-{region}-cw{n}", "caseworker"))
    return team


def peak_rss_mb(pid: int) -> dict[int, float]:
    """Peak resident memory (VmHWM, MB) of a process and each of its descendants, by pid (Linux)."""
    found: dict[int, float] = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                found[current] = int(line.split()[1]) / 1024
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            pending.extend(int(child) for child in task.read_text().split())
    return found


def emit(rows: list[dict[str, object]]) -> None:
    """Hand a scenario's rows to bench/run: appended as JSON lines to $BENCH_JSON when it is set.

    A row: scenario, p50, p95, max (ms), rps, queries, rss_mb, plus what bench/run's goals read
    (kind, size, clients). Missing figures are None."""
    target = os.environ.get("BENCH_JSON")
    if not target:
        return
    import json

    with open(target, "a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, default=str) + "\n")


def figures(timings: list[float]) -> dict[str, float]:
    return {"p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95), "max": max(timings)}
