"""Server-rendered SVG charts with pygal (installed with the app, works offline).

Accessibility: each chart is an `<svg role="img">` with an accessible name, line series differ
by dash pattern as well as colour (and the legend names them), bars print their values, and
every chart in a template has a data table next to it. Colours are the Okabe-Ito palette,
distinguishable with the common colour-vision deficiencies. Numbers use the es-CO format.
pygal's JavaScript (tooltips from a CDN) is switched off (`js=[]`); the CSP forbids it anyway.

A chart is rendered once per distinct data (an in-process LRU keyed on the data), so a busy
dashboard does not pay the ~30 ms of a pygal render on every request.
"""

from __future__ import annotations

import functools
import json
import re

import pygal
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from pygal.style import Style

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = (None, "8,4", "2,3", "10,3,2,3", "4,4", "1,5", "12,6")

STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1b1f24",
    foreground_strong="#1b1f24", foreground_subtle="#4a5360", opacity=".9",
    opacity_hover="1", colors=PALETTE, font_family="system-ui, sans-serif",
    label_font_size=13, major_label_font_size=13, legend_font_size=14, title_font_size=16,
    value_font_size=12, value_label_font_size=12, tooltip_font_size=12,
)

_ID_RE = re.compile(r'id="(chart-[0-9a-f-]+)"')
_SCRIPT_RE = re.compile(r"<script\b.*?</script>", re.S)


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)
    return number_format(int(value), use_l10n=True, force_grouping=True)


def _config(**extra):
    base = dict(js=[], style=STYLE, disable_xml_declaration=True, width=860, height=320,
                legend_at_bottom=True, legend_at_bottom_columns=4, show_y_guides=True,
                truncate_legend=-1, truncate_label=-1, tooltip_border_radius=0,
                value_formatter=_fmt, dots_size=3, margin=12, no_data_text="")
    base.update(extra)
    return base


def _finish(svg: str, label: str, chart_id: str) -> str:
    # pygal inlines a <script> with its tooltip config even without its JS: the CSP would
    # block it anyway; drop it (and its weight).
    svg = _SCRIPT_RE.sub("", svg)
    # pygal names the chart with a random uuid; a stable id keeps the cached SVG reusable.
    match = _ID_RE.search(svg)
    if match:
        svg = svg.replace(match.group(1), chart_id)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" '
                       'focusable="false" ', 1)


@functools.lru_cache(maxsize=256)
def _render(kind: str, payload: str) -> str:
    data = json.loads(payload)
    label, chart_id = data["label"], data["id"]
    if kind == "line":
        chart = pygal.Line(**_config(x_label_rotation=0, show_minor_x_labels=False,
                                     x_labels_major_count=8, show_dots=len(data["x"]) <= 31,
                                     fill=False))
        chart.x_labels = data["x"]
        for index, (name, values) in enumerate(data["series"]):
            dash = DASHES[index % len(DASHES)]
            style = {"width": 3}
            if dash:
                style["dasharray"] = dash
            chart.add(name, values, stroke_style=style)
    elif kind == "hbar":
        chart = pygal.HorizontalBar(**_config(print_values=True, show_legend=False,
                                              height=max(140, 44 * len(data["series"]) + 60)))
        chart.x_labels = [name for name, _v in data["series"]]
        chart.add(label, [v for _n, v in data["series"]])
    elif kind == "bar":
        chart = pygal.Bar(**_config(print_values=True, show_legend=False, height=260))
        chart.x_labels = data["x"]
        chart.add(label, data["values"])
    else:
        raise ValueError(kind)
    svg = chart.render(is_unicode=True)
    return _finish(svg, label, chart_id)


def _chart(kind: str, **data) -> str:
    from django.utils.translation import get_language

    data["lang"] = get_language()  # number formats differ by language: part of the cache key
    return mark_safe(_render(kind, json.dumps(data, sort_keys=True, default=str)))  # noqa: S308


def line_chart(*, chart_id: str, label: str, x: list[str], series: list[tuple[str, list]]) -> str:
    """Lines over time; each series has its own dash pattern."""
    return _chart("line", id=chart_id, label=label, x=x,
                  series=[[str(name), list(values)] for name, values in series])


def hbar_chart(*, chart_id: str, label: str, series: list[tuple[str, float]]) -> str:
    """Horizontal bars with their values printed (categories, networks, scores)."""
    return _chart("hbar", id=chart_id, label=label,
                  series=[[str(name), value] for name, value in series])


def bar_chart(*, chart_id: str, label: str, x: list[str], values: list) -> str:
    return _chart("bar", id=chart_id, label=label, x=[str(v) for v in x], values=list(values))


def dashboard_charts(data: dict) -> dict:
    """The dashboard's charts from `dashboard_selectors.dashboard_data` output."""
    from django.utils.translation import gettext as _

    from .dashboard_selectors import PLATFORM_LABELS

    volume = data["volume"]
    x = [d.strftime("%d/%m") for d in volume["dates"]]
    sentiment = volume["sentiment"]
    return {
        "by_platform": line_chart(
            chart_id="chart-volume-platform", label=_("Mentions per day by network"), x=x,
            series=[(PLATFORM_LABELS.get(p, p), v) for p, v in volume["by_platform"].items()]),
        "by_category": line_chart(
            chart_id="chart-volume-category", label=_("Mentions per day by category"), x=x,
            series=list(volume["by_category"].items())),
        "sentiment": line_chart(
            chart_id="chart-sentiment", label=_("Sentiment of mentions per day"), x=x,
            series=[(_("Negative"), [s["negative"] for s in sentiment]),
                    (_("Neutral"), [s["neutral"] for s in sentiment]),
                    (_("Positive"), [s["positive"] for s in sentiment])]),
        "ages": bar_chart(chart_id="chart-ages", label=_("Open cases by age"),
                          x=[label for label, _n in data["ages"]],
                          values=[n for _label, n in data["ages"]]),
        "presence": hbar_chart(
            chart_id="chart-presence", label=_("Presence score per channel (0-100)"),
            series=[(str(p["channel"]), p["score"].score) for p in data["presence"]]),
        "kpis": hbar_chart(
            chart_id="chart-kpis", label=_("Progress of the indicators towards their target (%)"),
            series=[(k["kpi"].metric, k["percent"]) for k in data["kpis"]
                    if k["percent"] is not None]),
    }


# --- Data tables (the accessible alternative of each chart) --------------------------------
# Built in Python: a 90-day table is ~1,000 cells, and the template engine spends about a
# millisecond per formatted cell, which alone would break the page's time budget.


def _int_formatter():
    from django.utils.formats import get_format

    separator = get_format("THOUSAND_SEPARATOR")

    def fmt(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, float) and not value.is_integer():
            return _fmt(value)
        return f"{int(value):,}".replace(",", separator)

    return fmt


def data_table(*, caption: str, headers: list[str], rows: list[tuple[str, list]]) -> str:
    """<table> with a caption, column headers (th scope=col) and row headers (th scope=row)."""
    fmt = _int_formatter()
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f"<td>{escape(c) if isinstance(c, str) else fmt(c)}</td>" for c in cells)
        + "</tr>" for label, cells in rows)
    return mark_safe(  # noqa: S308  (every piece is escaped above)
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>")


def dashboard_tables(data: dict) -> dict:
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    volume = data["volume"]
    days = [date_format(d, "SHORT_DATE_FORMAT") for d in volume["dates"]]
    day = _("Day")

    def series_table(caption, table):
        return data_table(caption=caption, headers=[day, *table["headers"]],
                          rows=[(days[i], row[1:]) for i, row in enumerate(table["rows"])])

    def average(value):
        return "—" if value is None else _fmt(round(value, 2))

    return {
        "by_platform": series_table(_("Mentions per day by network"), volume["platform_table"]),
        "by_category": series_table(_("Mentions per day by category"),
                                    volume["category_table"]),
        "sentiment": data_table(
            caption=_("Sentiment of mentions per day"),
            headers=[day, _("Negative"), _("Neutral"), _("Positive"), _("Average sentiment")],
            rows=[(days[i], [s["negative"], s["neutral"], s["positive"], average(s["average"])])
                  for i, s in enumerate(volume["sentiment"])]),
        "ages": data_table(caption=_("Open cases by age"), headers=[_("Age"), _("Cases")],
                           rows=[(label, [n]) for label, n in data["ages"]]),
    }
