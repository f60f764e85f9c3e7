"""The read model's guarantees, on SQLite and PostgreSQL: never backwards, one open case per
person, filters; and time policies from a policy file."""

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from core.secrets import key_ring
from core.settings import Settings
from store.case_keys import CaseKeys, case_keys_for
from store.cases import CaseFilter, PersonHasOpenCase, apply_summary, list_cases, reserve_case
from store.db import engine_for, session_scope
from store.migrate import upgrade
from store.models import CaseSummary, Task
from store.policies import policy_for
from store.sealing import ERASED, personal_of, stored_view_of
from store.seed import seed
from store.tasks import sync_case_tasks
from tests.stack import DATABASES, TEST_PAYLOAD_KEY
from workflows.domain import Audience, TaskKind
from workflows.effects import TaskSpec


@pytest.fixture(scope="module")
def store_postgres(postgres_databases: Callable[[], str]) -> str:
    """A PostgreSQL database of this module's own: the session's (`postgres_url`) is the PostgreSQL
    stack's, whose start refuses a database holding cases sealed with keys it does not have."""
    url = postgres_databases()
    upgrade(url)
    return url


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("store_postgres")  # type: ignore[no-any-return]
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    return url


@pytest.fixture
def keys(db_url: str) -> CaseKeys:
    return case_keys_for(db_url, key_ring(Settings(payload_key=TEST_PAYLOAD_KEY, _env_file=None)))  # type: ignore[call-arg]


def summary(case_id: str, version: int, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "case_id": case_id,
        "version": version,
        "phase": "introduction",
        "status": "active",
        "municipality": "0581",
        "responsible_worker": "handlaggare",
        "given_name": "A",
        "family_name": "B",
        "gender": "woman",
        "birth_date": date(1990, 1, 1),
        "opened_at": datetime.now(UTC),
        "view": {},
    }
    return base | values


def test_a_late_write_never_moves_a_case_backwards(db_url: str, keys: CaseKeys) -> None:
    cid = secrets.token_hex(8)
    with session_scope(db_url) as s:
        assert apply_summary(s, keys, summary(cid, 5, phase="exited"))
        s.commit()
    with session_scope(db_url) as s:
        assert not apply_summary(s, keys, summary(cid, 3, phase="preparatory"))  # a retried, older write
        assert not apply_summary(s, keys, summary(cid, 5, phase="preparatory"))  # the same version again
        s.commit()
    with session_scope(db_url) as s:
        row = s.get(CaseSummary, cid)
        assert row is not None and (row.version, row.phase) == (5, "exited")


def test_a_write_that_raced_a_newer_one_never_moves_a_case_backwards(db_url: str, keys: CaseKeys) -> None:
    """Two projections of one case at once: the older one read version 5, then the newer one
    wrote 7 before the older one's write reached the database."""
    cid = secrets.token_hex(8)
    with session_scope(db_url) as s:
        assert apply_summary(s, keys, summary(cid, 5, phase="introduction"))
        s.commit()

    raced: list[int] = []

    def newer_first(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if not raced and statement.lstrip().upper().startswith("UPDATE CASE_SUMMARY"):
            raced.append(7)
            with session_scope(db_url) as other:
                assert apply_summary(other, keys, summary(cid, 7, phase="exited"))
                other.commit()

    event.listen(engine_for(db_url), "before_cursor_execute", newer_first)
    try:
        with session_scope(db_url) as s:
            assert not apply_summary(s, keys, summary(cid, 6, phase="preparatory"))
            s.commit()
    finally:
        event.remove(engine_for(db_url), "before_cursor_execute", newer_first)
    assert raced == [7]
    with session_scope(db_url) as s:
        row = s.get(CaseSummary, cid)
        assert row is not None and (row.version, row.phase) == (7, "exited")


def test_one_open_case_per_person(db_url: str, keys: CaseKeys) -> None:
    person = secrets.token_hex(16)
    with session_scope(db_url) as s:
        reserve_case(s, keys, person=person, values=summary(secrets.token_hex(8), 0))
    with session_scope(db_url) as s, pytest.raises(PersonHasOpenCase):
        reserve_case(s, keys, person=person, values=summary(secrets.token_hex(8), 0))


def test_the_key_of_a_refused_reservation_is_never_the_cases_key(db_url: str, keys: CaseKeys) -> None:
    """A reservation's new data key is kept in memory only once its transaction commits: a key
    made in one that rolled back would encrypt payloads no other process could open."""
    person, case_id = secrets.token_hex(16), secrets.token_hex(8)
    with session_scope(db_url) as s:
        reserve_case(s, keys, person=person, values=summary(secrets.token_hex(8), 0))
    with session_scope(db_url) as s:
        with pytest.raises(PersonHasOpenCase):  # a key for case_id made, then rolled back
            reserve_case(s, keys, person=person, values=summary(case_id, 0))
        reserve_case(s, keys, person=secrets.token_hex(16), values=summary(case_id, 0))
    fresh = CaseKeys(db_url, keys.ring)  # another process: the database's key, nothing cached
    assert keys.key(case_id) == fresh.key(case_id)


def test_names_birth_date_and_view_are_sealed_and_erasure_leaves_the_figures(db_url: str, keys: CaseKeys) -> None:
    cid = secrets.token_hex(8)
    closed = summary(cid, 7, given_name="Amal", family_name="Hassansson", status="closed", phase="closed",
                     age_group="25+", view={"note": "Hassansson sjukskriven"})
    with session_scope(db_url) as s:
        assert apply_summary(s, keys, closed)
        s.commit()
    with session_scope(db_url) as s:
        row = s.get(CaseSummary, cid)
        assert row is not None
        stored = " ".join(str(v) for v in row.model_dump().values())
        assert "Hassansson" not in stored and "1990-01-01" not in stored and row.birth_date is None
        assert personal_of(keys, row) == type(ERASED)("Amal", "Hassansson", date(1990, 1, 1))
        assert stored_view_of(keys, row) == {"note": "Hassansson sjukskriven"}
        figures = (row.municipality, row.gender, row.age_group, row.phase, row.status, row.opened_at)
    keys.erase(cid)
    with session_scope(db_url) as s:
        row = s.get(CaseSummary, cid)
        assert row is not None and personal_of(keys, row) is ERASED
        assert (row.municipality, row.gender, row.age_group, row.phase, row.status, row.opened_at) == figures
        assert not apply_summary(s, keys, closed | {"version": 8})  # nothing more is written for it


def test_a_cases_tasks_follow_its_open_tasks_closed_changed_and_opened_again(db_url: str) -> None:
    cid = secrets.token_hex(8)
    due = datetime.now(UTC) + timedelta(days=3)

    def spec(name: str, days: int = 0, overdue: bool = False) -> TaskSpec:
        kind = TaskKind.FOLLOW_UP_DUE
        return TaskSpec(f"{cid}:{name}", kind, name, due + timedelta(days=days), Audience.RESPONSIBLE, overdue)

    def synced(*specs: TaskSpec, worker: str = "handlaggare") -> dict[str, tuple[Any, ...]]:
        with session_scope(db_url) as s:
            sync_case_tasks(s, case_id=cid, municipality="0581", responsible_worker=worker, open_tasks=list(specs))
            s.commit()
            tasks = s.exec(select(Task).where(Task.case_id == cid)).all()
        return {t.about: (t.status, t.assignee, t.due_at, t.overdue, t.closed_at is not None) for t in tasks}

    assert synced(spec("a"), spec("b")) == {
        "a": ("open", "handlaggare", due, False, False),
        "b": ("open", "handlaggare", due, False, False),
    }
    # b is no longer open: done, with the time; a moved, overdue, and its holder changed.
    after = synced(spec("a", days=1, overdue=True), worker="annan")
    assert after["a"] == ("open", "annan", due + timedelta(days=1), True, False)
    assert after["b"][0] == "done" and after["b"][4]
    # b open again: the same task, open, no longer closed.
    again = synced(spec("a", days=1, overdue=True), spec("b"), worker="annan")
    assert again["b"] == ("open", "annan", due, False, False) and len(again) == 2


def test_filters_and_soonest_due_first(db_url: str, keys: CaseKeys) -> None:
    municipality = f"{secrets.randbelow(9000) + 1000}"
    now = datetime.now(UTC)
    rows = [
        summary("late-" + municipality, 1, municipality=municipality, next_due_at=now + timedelta(days=9)),
        summary(
            "soon-" + municipality,
            1,
            municipality=municipality,
            next_due_at=now + timedelta(days=1),
            overdue=True,
            track_id="t1",
            phase="track",
        ),
        summary("none-" + municipality, 1, municipality=municipality, next_due_at=None),
    ]
    with session_scope(db_url) as s:
        for r in rows:
            apply_summary(s, keys, r)
        s.commit()
        everything, total = list_cases(s, CaseFilter(municipalities=[municipality]), limit=10, offset=0)
        assert [c.case_id.split("-")[0] for c in everything] == ["soon", "late", "none"] and total == 3
        overdue, _ = list_cases(s, CaseFilter(municipality=municipality, overdue=True), limit=10, offset=0)
        on_track, _ = list_cases(
            s, CaseFilter(municipality=municipality, track="t1", phase="track"), limit=10, offset=0
        )
        assert [c.case_id for c in overdue] == [c.case_id for c in on_track] == ["soon-" + municipality]
        page, total = list_cases(s, CaseFilter(municipality=municipality), limit=1, offset=1)
        assert [c.case_id for c in page] == ["late-" + municipality] and total == 3


def test_policy_file_sets_defaults_and_local_rules(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'policy.db'}"
    upgrade(url)
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text('[default]\nfollow_up_interval = "P21D"\n\n["0880"]\nintroduction = "P7D"\n')
    settings = Settings(data_dir=tmp_path, policy_file=policy_file, admin_password="admin-test-pw", _env_file=None)  # type: ignore[call-arg]
    with session_scope(url) as s:
        seed(s, settings)
        kalmar, grastorp = policy_for(s, "0880"), policy_for(s, "1444")
    assert kalmar.introduction == timedelta(days=7) and kalmar.follow_up_interval == timedelta(days=21)
    assert grastorp.introduction_new_to_sfi == timedelta(days=28) and grastorp.follow_up_interval == timedelta(days=21)
    assert kalmar.outcome_check_after == timedelta(days=90)
