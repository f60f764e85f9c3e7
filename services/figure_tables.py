"""The overview's figures as tables for people (reports, the dashboard): Swedish captions and
headings, a suppressed cell as "<5", shares as per cent."""

from dataclasses import dataclass, field
from typing import Any

PHASES_SV = {
    "introduction": "Introduktion", "preparatory": "Förberedande insatser", "track_selection": "Val av spår",
    "track": "I jobbspår", "long_term_plan": "Långsiktig planering", "exited": "Avslutad i programmet",
    "withdrawn": "Vilande", "closed": "Stängd",
}
GENDERS_SV = {"woman": "Kvinnor", "man": "Män", "other": "Annat"}
GROUPS_SV = {
    "youth": "Unga 16–24", "kaa": "KAA", "newly_arrived": "Nyanlända",
    "social_assistance": "Ekonomiskt bistånd", "disability": "Funktionsnedsättning",
}


def cell(value: Any) -> str:
    if isinstance(value, dict) and value.get("suppressed"):
        return "<5"
    return "–" if value is None else str(value)


def percent(value: Any) -> str:
    if isinstance(value, float):
        return f"{value * 100:.1f} %".replace(".", ",")
    return cell(value)


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _outcome_row(name: str, f: dict[str, Any]) -> list[str]:
    o, w = f["outcome_90d"], f["women_share_in_tracks"]
    return [name, cell(f["cases"]), cell(o["total"]), percent(o["share"]), percent(w["share"]),
            percent(f["follow_ups_on_time"]["share"])]


OUTCOME_HEAD = ["Grupp", "Deltagare", "Med utfall", "Arbete/studier/eget företag (mål 60 %)",
                "Kvinnor i spår (mål 50 %)", "Uppföljningar i tid"]


def tables(f: dict[str, Any]) -> list[Table]:
    phases = Table("Deltagare per fas", ["Fas", "Antal"],
                   [[PHASES_SV.get(p, p), cell(n)] for p, n in f["cases_by_phase"].items()])
    overall = Table("Utfall 90 dagar efter avslut, totalt och per kön och åldersgrupp", OUTCOME_HEAD,
                    [_outcome_row("Alla", f)]
                    + [_outcome_row(GENDERS_SV[g], x) for g, x in f["by_gender"].items()]
                    + [_outcome_row(f"Ålder {a}", x) for a, x in f["by_age_group"].items()])
    tracks = Table("Per jobbspår", [*OUTCOME_HEAD, "Platser tagna", "Väntelista"],
                   [[*_outcome_row(t, x), cell(x["seats_taken"]), cell(x["waiting"])]
                    for t, x in f["by_track"].items()])
    track_gender = Table("Per jobbspår och kön", OUTCOME_HEAD,
                         [_outcome_row(f"{t}, {GENDERS_SV[g].lower()}", y)
                          for t, x in f["by_track"].items() for g, y in x["by_gender"].items()])
    groups = Table("Per målgrupp", OUTCOME_HEAD,
                   [_outcome_row(GROUPS_SV[g], x) for g, x in f["by_target_group"].items()])
    t = f["time_in_programme"]
    time = Table("Tid i programmet (dagar från start till avslut)", ["Dagar", "Antal"],
                 [[d, cell(n)] for d, n in t["distribution"].items()]
                 + [["Median", cell(t["median_days"])]])
    overdue = f["overdue_tasks"]
    late = Table("Försenade uppgifter per handläggare och fas", ["Handläggare/fas", "Antal"],
                 [[w, str(n)] for w, n in overdue["by_worker"].items()]
                 + [[PHASES_SV.get(p, p), str(n)] for p, n in overdue["by_phase"].items()])
    return [phases, overall, tracks, track_gender, groups, time, late]
