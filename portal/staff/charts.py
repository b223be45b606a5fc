"""Server-rendered SVG charts: readable without JavaScript, each with a title and a text description.

Colours come from presentation attributes (the CSP forbids inline styles). Every chart sits next to the table it
was drawn from, which is the complete data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

COLOURS = {"appeal": "#0b6e4f", "wait": "#8a5a00", "contact-meta": "#1f4e8c", "none": "#6b7680", "bar": "#0b6e4f",
           "bad": "#b3261e"}
FONT = "system-ui, sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is printed after the bar, e.g. "120 (40%)"
    colour: str = COLOURS["bar"]


def _clip(text: str, length: int) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _frame(chart_id: str, title: str, description: str, width: int, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg" font-family="{font}" font-size="13">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id, w=width, h=height, font=FONT, title=title, desc=description, body=body,
    )


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], width: int = 640) -> SafeString:
    """Horizontal bars, one per row, longest value full width."""
    label_width, row_height, value_room = 230, 26, 90
    height = max(1, len(bars)) * row_height + 8
    top = max((bar.value for bar in bars), default=0) or 1
    plot = width - label_width - value_room
    rows = []
    for index, bar in enumerate(bars):
        y = 4 + index * row_height
        length = max(0.0, plot * bar.value / top)
        rows.append(format_html(
            '<text x="{lx}" y="{ty}" text-anchor="end" fill="#1b1f23">{label}</text>'
            '<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" fill="{colour}"></rect>'
            '<text x="{vx}" y="{ty}" fill="#1b1f23">{text}</text>',
            lx=label_width - 8, ty=y + 17, label=_clip(bar.label, 32), bx=label_width, by=y + 4, bw=f"{length:.1f}",
            bh=row_height - 8, colour=bar.colour, vx=f"{label_width + length + 6:.1f}", text=bar.text,
        ))
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars) or "—"
    return _frame(chart_id, title, description, width, height, mark_safe("".join(rows)))


def stacked_columns(chart_id: str, title: str, days: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]],
                    width: int = 640, height: int = 220) -> SafeString:
    """One column per day, stacked by series (key, label, values per day), with a legend and a y scale."""
    left, bottom, top_pad, legend = 44, 24, 8, 22
    plot_w, plot_h = width - left - 8, height - bottom - top_pad - legend
    totals = [sum(values[i] for _k, _l, values in series) for i in range(len(days))]
    top = max(totals, default=0) or 1
    step = plot_w / max(1, len(days))
    column_w = max(1.0, step * 0.8)
    parts = [format_html(
        '<line x1="{x}" y1="{y0}" x2="{x}" y2="{y1}" stroke="#6b7680"></line>'
        '<line x1="{x}" y1="{y1}" x2="{x2}" y2="{y1}" stroke="#6b7680"></line>'
        '<text x="{tx}" y="{ty}" text-anchor="end" fill="#1b1f23">{top}</text>'
        '<text x="{tx}" y="{y1}" text-anchor="end" fill="#1b1f23">0</text>',
        x=left, y0=top_pad, y1=top_pad + plot_h, x2=left + plot_w, tx=left - 4, ty=top_pad + 10, top=top,
    )]
    for index in range(len(days)):
        y = top_pad + plot_h
        for key, _label, values in series:
            h = plot_h * values[index] / top
            if h > 0:
                y -= h
                parts.append(format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"></rect>',
                    x=f"{left + index * step:.1f}", y=f"{y:.1f}", w=f"{column_w:.1f}", h=f"{h:.1f}", c=COLOURS.get(key, COLOURS["none"]),
                ))
    if days:
        parts.append(format_html(
            '<text x="{x}" y="{y}" fill="#1b1f23">{first}</text>'
            '<text x="{x2}" y="{y}" text-anchor="end" fill="#1b1f23">{last}</text>',
            x=left, x2=left + plot_w, y=top_pad + plot_h + 16, first=days[0], last=days[-1],
        ))
    legend_y = height - 6
    x = left
    for key, label, _values in series:
        parts.append(format_html(
            '<rect x="{x}" y="{y}" width="12" height="12" fill="{c}"></rect><text x="{tx}" y="{ty}" '
            'fill="#1b1f23">{label}</text>', x=x, y=legend_y - 11, c=COLOURS.get(key, COLOURS["none"]), tx=x + 16,
            ty=legend_y, label=label,
        ))
        x += 24 + 8 * len(str(label))
    description = "; ".join(
        f"{label}: {sum(values)}" for _key, label, values in series
    ) + f" ({days[0]} – {days[-1]})" if days else "—"
    return _frame(chart_id, title, description, width, height, mark_safe("".join(parts)))


def join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))
