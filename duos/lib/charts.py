"""Bar charts drawn on the server as inline SVG (no script, no third party)."""

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from duos.lib.formats import format_number

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by the legend too.
BLUE, ORANGE = "#1459a0", "#b33c07"
LABEL_WIDTH, BAR_HEIGHT, GAP, CHART_WIDTH, VALUE_ROOM = 130, 16, 10, 560, 60


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    colour: str


def bar_chart(
    *, title: str, labels: list[str], series: list[Series], unit: str = "", chart_id: str
) -> SafeString:
    """A horizontal bar chart as inline SVG: one row per label, one bar per series.

    Every text goes through format_html (escaped). The table after the chart carries the same
    figures; the SVG is labelled by its title for those who can see it.
    """
    largest = max((v for s in series for v in s.values), default=0) or 1
    row_height = BAR_HEIGHT * len(series) + GAP
    legend_height = 22 if len(series) > 1 else 0
    height = legend_height + row_height * len(labels) + GAP
    parts = _legend(series) if len(series) > 1 else []
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#4a5565"/>',
            LABEL_WIDTH,
            legend_height + GAP / 2,
            LABEL_WIDTH,
            height,
        )
    )
    for row, label in enumerate(labels):
        top = legend_height + row * row_height + GAP
        parts.extend(_row(label, row, series, top=top, largest=largest, unit=unit))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'aria-labelledby="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif">'
        '<title id="{}">{}</title>{}</svg>',
        chart_id,
        CHART_WIDTH,
        height,
        chart_id,
        title,
        mark_safe("".join(parts)),  # noqa: S308 (each part is built by format_html)
    )


def _legend(series: list[Series]) -> list[SafeString]:
    parts = []
    for i, each in enumerate(series):
        x = LABEL_WIDTH + i * 150
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="15" font-size="12">{}</text>',
                x,
                each.colour,
                x + 16,
                each.name,
            )
        )
    return parts


def _row(
    label: str, row: int, series: list[Series], *, top: float, largest: float, unit: str
) -> list[SafeString]:
    """One label and its bars, one per series, each with its figure after it."""
    plot = CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM
    parts = [
        format_html(
            '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>',
            LABEL_WIDTH - 8,
            top + BAR_HEIGHT * len(series) / 2 + 4,
            label,
        )
    ]
    for i, each in enumerate(series):
        value = each.values[row]
        width = round(plot * value / largest, 1)
        y = top + i * BAR_HEIGHT
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11">{}{}</text>',
                LABEL_WIDTH,
                y + 1,
                width,
                BAR_HEIGHT - 2,
                each.colour,
                LABEL_WIDTH + width + 4,
                y + BAR_HEIGHT - 4,
                _number(value),
                unit,
            )
        )
    return parts


def _number(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 1)
