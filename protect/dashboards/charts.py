"""Charts as SVG made on the server: no script, nothing from another origin, readable in print.

Each chart carries a <title> and <desc> (named by aria-labelledby) and the page puts the data table
behind a <details>. A suppressed cell draws no bar: it is marked "<5", never drawn at a height
that would tell its value."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors import SUPPRESS_BELOW, Cell

WIDTH, BAR_HEIGHT, LABEL_WIDTH = 640, 22, 230


def bar_chart(chart_id: str, title: str, cells: list[Cell]) -> SafeString:
    """Horizontal bars, one per category (long labels in any script fit on the left)."""
    top = max([c.count for c in cells if c.count is not None] or [1]) or 1
    height = BAR_HEIGHT * len(cells) + 10
    shown = ", ".join(f"{c.label}: {c.count if c.count is not None else f'<{SUPPRESS_BELOW}'}" for c in cells)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" width="100%">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(shown)}</desc>',
    ]
    for i, cell in enumerate(cells):
        y = 5 + i * BAR_HEIGHT
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" class="chart-label">'
                     f'{escape(cell.label)}</text>')
        if cell.count is None:
            parts.append(f'<text x="{LABEL_WIDTH + 4}" y="{y + 15}" class="chart-value">&lt;{SUPPRESS_BELOW}</text>')
            continue
        length = (WIDTH - LABEL_WIDTH - 60) * cell.count // top
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{BAR_HEIGHT - 6}" '
                     f'class="chart-bar"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 4}" y="{y + 15}" class="chart-value">{cell.count}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def line_chart(chart_id: str, title: str, cells: list[Cell]) -> SafeString:
    """A trend by month: the line breaks at a suppressed month rather than guessing its value."""
    height, left, bottom = 220, 40, 190
    top = max([c.count for c in cells if c.count is not None] or [1]) or 1
    step = (WIDTH - left - 20) / max(len(cells) - 1, 1)
    shown = ", ".join(f"{c.label}: {c.count if c.count is not None else f'<{SUPPRESS_BELOW}'}" for c in cells)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" width="100%">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(shown)}</desc>',
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" class="chart-axis"/>',
        f'<text x="{left - 4}" y="20" text-anchor="end" class="chart-value">{top}</text>',
    ]
    segment: list[str] = []
    for i, cell in enumerate(cells):
        x = left + i * step
        if i % max(len(cells) // 12, 1) == 0:
            parts.append(f'<text x="{x:.0f}" y="{bottom + 18}" text-anchor="middle" class="chart-label">'
                         f'{escape(cell.label)}</text>')
        if cell.count is None:
            if segment:
                parts.append(f'<polyline points="{" ".join(segment)}" class="chart-line"/>')
            segment = []
            continue
        y = bottom - (bottom - 20) * cell.count / top
        segment.append(f"{x:.0f},{y:.0f}")
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="3" class="chart-dot"/>')
    if segment:
        parts.append(f'<polyline points="{" ".join(segment)}" class="chart-line"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
