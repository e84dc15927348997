"""Small inline SVG charts for the dashboard: no script, printable, readable without colour."""

from __future__ import annotations

import math
from html import escape

from service.reporting.figures import MonthRow, QuarterRow, UnitRow
from service.schema.labels import GRADE_VI
from service.schema.period import month_short

_FONT = 'font-family="inherit" font-size="11"'


def _rate_colour(rate: float | None) -> str:
    if rate is None:
        return "#eceff3"
    if rate > 0.85:  # HD 12-HD/BTCTW criterion 1: more than 85% of members attend
        return "#2e7d32"
    if rate >= 0.7:
        return "#f9a825"
    return "#c62828"


def attendance_heatmap(units: list[UnitRow], months: list[str]) -> str:
    """One row per chi bộ, one cell per month, coloured by attendance rate; an empty cell is a month
    without a regular meeting."""
    label_w, cell, gap, top = 210, 26, 2, 34
    width = label_w + len(months) * (cell + gap) + 10
    height = top + len(units) * (cell + gap) + 10
    out = [f'<svg class="chart heatmap" role="img" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" xmlns="http://www.w3.org/2000/svg" aria-label="Tỷ lệ dự họp theo chi bộ và tháng">']
    for j, p in enumerate(months):
        x = label_w + j * (cell + gap) + cell / 2
        out.append(f'<text x="{x}" y="{top - 10}" text-anchor="middle" {_FONT}>{month_short(p)}</text>')
    for i, u in enumerate(units):
        y = top + i * (cell + gap)
        name = escape((u.chi_bo or u.unit_id)[:32])
        out.append(f'<text x="{label_w - 8}" y="{y + cell * 0.68}" text-anchor="end" {_FONT}>{name}</text>')
        by_month = {m.period: m for m in u.months}
        for j, p in enumerate(months):
            x = label_w + j * (cell + gap)
            m = by_month.get(p)
            rate = m.attendance if m else None
            held = bool(m and m.regular)
            tip = (f"{u.chi_bo or u.unit_id} · {month_short(p)}: "
                   + (f"dự họp {rate * 100:.0f}%" if rate is not None else
                      ("đã họp, không rõ tỷ lệ" if held else "không có biên bản thường kỳ")))
            colour = _rate_colour(rate) if held or rate is not None else "#ffffff"
            stroke = ' stroke="#c62828" stroke-dasharray="3 2"' if not held else ' stroke="#ffffff"'
            out.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="3" fill="{colour}"{stroke}>'
                       f'<title>{escape(tip)}</title></rect>')
            if rate is not None:
                fg = "#ffffff" if rate > 0.85 or rate < 0.7 else "#222222"
                out.append(f'<text x="{x + cell / 2}" y="{y + cell * 0.66}" text-anchor="middle" fill="{fg}" '
                           f'font-size="9">{rate * 100:.0f}</text>')
    out.append("</svg>")
    return "".join(out)


def bars(labels: list[str], series: list[tuple[str, list[float], str]], *, title: str, height: int = 180,
         max_value: float | None = None, line: tuple[str, list[float | None], str] | None = None,
         unit: str = "") -> str:
    """Grouped vertical bars (one colour per series), with an optional line on a 0..1 scale.

    Counts get a whole-number axis (0, half, top); ``unit`` names what the axis counts.
    """
    left, bottom, top = 40, 26, 24 if unit else 14
    group = max(28, 12 * len(series) + 10, 7 * max((len(x) for x in labels), default=0) + 6)
    width = max(left + len(labels) * group + 20, left + 8 * len(unit))
    peak = max_value or 2 * math.ceil(max([v for _, vals, _ in series for v in vals] + [1]) / 2)
    plot_h = height - bottom - top
    out = [f'<svg class="chart bars" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">']
    if unit:
        out.append(f'<text x="2" y="11" {_FONT}>{escape(unit)}</text>')
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        value = peak * frac
        tick = f"{value * 100:.0f}%" if max_value == 1.0 else (f"{value:.0f}" if value == int(value) else "")
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y}" y2="{y}" stroke="#d0d5db" stroke-width="1"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4}" text-anchor="end" {_FONT}>{tick}</text>')
    bar_w = (group - 10) / max(1, len(series))
    for i, label in enumerate(labels):
        gx = left + i * group + 5
        for k, (name, vals, colour) in enumerate(series):
            v = vals[i]
            h = plot_h * (v / peak) if peak else 0
            out.append(f'<rect x="{gx + k * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                       f'height="{h:.1f}" fill="{colour}"><title>{escape(f"{label} · {name}: {v:g}")}</title></rect>')
        out.append(f'<text x="{gx + (group - 10) / 2}" y="{height - 8}" text-anchor="middle" {_FONT}>'
                   f'{escape(label)}</text>')
    if line is not None:
        line_name, line_vals, line_colour = line
        pts = [(left + i * group + group / 2, top + plot_h * (1 - v)) for i, v in enumerate(line_vals)
               if v is not None]
        if pts:
            out.append(f'<polyline fill="none" stroke="{line_colour}" stroke-width="2" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
            for (x, y), rate in zip(pts, [v for v in line_vals if v is not None], strict=True):
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{line_colour}">'
                           f'<title>{escape(f"{line_name}: {rate * 100:.0f}%")}</title></circle>')
    out.append("</svg>")
    return "".join(out)


def meetings_chart(per_month: list[MonthRow]) -> str:
    """Regular and thematic meetings per month, as bars."""
    labels = [month_short(m.period) for m in per_month]
    return bars(labels, [("Thường kỳ", [m.regular for m in per_month], "#1565c0"),
                         ("Chuyên đề", [m.thematic for m in per_month], "#8e24aa")],
                title="Số buổi sinh hoạt theo tháng", unit="Số buổi")


def attendance_line(per_month: list[MonthRow]) -> str:
    """Share of chi bộ that held a regular meeting each month (bars), with the mean attendance rate as a line."""
    labels = [month_short(m.period) for m in per_month]
    met = [m.units_met / m.units_total if m.units_total else 0.0 for m in per_month]
    return bars(labels, [("Tỷ lệ chi bộ đã họp", met, "#90caf9")], title="Chi bộ đã họp và tỷ lệ dự họp",
                max_value=1.0, line=("Tỷ lệ dự họp", [m.attendance for m in per_month], "#2e7d32"), unit="Tỷ lệ")


def quarters_chart(per_quarter: list[QuarterRow]) -> str:
    """Chi bộ with and without a thematic meeting, per quarter."""
    labels = [q.quarter.replace("-Q", " Q") for q in per_quarter]
    return bars(labels, [("Chi bộ có chuyên đề", [q.units_met for q in per_quarter], "#8e24aa"),
                         ("Chưa có", [q.units_total - q.units_met for q in per_quarter], "#e0e0e0")],
                title="Sinh hoạt chuyên đề theo quý", unit="Số chi bộ")


def grades_chart(counts: dict[str, int]) -> str:
    """One bar per grade: how many minutes got it, and their share."""
    colours = {"tot": "#2e7d32", "kha": "#1565c0", "trung_binh": "#f9a825", "kem": "#c62828"}
    total = sum(counts.values()) or 1
    width, row = 420, 26
    out = [f'<svg class="chart grades" role="img" viewBox="0 0 {width} {row * 4 + 6}" width="{width}" '
           f'height="{row * 4 + 6}" xmlns="http://www.w3.org/2000/svg" aria-label="Phân bố xếp loại">']
    for i, (g, label) in enumerate(GRADE_VI.items()):
        n = counts.get(g, 0)
        w = (width - 190) * n / total
        y = i * row + 4
        out.append(f'<text x="0" y="{y + 15}" {_FONT}>{escape(label)}</text>')
        out.append(f'<rect x="90" y="{y}" width="{w:.1f}" height="{row - 8}" fill="{colours[g]}"/>')
        out.append(f'<text x="{96 + w:.1f}" y="{y + 15}" {_FONT}>{n} ({n * 100 / total:.0f}%)</text>')
    out.append("</svg>")
    return "".join(out)
