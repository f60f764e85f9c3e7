"""The supervisors' dashboard ("Nyckeltal"): the overview's figures for their organisation as
charts with their tables, filtered as the API is (municipality, track, period, target group),
the filter kept in the URL; and the same figures as CSV."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response
from sqlmodel import Session, col, select

from api.deps import SessionDep
from api.figures_answer import overview_csv_answer
from api.web.charts import BarChart, bar_chart, is_suppressed
from api.web.deps import PagesDep, page_for
from api.web.forms import FormErrors
from api.web.render import language_of
from core.i18n import Formats, Language, gettext, term
from core.words import N_
from services.scope import municipalities_in_scope, sees_municipality
from services.stats import OUTCOME_TARGET, WOMEN_TARGET, StatsFilter, overview
from store.models import Municipality, Track, User
from workflows.domain import Phase, Role, TargetGroup

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[User, Depends(page_for(Role.SUPERVISOR))]
FEWER_THAN_5 = N_("fewer than 5")
ALL_TRACKS = N_("All tracks")
TARGET = N_("Target %(share)s")
DAYS = N_("%(days)s days")


@dataclass
class Choice:
    """The filter as the reader wrote it (to fill the form again) and as the figures read it."""

    municipality: str = ""
    track: str = ""
    from_: str = ""
    to: str = ""
    target_group: str = ""
    errors: FormErrors = field(default_factory=FormErrors)

    def query(self) -> str:
        pairs = [("municipality", self.municipality), ("track", self.track), ("from", self.from_),
                 ("to", self.to), ("target_group", self.target_group)]
        return urlencode([(k, v) for k, v in pairs if v])


def _date(choice: Choice, name: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        choice.errors.add(name, N_("Write the date as YYYY-MM-DD"))
        return None


def read_choice(request: Request, user: User) -> tuple[Choice, StatsFilter]:
    q = request.query_params
    choice = Choice(q.get("municipality", ""), q.get("track", ""), q.get("from", ""), q.get("to", ""),
                    q.get("target_group", ""))
    if choice.municipality and not (re.fullmatch(r"\d{4}", choice.municipality)
                                    and sees_municipality(user, choice.municipality)):
        choice.errors.add("municipality", N_("Choose a municipality in your organisation"))
    period_from, period_to = _date(choice, "from", choice.from_), _date(choice, "to", choice.to)
    if period_from and period_to and period_to < period_from:
        choice.errors.add("to", N_("The end of the period must not be before its start"))
    group = choice.target_group if choice.target_group in set(TargetGroup) else None
    if choice.target_group and group is None:
        choice.errors.add("target_group", N_("Choose a target group from the list"))
    return choice, StatsFilter(
        municipalities_in_scope(user), choice.municipality or None, choice.track or None, period_from, period_to,
        TargetGroup(group) if group else None,
    )


def _writer(language: Language, share: bool) -> Any:
    formats = Formats(language)

    def write(value: Any) -> str:
        if is_suppressed(value):
            return gettext(language, FEWER_THAN_5)
        if value is None:
            return "–"
        return formats.percent(value) if share else formats.number(value)

    return write


def charts(f: dict[str, Any], language: Language, track_names: dict[str, str]) -> dict[str, BarChart]:
    """The four pictures: the phase funnel, outcomes and women's share per track against their
    targets, and the time in programme."""
    shares, counts = _writer(language, share=True), _writer(language, share=False)
    everyone = gettext(language, ALL_TRACKS)
    per_track = [(track_names.get(t, t), x) for t, x in f["by_track"].items()]
    target = Formats(language).percent
    return {
        "funnel": bar_chart([(term(language, "phase", p.value), f["cases_by_phase"][p.value]) for p in Phase],
                            counts),
        "outcomes": bar_chart(
            [(everyone, f["outcome_90d"]["share"])] + [(n, x["outcome_90d"]["share"]) for n, x in per_track],
            shares, scale_max=1, target=OUTCOME_TARGET,
            target_text=gettext(language, TARGET, share=target(OUTCOME_TARGET))),
        "women": bar_chart(
            [(everyone, f["women_share_in_tracks"]["share"])]
            + [(n, x["women_share_in_tracks"]["share"]) for n, x in per_track],
            shares, scale_max=1, target=WOMEN_TARGET,
            target_text=gettext(language, TARGET, share=target(WOMEN_TARGET))),
        "time": bar_chart(
            [(gettext(language, DAYS, days=d.replace("-", "–")), n)
             for d, n in f["time_in_programme"]["distribution"].items()], counts),
    }


def _targets(language: Language) -> dict[str, str]:
    return {"outcome": Formats(language).percent(OUTCOME_TARGET), "women": Formats(language).percent(WOMEN_TARGET)}


def _choices(session: Session, user: User) -> tuple[dict[str, str], dict[str, str]]:
    scope = municipalities_in_scope(user)
    query = select(Municipality).order_by(col(Municipality.name))
    if scope is not None:
        query = query.where(col(Municipality.code).in_(scope))
    municipalities = {m.code: m.name for m in session.exec(query)}
    tracks = {t.track_id: t.name for t in session.exec(select(Track).order_by(col(Track.name)))
              if scope is None or set(t.municipalities) & set(scope)}
    return municipalities, tracks


@router.get("/dashboard")
def dashboard_page(request: Request, pages: PagesDep, user: Supervisor, session: SessionDep) -> Response:
    choice, stats_filter = read_choice(request, user)
    municipalities, tracks = _choices(session, user)
    if choice.errors:
        return pages.render(request, "dashboard.html", status_code=422, choice=choice, figures=None,
                            pictures={}, track_rows=[], targets=_targets(language_of(request)),
                            municipalities=municipalities, tracks=tracks)
    figures = overview(session, stats_filter)
    return pages.render(
        request, "dashboard.html", choice=choice, figures=figures,
        pictures=charts(figures, language_of(request), tracks),
        track_rows=[(tracks.get(t, t), x) for t, x in figures["by_track"].items()],
        targets=_targets(language_of(request)),
        municipalities=municipalities, tracks=tracks,
    )


@router.get("/dashboard.csv")
def dashboard_csv(request: Request, user: Supervisor, session: SessionDep) -> Response:
    """The figures on the page, as the API's CSV."""
    choice, stats_filter = read_choice(request, user)
    if choice.errors:
        return PlainTextResponse("\n".join(f"{e.field}: {e.message}" for e in choice.errors), status_code=422)
    return overview_csv_answer(overview(session, stats_filter))
