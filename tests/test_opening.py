"""Opening a case in one round trip: the answer is the case's first state as its workflow holds
it, and an opening whose start gets no answer neither loses its reservation nor keeps it for
ever. On SQLite and PostgreSQL."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from core.secrets import person_key_secret
from services import cases
from services.cases import CaseCreate
from services.errors import Conflict, Unavailable
from services.journeys import query_state, workflow_id
from store.cases import person_key
from store.db import session_scope
from store.models import CaseSummary, OpenPerson
from store.users import get_user
from tests.stack import Stack, case_body, eventually, free_port
from workflows.case import CaseView
from workflows.effects import GENDER, NEXT_DUE_AT, OVERDUE, PHASE
from workflows.journey import EVERY_PATCH_BEFORE


async def test_the_opening_answers_with_the_state_the_workflow_holds(stack: Stack) -> None:
    opened = await stack.open_case()
    # The journey's own answer, once it has run its first task (the read answers from the
    # view the opening kept: store/live_view.py).
    held = await query_state(stack.temporal, opened["case_id"])
    assert held is not None and TypeAdapter(CaseView).dump_python(held, mode="json") == opened
    assert await stack.get("handlaggare", f"/api/v1/cases/{opened['case_id']}") == opened


async def test_the_journeys_first_task_writes_nothing_the_opening_wrote(stack: Stack) -> None:
    """The API writes the first row and the search attributes with the start: the journey's
    first task schedules no projection and upserts none of the case's search attributes, and
    the case is found all the same; its next change is projected as before. It records one patch
    marker, which stands for every patch before it (workflows/journey.py), not one per patch."""
    opened = await stack.open_case()
    handle = stack.temporal.get_workflow_handle(workflow_id(opened["case_id"]))

    async def first_task_done() -> list[HistoryEvent]:
        events = list((await handle.fetch_history()).events)
        assert EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED in {e.event_type for e in events}
        return events

    events = await eventually(first_task_done)
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in {e.event_type for e in events}
    upserted = {
        name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
        for name in e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
    }
    assert upserted <= {"TemporalChangeVersion"}  # the SDK's record of the patches, none of the case's
    markers = [e.marker_recorded_event_attributes for e in events if e.HasField("marker_recorded_event_attributes")]
    patches = [json.loads(m.details["patch-data"].payloads[0].data)["id"] for m in markers]
    assert patches == [EVERY_PATCH_BEFORE]
    found = (await handle.describe()).typed_search_attributes
    assert found.get(PHASE) == "introduction" and found.get(GENDER) == opened["gender"]
    assert found.get(NEXT_DUE_AT) is not None and found.get(OVERDUE) is False
    listed = await stack.get("handlaggare", "/api/v1/cases", phase="introduction", limit=200)
    assert opened["case_id"] in {c["case_id"] for c in listed["items"]}
    await stack.act("handlaggare", opened["case_id"], "complete-introduction", {})

    async def projected() -> None:
        listed = await stack.get("handlaggare", "/api/v1/cases", phase="preparatory", limit=200)
        assert opened["case_id"] in {c["case_id"] for c in listed["items"]}

    await eventually(projected)


async def test_two_openings_at_once_for_one_person_open_one_case(stack: Stack) -> None:
    body = case_body()
    headers = await stack.headers("handlaggare")
    answers = await asyncio.gather(*(stack.api.post("/api/v1/cases", json=body, headers=headers) for _ in range(4)))
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]


async def test_an_unanswered_opening_holds_the_person_until_temporal_says_nothing_began(stack: Stack) -> None:
    url = stack.settings.database_url
    body = CaseCreate.model_validate(case_body())
    # Nothing listens there; the stack's codec (its per-case keys) as the app's client has.
    gone = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True, data_converter=stack.temporal.data_converter)
    with session_scope(url) as session:
        user = get_user(session, "handlaggare")
        assert user is not None
        with pytest.raises(Unavailable):
            await cases.open_case(session, stack.settings, gone, user, body)
        # The start may have reached Temporal: the person stays reserved, the row stays.
        key = person_key(person_key_secret(stack.settings), body.personal_number)
        held = session.get(OpenPerson, key)
        assert held is not None and session.get(CaseSummary, held.case_id) is not None
        unsettled_case = held.case_id
        session.expunge_all()
        with pytest.raises(Conflict):
            await cases.open_case(session, stack.settings, stack.temporal, user, body)
        # Once it is old enough, Temporal (answering again) is asked: no journey began, so a
        # new opening releases it and opens the case.
        unsettled = session.get(CaseSummary, unsettled_case)
        assert unsettled is not None
        unsettled.opened_at = datetime.now(UTC) - cases.UNSETTLED_OPENING - timedelta(seconds=1)
        session.add(unsettled)
        session.commit()
        view = await cases.open_case(session, stack.settings, stack.temporal, user, body)
    assert view.phase == "introduction" and view.case_id != unsettled_case
    assert (await stack.get("handlaggare", f"/api/v1/cases/{view.case_id}"))["case_id"] == view.case_id


async def test_an_old_open_case_is_kept_whether_or_not_temporal_answers(stack: Stack) -> None:
    """A second opening for a person whose case opened long ago asks Temporal whether that
    journey began (the row alone cannot tell): it did, so the answer is a conflict; and when
    Temporal cannot say, the case is kept all the same."""
    body = CaseCreate.model_validate(case_body())
    opened = await stack.open_case(personal_number=body.personal_number)
    gone = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True, data_converter=stack.temporal.data_converter)
    with session_scope(stack.settings.database_url) as session:
        row = session.get(CaseSummary, opened["case_id"])
        assert row is not None
        row.opened_at = datetime.now(UTC) - cases.UNSETTLED_OPENING - timedelta(seconds=1)
        session.add(row)
        session.commit()
        user = get_user(session, "handlaggare")
        assert user is not None
        session.expunge_all()
        for client in (stack.temporal, gone):
            with pytest.raises(Conflict):
                await cases.open_case(session, stack.settings, client, user, body)
            session.expunge_all()
    assert (await stack.get("handlaggare", f"/api/v1/cases/{opened['case_id']}"))["phase"] == "introduction"
