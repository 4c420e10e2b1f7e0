"""The dashboard's charts on a phone: their own layout, text of 12 px or more on the screen."""

import re

from duos.lib.charts import NARROW, WIDE, Series, bar_chart

# What the stylesheet gives a chart: main's width less its padding (site.css).
PHONE_MIN, PHONE, WIDE_MIN = 320 - 32, 360 - 32, 640 - 32


def layouts(svg: str) -> dict[str, str]:
    return {
        match[1]: match[0]
        for match in re.finditer(r'<svg[^>]* class="chart chart-(\w+)".*?</svg>', svg)
    }


def smallest_text_px(svg: str, shown_width: int) -> float:
    """The smallest text of the chart once its viewBox is scaled to `shown_width` px."""
    view_width = int(re.search(r'viewBox="0 0 (\d+) ', svg)[1])
    sizes = [int(size) for size in re.findall(r'font-size="(\d+)"', svg)]
    return min(sizes) * shown_width / view_width


def chart(series: int = 2) -> str:
    names = ["Parrains et marraines", "Filleuls et filleules"][:series]
    return bar_chart(
        chart_id="c",
        title="Candidats en attente",
        labels=["75", "93", "Seine-Saint-Denis (93)"],
        series=[Series(name, [12, 3, 7], "#000") for name in names],
    )


def test_bar_chart_draws_a_wide_and_a_narrow_layout_each_with_its_own_title():
    both = layouts(chart())

    assert set(both) == {"wide", "narrow"}
    assert 'aria-labelledby="c"' in both["wide"] and '<title id="c">' in both["wide"]
    assert 'aria-labelledby="c-narrow"' in both["narrow"]
    assert '<title id="c-narrow">Candidats en attente</title>' in both["narrow"]


def test_narrow_chart_text_is_at_least_12_px_on_a_phone():
    narrow = layouts(chart())["narrow"]

    assert f'viewBox="0 0 {NARROW.width} ' in narrow
    assert smallest_text_px(narrow, PHONE_MIN) >= 12
    assert smallest_text_px(narrow, PHONE) >= 14


def test_wide_chart_text_is_at_least_12_px_where_it_is_shown():
    wide = layouts(chart())["wide"]

    assert smallest_text_px(wide, WIDE_MIN) >= 12
    # Shrunk to a phone, it would be the 7 px text of before: the stylesheet hides it there.
    assert smallest_text_px(wide, PHONE) < 12


def test_narrow_chart_puts_each_label_above_its_bars_and_the_legend_one_per_line():
    narrow = layouts(chart())["narrow"]

    label = re.search(
        r'<text x="0" y="([\d.]+)" font-size="14" text-anchor="start">75</text>', narrow
    )
    first_bar = re.search(r'<rect x="0" y="([\d.]+)" width="[\d.]+" height="16"', narrow)
    assert label and first_bar and float(first_bar[1]) > float(label[1])
    legend_y = re.findall(r'<rect x="0" y="(\d+)" width="12" height="12"', narrow)
    assert len(legend_y) == 2 and legend_y[0] != legend_y[1]
    # Bars and their figures fit the drawing's width.
    widths = [float(w) for w in re.findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)"', narrow)]
    assert max(widths) == NARROW.plot and NARROW.plot + 56 <= NARROW.width


def test_stylesheet_shows_the_narrow_layout_on_a_phone_and_the_wide_one_from_40rem():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()

    assert ".chart-wide { display: none; }" in css
    assert (
        "@media (min-width: 40rem) { .chart-wide { display: block; } "
        ".chart-narrow { display: none; } }" in css
    )
    assert WIDE.width == 560


def test_right_to_left_charts_are_mirrored_labels_on_the_right():
    from django.utils import translation

    with translation.override("ar"):
        both = layouts(chart(series=1))
    narrow, wide = both["narrow"], both["wide"]

    assert 'direction="rtl"' in narrow and 'direction="rtl"' in wide
    # The label starts at the right edge (text-anchor start, read right to left)...
    assert f'<text x="{NARROW.width}" y="' in narrow
    # ...and the longest bar ends there: it grows leftwards.
    assert f'<rect x="{NARROW.width - NARROW.plot}" ' in narrow.replace('.0"', '"')
    assert f'<line x1="{WIDE.width - WIDE.label_room}" ' in wide
    with translation.override("fr"):
        assert 'direction="ltr"' in chart()
