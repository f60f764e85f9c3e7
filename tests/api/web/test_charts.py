"""The bar charts' geometry, without a server: shares on 0…1 against a target line, counts on
0…the largest, a suppressed group written and not drawn."""

from api.web.charts import LABEL_WIDTH, bar_chart

SUPPRESSED = {"suppressed": True, "reason": "fewer than 5"}


def write(value: object) -> str:
    return "fewer than 5" if isinstance(value, dict) else str(value)


def test_shares_stand_against_the_target_line() -> None:
    chart = bar_chart([("all", 0.5), ("a", 0.6), ("b", SUPPRESSED), ("c", None)], write, scale_max=1, target=0.6)
    all_, a, b, c = chart.bars
    assert chart.target_x == LABEL_WIDTH + a.length  # the track at 60 % reaches the line exactly
    assert all_.length == a.length * 5 / 6
    assert (b.length, b.text, b.suppressed) == (0, "fewer than 5", True)
    assert (c.length, c.suppressed) == (0, False)
    assert a.y > all_.y and chart.height > c.y


def test_counts_are_drawn_against_the_largest() -> None:
    chart = bar_chart([("introduction", SUPPRESSED), ("track", 6), ("closed", 20)], write)
    assert chart.target_x is None
    assert chart.bars[2].length == chart.plot_width and chart.bars[1].length == round(chart.plot_width * 0.3, 1)
    assert bar_chart([("none", 0)], write).bars[0].length == 0  # nothing to count: no bar, no division by zero
