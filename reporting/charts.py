"""Inline SVG charts for the HTML report: no scripts and no external files, so the page stays one
self-contained file. Labels are text in the page's CJK font stack."""
from __future__ import annotations

from html import escape

ROW = 22
LABEL_WIDTH = 150
BAR_WIDTH = 420


def bar_chart(title: str, items: list[tuple[str, float, str, bool]], maximum: float | None = None) -> str:
    """Horizontal bars: (label, value, printed value, flagged). Negative values grow left of a zero
    line; flagged bars (regions that failed error rules) are drawn in red and marked ✗."""
    if not items:
        return ""
    values = [v for _, v, _, _ in items]
    high = max(maximum or 0, max(values), 0)
    low = min(min(values), 0)
    span = (high - low) or 1
    zero = LABEL_WIDTH + BAR_WIDTH * (-low / span)
    height = ROW * len(items) + 40
    width = LABEL_WIDTH + BAR_WIDTH + 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for n, (label, value, printed, flagged) in enumerate(items):
        y = 30 + n * ROW
        length = BAR_WIDTH * abs(value) / span
        x = zero if value >= 0 else zero - length
        colour = "#c00000" if flagged else "#4472c4"
        mark = " ✗" if flagged else ""
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">{escape(label)}{mark}</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{max(length, 0.5):.1f}" height="{ROW - 6}" fill="{colour}"/>')
        parts.append(f'<text x="{max(x + length, zero) + 4:.1f}" y="{y + 14}">{escape(printed)}</text>')
    parts.append(f'<line x1="{zero:.1f}" y1="26" x2="{zero:.1f}" y2="{height - 6}" stroke="#888"/>')
    parts.append("</svg>")
    return "\n".join(parts)
