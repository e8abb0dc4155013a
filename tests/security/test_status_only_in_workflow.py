"""Case status is written in one place: the transition engine (STYLE rule 3)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = re.compile(r"\.status\s*=[^=]|setattr\([^)]*status|update\([^)]*\bstatus\s*=")
ALLOWED = {"protect/workflow.py"}


def test_no_code_but_the_workflow_engine_assigns_a_case_status():
    offenders = []
    for folder in ("protect", "grants", "relocation", "alerts"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if ASSIGNMENT.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
