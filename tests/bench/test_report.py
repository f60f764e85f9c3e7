"""The bench's verdicts: each figure against its goal, and errors fail a goal however fast."""

from bench.report import Bound, Figure, Goal, markdown, table


def test_ratio_goals_compare_service_with_the_floor() -> None:
    at_most = Goal(Bound.RATIO_AT_MOST, 1.2)
    assert Figure("p", "action", "ms", 20.0, 17.0, at_most).met is True  # 1.18×
    assert Figure("p", "action", "ms", 21.0, 17.0, at_most).met is False  # 1.24×
    at_least = Goal(Bound.RATIO_AT_LEAST, 0.8)
    assert Figure("p", "opening", "/s", 90.0, 100.0, at_least).met is True
    assert Figure("p", "opening", "/s", 17.0, 106.0, at_least).met is False


def test_an_absolute_goal_needs_no_floor() -> None:
    goal = Goal(Bound.AT_MOST, 100, proposed=True)
    assert Figure("w", "worklist", "ms", 40.0, None, goal).met is True
    assert Figure("w", "worklist", "ms", 140.0, None, goal).met is False
    assert goal.text("ms") == "≤ 100 ms (proposed)"


def test_errors_fail_a_goal_that_the_speed_would_meet() -> None:
    fast_but_failing = Figure("l", "load", "/s", 90.0, 100.0, Goal(Bound.RATIO_AT_LEAST, 0.7), errors=2)
    assert fast_but_failing.met is False
    assert "NOT met (2 errors)" in table([fast_but_failing])


def test_a_figure_without_goal_has_no_verdict() -> None:
    info = Figure("o", "floor: update-with-start", "/s", 30.0, 170.0)
    assert info.met is None
    row = markdown([info]).splitlines()[-1]
    assert row == "| floor: update-with-start | 30.0 /s | 170 /s | 0.18× |  | — |"
