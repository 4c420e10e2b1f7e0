"""What a page's markup says to assistive technology: its headings' outline."""

import re


def heading_levels(body: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])\b", body)]


def heading_jumps(body: str) -> list[tuple[int, int]]:
    """Each (heading, next) where the next goes more than one level deeper (axe's heading-order)."""
    levels = heading_levels(body)
    return [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
