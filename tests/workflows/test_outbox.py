"""What a case owes the outside world, from its state alone: tasks, notices, the read model's row."""

from dataclasses import fields

from store.models import CaseSummary
from tests.workflows.cases import AF_WORKER, NOW, new_case
from workflows import outbox
from workflows.actions import Action
from workflows.domain import Application, ApplicationStatus, Audience, TaskKind
from workflows.effects import CaseRow
from workflows.process import tell_partner


def test_the_row_is_exactly_the_read_models_columns() -> None:
    columns = {c.name for c in CaseSummary.__table__.columns}  # type: ignore[attr-defined]
    # The store's own: the update time, the personal fields sealed with the case's key, and the
    # kept view with its version (store/live_view.py).
    own = {"view", "updated_at", "personal", "sealed_view", "view_version"}
    assert columns == {f.name for f in fields(CaseRow)} | own


def test_the_row_is_taken_from_the_view() -> None:
    state = new_case(newly_arrived=True, social_assistance=True)
    snapshot = outbox.snapshot(state, NOW)
    assert (snapshot.phase, snapshot.age_group, snapshot.newly_arrived, snapshot.social_assistance) == (
        "introduction", "25+", True, True)
    assert snapshot.programme_ends_on is not None and snapshot.final_view is None


def test_a_new_applicant_is_a_task_for_the_track_lead_while_it_waits_or_is_offered() -> None:
    state = new_case()
    for status, listed in ((ApplicationStatus.WAITING, True), (ApplicationStatus.OFFERED, True),
                           (ApplicationStatus.ADMITTED, False), (ApplicationStatus.DECLINED, False)):
        state.application = Application("industri", status, NOW, number=2)
        tasks = [t for t in outbox.open_tasks(state) if t.kind is TaskKind.NEW_APPLICANT]
        assert bool(tasks) is listed
        if tasks:
            assert (tasks[0].audience, tasks[0].about) == (Audience.TRACK_LEAD, "industri")


def test_a_partner_notice_is_a_task_and_a_mail_once() -> None:
    state = new_case()
    before = list(state.partner_notices)
    tell_partner(state, Action.WITHDRAW, AF_WORKER, NOW)
    [mail] = outbox.partner_notices_made(state, before)
    assert (mail.audience, mail.organisation, mail.about) == (Audience.PARTNER, "0581", "withdraw")
    assert outbox.partner_notices_made(state, list(state.partner_notices)) == []
    [task] = [t for t in outbox.open_tasks(state) if t.kind is TaskKind.PARTNER_NOTICE]
    assert task.key == mail.key and task.organisation == "0581"


def test_search_attributes_are_set_only_when_they_change() -> None:
    state, known = new_case(), {}
    now = state.opened_at
    assert len(outbox.search_attribute_updates(known, state, now)) == 7  # the first pass sets (or unsets) each
    assert outbox.search_attribute_updates(known, state, now) == []
    assert known["Gender"] == state.participant.gender.value
    assert isinstance(known["TargetGroups"], list)
    before = {}
    assert len(outbox.search_attribute_updates(before, state, now, with_groups=False)) == 5
    assert "Gender" not in before
