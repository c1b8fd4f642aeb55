"""Tiny inline SVG charts for the HTML report (no scripts, no external files)."""

from __future__ import annotations

from html import escape

PALETTE = ("#2f6f9f", "#e07b39", "#3a9d5d", "#b44b8a", "#8a7a2f", "#5b5fc7", "#999999")


def hbar(items: list[tuple[str, float]], width: int = 520, bar_h: int = 18, fmt=lambda v: f"{v:,.0f}") -> str:
    """Horizontal bars: one row per (label, value)."""
    if not items:
        return ""
    top = max(v for _, v in items) or 1
    label_w, value_w = 140, 90
    span = width - label_w - value_w
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * (bar_h + 6)
        w = max(1, int(span * value / top)) if value > 0 else 0
        rows.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{PALETTE[i % len(PALETTE)]}" rx="2"/>'
            f'<text x="{label_w + w + 6}" y="{y + bar_h - 5}">{escape(fmt(value))}</text>')
    height = len(items) * (bar_h + 6)
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


def columns(items: list[tuple[str, float]], width: int = 640, height: int = 160,
            fmt=lambda v: f"{v:,.0f}") -> str:
    """Vertical columns, e.g. revenue per month."""
    if not items:
        return ""
    top = max(v for _, v in items) or 1
    n = len(items)
    gap = 4
    col_w = max(6, (width - gap * (n + 1)) // n)
    plot_h = height - 34
    parts = []
    for i, (label, value) in enumerate(items):
        h = int(plot_h * value / top) if value > 0 else 0
        x = gap + i * (col_w + gap)
        parts.append(f'<rect x="{x}" y="{14 + plot_h - h}" width="{col_w}" height="{h}" fill="{PALETTE[0]}" rx="2">'
                     f'<title>{escape(str(label))}: {escape(fmt(value))}</title></rect>'
                     f'<text x="{x + col_w / 2}" y="{height - 6}" text-anchor="middle" class="small">'
                     f'{escape(str(label)[-2:] if len(items) > 8 else str(label))}</text>')
    parts.append(f'<text x="{width - 2}" y="10" text-anchor="end" class="small">max {escape(fmt(top))}</text>')
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')
