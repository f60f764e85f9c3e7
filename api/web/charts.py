"""Charts drawn on the server as SVG: horizontal bars, one per group, with an optional target
line. Only geometry here (pure, tested without a server); the words and the SVG itself are in
templates/pages/partials/charts.html. Every chart has its data table beside it on the page: the
chart is a picture of the table, never the only place a figure is written."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 640
LABEL_WIDTH = 200  # the group's name, right-aligned before its bar
VALUE_ROOM = 110  # the value written after the longest bar
BAR_HEIGHT = 22
GAP = 12
TOP = 26  # room for the target line's label
TOP_PLAIN = 6


def is_suppressed(value: Any) -> bool:
    return isinstance(value, dict) and bool(value.get("suppressed"))


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as written (a number, a percentage, or "fewer than 5")
    y: float
    length: float  # 0 when there is nothing to draw: suppressed, none, or zero
    suppressed: bool

    @property
    def middle(self) -> float:
        return self.y + BAR_HEIGHT / 2


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: float
    target_x: float | None  # where the target line stands
    target_text: str
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - VALUE_ROOM


def bar_chart(
    rows: Sequence[tuple[str, Any]],
    write: Callable[[Any], str],
    *,
    scale_max: float | None = None,
    target: float | None = None,
    target_text: str = "",
) -> BarChart:
    """Bars for `rows` of (label, value); `write` gives a value's text (a suppressed value or
    None included). Shares are drawn on 0…1 (`scale_max=1`), counts on 0…the largest."""
    numbers = [float(v) for _, v in rows if isinstance(v, int | float) and not isinstance(v, bool)]
    top = scale_max if scale_max is not None else max(numbers, default=0.0)
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    first = TOP if target is not None else TOP_PLAIN
    bars = []
    for i, (label, value) in enumerate(rows):
        drawn = isinstance(value, int | float) and not isinstance(value, bool) and top > 0
        length = plot * min(float(value), top) / top if drawn else 0.0
        bars.append(Bar(label, write(value), first + i * (BAR_HEIGHT + GAP), round(length, 1), is_suppressed(value)))
    height = first + len(rows) * (BAR_HEIGHT + GAP)
    target_x = LABEL_WIDTH + plot * target / top if target is not None and top > 0 else None
    return BarChart(bars, height, round(target_x, 1) if target_x is not None else None, target_text)
