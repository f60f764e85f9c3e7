"""Cases, once for every face: who may see one, who may be responsible for one, opening one
(the referral) and reading one (written to the access log)."""

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, ValidationInfo, field_validator
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError

from core.secrets import person_key_secret
from core.settings import Settings
from core.words import N_
from services import live_views
from services.access_log import OPEN_CASE_PROBE, record_case_read, record_reads
from services.errors import Conflict, Erased, Forbidden, InvalidFields, NotFound, Unavailable
from services.journeys import journey_exists, query_state, start_journey
from services.person_name import PersonName
from services.protected_identity import view_for
from services.scope import CASE_ACTORS, actor_of, acts_on, reads_case, sees_municipality
from services.temporal import keys_of
from store.cases import (
    PersonHasOpenCase,
    forget_case,
    open_case_of,
    person_key,
    reserve_case,
    summary_alone,
    summary_and_erasure,
    unstarted_reservation,
)
from store.db import reads_only
from store.live_view import current_view, view_values
from store.models import CaseSummary, Municipality, User
from store.policies import policy_for
from store.sealing import stored_view_of
from store.users import get_user
from workflows.calendar import STOCKHOLM
from workflows.case import CaseView
from workflows.domain import (
    CaseOpening,
    EducationLevel,
    Gender,
    Industry,
    Mapping,
    Obstacle,
    Participant,
    SwedishLevel,
)
from workflows.outbox import kept_search_attributes
from workflows.personal_number import InvalidPersonalNumber, PersonalNumber, parse_personal_number
from workflows.phases import LATEST, initial_state
from workflows.views import row_of, view_of

_stored_view = TypeAdapter(CaseView)
# An opening whose start got no answer is settled after this long (a start's RPC deadline is
# far shorter, so a journey that has not appeared by then never will).
UNSETTLED_OPENING = timedelta(minutes=5)


def today() -> date:
    return datetime.now(STOCKHOLM).date()


def checked_personal_number(value: str) -> PersonalNumber:
    """The one check of a personal number, for the opening and for the form's as-you-type hint."""
    try:
        return parse_personal_number(value, today())
    except InvalidPersonalNumber as exc:
        raise ValueError(f"not a valid personal number: {exc}") from None


class CaseCreate(BaseModel):
    """Referral and initial mapping (remiss, första kartläggning)."""

    model_config = {"extra": "forbid"}
    personal_number: str = Field(description="personnummer or samordningsnummer, YYYYMMDD-NNNN")
    given_name: PersonName
    family_name: PersonName
    gender: Gender
    municipality: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    education_level: EducationLevel
    swedish_level: SwedishLevel
    experience: list[Industry] = Field(default_factory=list)
    consent_to_share: bool
    referral_purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    driving_licence: bool = False
    own_business_interest: bool = False
    obstacles: list[Obstacle] = Field(default_factory=list, description="categories only, never a diagnosis")
    newly_arrived: bool = False
    establishment_start: date | None = Field(default=None, description="the establishment programme's start")
    social_assistance: bool = Field(default=False, description="försörjningsstöd")
    disability: bool = False
    protected_identity: bool = Field(default=False, description="skyddade personuppgifter")
    responsible_worker: str | None = None
    note: str | None = None

    @field_validator("personal_number")
    @classmethod
    def _valid_personal_number(cls, value: str) -> str:
        return checked_personal_number(value).normalised

    @field_validator("consent_to_share")
    @classmethod
    def _consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError("consent to share information between the authorities is required")
        return value

    @field_validator("establishment_start")
    @classmethod
    def _for_the_newly_arrived(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and not info.data.get("newly_arrived"):
            raise ValueError("the establishment programme's start is for the newly arrived only")
        return value

    def mapping(self) -> Mapping:
        return Mapping(
            self.education_level,
            self.swedish_level,
            list(self.experience),
            self.consent_to_share,
            self.referral_purpose,
            self.driving_licence,
            self.own_business_interest,
            list(self.obstacles),
            self.newly_arrived,
            self.establishment_start,
            self.social_assistance,
            self.disability,
        )


def responsible_for(session: Session, user: User, requested: str | None, municipality: str) -> str:
    if requested is None:
        return user.username
    worker = get_user(session, requested)
    if worker is None or worker.role not in CASE_ACTORS or not sees_municipality(worker, municipality):
        # reason: a page says it with its values (core/i18n.py)
        not_theirs = N_("%(username)s is not a case worker for municipality %(municipality)s")
        message = not_theirs % {"username": requested, "municipality": municipality}
        raise InvalidFields.one("responsible_worker", message)
    return worker.username


def case_in_scope(session: Session, user: User, case_id: str, *, to_act: bool = False) -> CaseSummary:
    """The case's summary, to read (or `to_act` on); NotFound also when it exists outside the
    user's scope (services/scope.py), so existence does not leak."""
    return _in_scope(session, user, summary_alone(session, case_id), to_act=to_act)


def case_to_read(session: Session, user: User, case_id: str) -> tuple[CaseSummary, datetime | None]:
    """`case_in_scope` to read, with when the case was erased (None: it was not), in one query."""
    summary, erased_at = summary_and_erasure(session, case_id)
    return _in_scope(session, user, summary), erased_at


def _in_scope(session: Session, user: User, summary: CaseSummary | None, *, to_act: bool = False) -> CaseSummary:
    allowed = summary is not None and (acts_on(user, summary) if to_act else reads_case(session, user, summary))
    if summary is None or not allowed:
        raise NotFound("no such case")
    return summary


# The person-hash key once cases exist, per key file: from then on it never changes.
_settled_person_secrets: dict[tuple[str | None, Path], bytes] = {}


def person_secret(session: Session, settings: Settings) -> bytes:
    """The person-hash key; made only before the first case (a new key once cases exist would
    let a person open a second case: core.secrets.MissingSecret instead). Once a case exists it
    is read once per process, not on every opening."""
    where = (settings.person_key, settings.data_dir)
    settled = _settled_person_secrets.get(where)
    if settled is not None:
        return settled
    first = session.exec(select(CaseSummary.case_id).limit(1)).first() is None
    secret = person_key_secret(settings, may_create=first)
    if not first:
        _settled_person_secrets[where] = secret
    return secret


# The user, or how to find it inside the request's one thread hop (api.deps.Caller.user).
Who = User | Callable[[], User]


def resolved(who: Who) -> User:
    return who if isinstance(who, User) else who()


@dataclass
class Reservation:
    """An opening checked in the request's hop, and whether the person's one open case is now
    held for it (else the person already holds one, or an opening left unsettled)."""

    opening: CaseOpening
    now: datetime
    first: "FirstState"
    person: str
    opener: User
    held: bool


async def open_case(
    session: Session,
    settings: Settings,
    client: Client,
    user: Who,
    body: CaseCreate,
    *,
    via: str = "POST /api/v1/cases",
) -> CaseView:
    """Open a case at referral; Conflict when the person already has an open case (logged as a
    read of that case, through `via`). The checks and the reservation are one thread hop, before
    anything reaches Temporal."""
    number = parse_personal_number(body.personal_number, today())
    keys = keys_of(client)

    def checked_and_reserved() -> Reservation:
        opener = resolved(user)
        if opener in session:
            # A refused reservation rolls back, which would expire every row of the session; the
            # opener is still needed loaded (the log of the refusal, the answer, a page's header).
            session.expunge(opener)
        if session.get(Municipality, body.municipality) is None:
            # reason: a page says it with its values (core/i18n.py)
            unknown = N_("unknown municipality %(municipality)s")
            raise InvalidFields.one("municipality", unknown % {"municipality": body.municipality})
        if not sees_municipality(opener, body.municipality):
            # reason: a page says it with its values (core/i18n.py)
            outside = N_("municipality %(municipality)s is outside your scope")
            raise Forbidden(outside % {"municipality": body.municipality})
        opening = CaseOpening(
            case_id=secrets.token_hex(8),
            municipality=body.municipality,
            responsible_worker=responsible_for(session, opener, body.responsible_worker, body.municipality),
            participant=Participant(
                number.normalised,
                body.given_name,
                body.family_name,
                body.gender,
                number.birth_date,
                body.protected_identity,
            ),
            mapping=body.mapping(),
            policy=policy_for(session, body.municipality),
            opened_by=actor_of(opener),
            note=body.note,
        )
        now = datetime.now(UTC)
        first = first_state(opening, now)
        person = person_key(person_secret(session, settings), number.normalised)
        try:
            reserve_case(session, keys, person=person, values=first.row)
        except PersonHasOpenCase:
            return Reservation(opening, now, first, person, opener, held=False)
        finally:
            session.close()
        return Reservation(opening, now, first, person, opener, held=True)

    def reserved_again(r: Reservation) -> None:
        try:
            reserve_case(session, keys, person=r.person, values=r.first.row)
        except PersonHasOpenCase:
            # The answer tells the opener that the person has a case (maybe in another
            # municipality): that is a read of it, and the log says whose.
            existing = open_case_of(session, r.person)
            if existing is not None:
                record_reads(session, r.opener, [existing], via=via, purpose=OPEN_CASE_PROBE)
            raise Conflict("the person already has an open case") from None
        finally:
            session.close()

    r = await asyncio.to_thread(checked_and_reserved)
    if not r.held:
        await release_unstarted(session, client, r.person, settings.action_timeout)
        await asyncio.to_thread(reserved_again, r)
    await start_or_settle(session, client, r.opening, r.now, r.first, settings)
    return view_for(r.first.view, r.opener.username)


@dataclass(frozen=True)
class FirstState:
    """The case's first state as the workflow will hold it (same opening, same time, the latest
    process), made once: the read model's first row's values, its live view included (the
    journey's projection writes the next at its first change), and its view, the answer to the
    opening with no waiting for the workflow's first task; and its search attributes, set with
    the start (the journey's first task writes neither the row nor them again)."""

    row: dict[str, Any]
    view: CaseView
    searchable: list[tuple[SearchAttributeKey[Any], Any]]


def first_state(opening: CaseOpening, now: datetime) -> FirstState:
    state = initial_state(opening, now, LATEST)
    view = view_of(state, now)
    return FirstState(asdict(row_of(state, now)) | view_values(view), view, kept_search_attributes(state, now))


async def start_or_settle(
    session: Session, client: Client, opening: CaseOpening, now: datetime, first: FirstState, settings: Settings
) -> None:
    """Start the journey; when the start fails, settle the reservation by what Temporal says:
    no journey, the reservation goes (nothing was opened); a journey (the answer was lost), the
    case stands; no answer, the reservation stays — forgetting it could leave a journey without
    its row and its person free to be opened twice — and a later opening for the same person
    releases it once Temporal says no journey began (`release_unstarted`). Each call to Temporal
    waits at most `settings.action_timeout` seconds."""
    try:
        await start_journey(client, opening, now, first.searchable, settings.task_queue, settings.action_timeout)
    except Exception as failure:
        try:
            started = await journey_exists(client, opening.case_id, settings.action_timeout)
        except (RPCError, RuntimeError):  # RuntimeError: no connection to be had at all
            raise Unavailable("Temporal did not answer: the case may not have opened; try again later") from failure
        if not started:
            await asyncio.to_thread(forget_case, session, opening.case_id)
            raise


async def release_unstarted(session: Session, client: Client, person: str, timeout: float) -> None:
    """Release the person's reservation when it is an opening left unsettled (its start failed
    without an answer, see `start_or_settle`) and Temporal now says its journey never began."""
    case_id = await asyncio.to_thread(unstarted_reservation, session, person, older_than=UNSETTLED_OPENING)
    session.close()
    if case_id is None:
        return
    try:
        began = await journey_exists(client, case_id, timeout)
    except (RPCError, RuntimeError):  # Temporal cannot say: the reservation stays (a Conflict)
        return
    if not began:
        await asyncio.to_thread(forget_case, session, case_id)


async def read_case(
    session: Session,
    client: Client,
    user: Who,
    case_id: str,
    *,
    via: str = "GET /api/v1/cases/{case_id}",
    purpose: str = N_("read the case"),
    at_least: int = 0,
) -> CaseView:
    """The live state of a case: its kept view while that is current (store/live_view.py) and
    at least of version `at_least` (the version an action answered, in whichever web process),
    else from its workflow, else the last one stored. The read is written to the access log,
    with the face (`via`) and the default purpose it came by."""
    keys = keys_of(client)

    def in_scope_and_logged() -> tuple[User, CaseSummary, CaseView | None]:
        # One thread hop for the request's database work, the kept view opened in it when it
        # is current (store/live_view.py); no connection held while a workflow answers.
        try:
            reads_only(session)  # its one write, the read's access-log entry, is one statement
            reader = resolved(user)
            summary, erased_at = case_to_read(session, reader, case_id)
            record_case_read(session, reader, summary, via=via, purpose=purpose)
            if erased_at is not None:
                raise Erased(f"the case was erased on {erased_at:%Y-%m-%d}")
            return reader, summary, current_view(keys, summary, at_least)
        finally:
            session.close()

    def stored(summary: CaseSummary) -> CaseView:
        try:
            reads_only(session)
            row = session.get(CaseSummary, summary.case_id)
            assert row is not None
            view = stored_view_of(keys, row)
            if not view:  # an open case whose workflow is not found: Temporal's to answer, later
                raise Unavailable("the case's workflow did not answer; try again")
            return _stored_view.validate_python(view)
        finally:
            session.close()

    await live_views.settled(case_id)  # an action of this process: its answer is what is read
    reader, summary, state = await asyncio.to_thread(in_scope_and_logged)
    if state is None:  # the journey changed since its view was kept: asked, and its answer kept
        state = await query_state(client, case_id)
        if state is None:
            state = await asyncio.to_thread(stored, summary)
        else:
            live_views.keep(session, keys, state)
    return view_for(state, reader.username)
