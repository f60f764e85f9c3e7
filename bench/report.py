"""Figures with their goal and verdict: printed as a table and written as JSON."""

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from bench.cpu import Spent


class Bound(StrEnum):
    RATIO_AT_MOST = "ratio_at_most"  # service / bare ≤ value
    RATIO_AT_LEAST = "ratio_at_least"  # service / bare ≥ value
    AT_MOST = "at_most"  # service ≤ value (in the figure's unit)


@dataclass(frozen=True)
class Goal:
    bound: Bound
    value: float
    # From the issue, or proposed here where the issue names the figure but sets no goal.
    proposed: bool = False

    def met(self, service: float, bare: float | None) -> bool | None:
        if self.bound is Bound.AT_MOST:
            return service <= self.value
        if bare is None or bare == 0:
            return None
        ratio = service / bare
        return ratio <= self.value if self.bound is Bound.RATIO_AT_MOST else ratio >= self.value

    def text(self, unit: str) -> str:
        sign = "≥" if self.bound is Bound.RATIO_AT_LEAST else "≤"
        what = f"{sign} {self.value:g}×" if self.bound is not Bound.AT_MOST else f"{sign} {self.value:g} {unit}"
        return what + (" (proposed)" if self.proposed else "")


@dataclass
class Figure:
    part: str
    name: str
    unit: str
    service: float
    bare: float | None = None
    goal: Goal | None = None
    note: str = ""
    errors: int = 0
    cpu: dict[str, Spent] = field(default_factory=dict)  # "service"/"bare": each process's CPU per call

    @property
    def ratio(self) -> float | None:
        return self.service / self.bare if self.bare else None

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        verdict = self.goal.met(self.service, self.bare)
        return verdict if verdict is None or self.errors == 0 else False

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["ratio"] = self.ratio
        d["met"] = self.met
        d["goal"] = None if self.goal is None else asdict(self.goal) | {"text": self.goal.text(self.unit)}
        return d


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f} {unit}".replace(",", " ")


def verdict(f: Figure) -> str:
    if f.met is None:
        return "—"
    return "met" if f.met else "NOT met"


def table(figures: list[Figure]) -> str:
    head = ("figure", "service", "bare floor", "ratio", "goal", "verdict")
    rows = [
        (
            f.name,
            _num(f.service, f.unit),
            _num(f.bare, f.unit),
            "" if f.ratio is None else f"{f.ratio:.2f}×",
            "" if f.goal is None else f.goal.text(f.unit),
            verdict(f) + (f" ({f.errors} errors)" if f.errors else ""),
        )
        for f in figures
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), line]
    part = None
    for f, r in zip(figures, rows, strict=True):
        if f.part != part and part is not None:
            out.append("")
        part = f.part
        out.append(
            "  ".join(c.rjust(w) if 0 < i < 4 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
        if f.note:
            out.append("    " + f.note)
        out += [f"    CPU per call, {side}: {spent.text()}" for side, spent in f.cpu.items()]
    return "\n".join(out)


def markdown(figures: list[Figure]) -> str:
    """The same table for the README."""
    rows = ["| figure | service | bare floor | ratio | goal | verdict |", "| --- | --: | --: | --: | --- | --- |"]
    for f in figures:
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}×"
        goal = "" if f.goal is None else f.goal.text(f.unit)
        name = f.name.strip().replace("|", "/")
        rows.append(
            f"| {name} | {_num(f.service, f.unit)} | {_num(f.bare, f.unit)} | {ratio} | {goal} | {verdict(f)} |"
        )
    return "\n".join(rows) + "\n"


def machine() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
    }


def write_json(path: Path, figures: list[Figure], run: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"run": run, "figures": [f.as_json() for f in figures]}, indent=2, ensure_ascii=False))
    path.with_suffix(".md").write_text(markdown(figures))
