"""The overview's tables as CSV: one line per figure, `table,group,figure,value`; a suppressed
cell reads `<5`."""

import csv
import io
from collections.abc import Iterator
from typing import Any

BREAKDOWNS = ("by_gender", "by_age_group", "by_track", "by_target_group")
SUPPRESSED_TEXT = "<5"


def _lines(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict) and value.get("suppressed"):
        yield prefix, SUPPRESSED_TEXT
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key in BREAKDOWNS:
                continue
            yield from _lines(f"{prefix}.{key}" if prefix else key, inner)
    else:
        yield prefix, "" if value is None else str(value)


def _table(writer: Any, table: str, group: str, figures: dict[str, Any]) -> None:
    for figure, value in _lines("", figures):
        writer.writerow([table, group, figure, value])
    for breakdown in BREAKDOWNS:
        for name, inner in figures.get(breakdown, {}).items():
            _table(writer, breakdown if table == "overall" else f"{table}.{breakdown}", f"{group}/{name}"
                   if table != "overall" else name, inner)


def overview_csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "group", "figure", "value"])
    _table(writer, "overall", "all", {k: v for k, v in figures.items() if k != "suppression"})
    return out.getvalue()
