"""Bar charts drawn on the server as inline SVG (no script, no third party).

Each chart comes in two layouts, and the stylesheet shows one (site.css, `.chart-wide` and
`.chart-narrow`): beside their bars, the labels of a wide screen; above them, on a phone. An SVG
scales to the width it is given: drawn for 560 units, it shrank its 12-unit text to 7 px on a
360 px screen; the narrow one is drawn for the phone's own width, so its text stays at 14 px
there (13 px on a 320 px screen), and the wide one is shown only where it is 12 px or more.
"""

from dataclasses import dataclass, replace

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi

from duos.lib.formats import format_number

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by the legend too.
BLUE, ORANGE = "#1459a0", "#b33c07"
GAP, VALUE_ROOM = 10, 60


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    colour: str


@dataclass(frozen=True)
class Layout:
    css_class: str
    id_suffix: str
    width: int
    font: int
    bar: int
    # Room for the labels before the bars; 0 puts each label above its bars.
    label_room: int
    # One line per series in the legend (a phone), or all on one line.
    legend_stacked: bool
    # Right to left (ar, fa, ps): the drawing mirrored, labels on the right, bars growing
    # leftwards; the svg says direction="rtl", so text-anchor start and end follow.
    rtl: bool = False

    def x(self, x: float, width: float = 0) -> float:
        """Where a shape of `width` starting `x` from the reading side's edge is drawn."""
        return round(self.width - x - width, 1) if self.rtl else x

    @property
    def plot(self) -> int:
        return self.width - self.label_room - VALUE_ROOM

    def legend_height(self, series: int) -> int:
        if series < 2:
            return 0
        lines = series if self.legend_stacked else 1
        return lines * (self.font + 8) + 2

    def label_height(self) -> int:
        return 0 if self.label_room else self.font + 6


WIDE = Layout("chart chart-wide", "", 560, 12, 16, 130, legend_stacked=False)
NARROW = Layout("chart chart-narrow", "-narrow", 320, 14, 18, 0, legend_stacked=True)


def bar_chart(
    *, title: str, labels: list[str], series: list[Series], unit: str = "", chart_id: str
) -> SafeString:
    """A horizontal bar chart as inline SVG, in both layouts: one row per label, one bar per
    series, each bar with its figure after it.

    Every text goes through format_html (escaped). The table after the chart carries the same
    figures; the SVG is labelled by its title for those who can see it. Drawn for the reading
    direction of the active language.
    """
    rtl = get_language_bidi()
    wide, narrow = replace(WIDE, rtl=rtl), replace(NARROW, rtl=rtl)
    return format_html(
        "{}{}",
        _svg(wide, title=title, labels=labels, series=series, unit=unit, chart_id=chart_id),
        _svg(narrow, title=title, labels=labels, series=series, unit=unit, chart_id=chart_id),
    )


def _svg(
    layout: Layout, *, title: str, labels: list[str], series: list[Series], unit: str, chart_id: str
) -> SafeString:
    largest = max((v for s in series for v in s.values), default=0) or 1
    row_height = layout.label_height() + layout.bar * len(series) + GAP
    top = layout.legend_height(len(series))
    height = top + row_height * len(labels) + GAP
    parts = _legend(layout, series) if len(series) > 1 else []
    if layout.label_room:  # the axis between the labels and the bars
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#4a5565"/>',
                layout.x(layout.label_room),
                top + GAP / 2,
                layout.x(layout.label_room),
                height,
            )
        )
    for row, label in enumerate(labels):
        parts.extend(
            _row(
                layout,
                label,
                row,
                series,
                top=top + row * row_height + GAP,
                largest=largest,
                unit=unit,
            )
        )
    title_id = chart_id + layout.id_suffix
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" role="img" '
        'aria-labelledby="{}" viewBox="0 0 {} {}" width="100%" direction="{}" '
        'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif">'
        '<title id="{}">{}</title>{}</svg>',
        layout.css_class,
        title_id,
        layout.width,
        height,
        "rtl" if layout.rtl else "ltr",
        title_id,
        title,
        mark_safe("".join(parts)),  # noqa: S308 (each part is built by format_html)
    )


def _legend(layout: Layout, series: list[Series]) -> list[SafeString]:
    parts = []
    for i, each in enumerate(series):
        line = layout.font + 8
        x, y = (0, i * line) if layout.legend_stacked else (layout.label_room + i * 150, 0)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="{}" font-size="{}">{}</text>',
                layout.x(x, 12),
                y + 4,
                each.colour,
                layout.x(x + 16),
                y + 4 + 11,
                layout.font,
                each.name,
            )
        )
    return parts


def _row(
    layout: Layout,
    label: str,
    row: int,
    series: list[Series],
    *,
    top: float,
    largest: float,
    unit: str,
) -> list[SafeString]:
    """One label and its bars, one per series, each with its figure after it."""
    if layout.label_room:  # beside the bars, ending where they start
        label_x, label_y, anchor = (
            layout.label_room - 8,
            top + layout.bar * len(series) / 2 + 4,
            "end",
        )
    else:  # above them
        label_x, label_y, anchor = 0, top + layout.font, "start"
    parts = [
        format_html(
            '<text x="{}" y="{}" font-size="{}" text-anchor="{}">{}</text>',
            layout.x(label_x),
            label_y,
            layout.font,
            anchor,
            label,
        )
    ]
    bars_top = top + layout.label_height()
    for i, each in enumerate(series):
        value = each.values[row]
        width = round(layout.plot * value / largest, 1)
        y = bars_top + i * layout.bar
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="{}">{}{}</text>',
                layout.x(layout.label_room, width),
                y + 1,
                width,
                layout.bar - 2,
                each.colour,
                layout.x(layout.label_room + width + 4),
                y + layout.bar - 4,
                layout.font,
                _number(value),
                unit,
            )
        )
    return parts


def _number(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 1)
