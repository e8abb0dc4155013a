"""axe-core, served from this repository (tests/e2e/vendor/axe.min.js), over any page a browser test
visits: `assert_accessible(page)` fails on every serious or critical violation.

Most pages are visited with JavaScript off (the public form must work in Tor Browser's safest
mode), and axe cannot run there: its checks wait on timers that a script-less page never fires. So
the page as it stands (its DOM, `<details>` left open or closed, at its viewport) is copied into a
script-enabled page of a context of its own, at the same URL so that the style sheet loads from the
live server as it did for the page under test; Playwright injects axe there from the file with
`add_script_tag(path=…)`. Nothing comes from another origin, and the page under test is not touched.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = frozenset({"serious", "critical"})
_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').join(' '))}));
}"""
_TOKENS = re.compile(r'name="(csrfmiddlewaretoken|intake_token|form_token)" value="[^"]*"')


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every axe violation on `page` as it is now, whatever its impact."""
    html, url = page.content(), page.url
    context = page.context.browser.new_context(
        java_script_enabled=True, viewport=page.viewport_size, locale="en-GB", bypass_csp=True)
    try:
        checker = context.new_page()
        checker.route(lambda requested: requested == url,
                      lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
        checker.goto(url, wait_until="load")
        checker.add_script_tag(path=str(AXE))
        violations: list[dict[str, Any]] = checker.evaluate(_RUN)
        return violations
    finally:
        context.close()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    return [v for v in axe_violations(page) if v["impact"] in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)


def assert_accessible(page: Any) -> None:
    """Fail on any serious or critical axe violation of the page as it is now."""
    violations = serious_violations(page)
    assert violations == [], f"axe: serious or critical violations on {page.url}\n{describe(violations)}"


class AxeChecker:
    """Checks each distinct page once per test: the same page re-rendered with only its form tokens
    changed is not checked again (the full flow visits the case page dozens of times)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.checked: list[str] = []

    def __call__(self, page: Any) -> None:
        key = hashlib.sha256(_TOKENS.sub("", page.content()).encode()).hexdigest()
        if key in self.seen:
            return
        self.seen.add(key)
        assert_accessible(page)
        self.checked.append(page.url)
