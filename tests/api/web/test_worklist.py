"""The worklist's filters as the URL carries them: parsed, named when wrong, written back."""

from api.web.worklist import Who, WorklistQuery, parse_query
from store.models import User
from workflows.domain import Phase


def user(role: str) -> User:
    return User(username="u", password_hash="", role=role, organisation="0581", display_name="U")


def test_defaults_mine_for_case_workers_and_all_for_the_rest() -> None:
    assert parse_query({}, user("case_worker"), set())[0].who is Who.MINE
    assert parse_query({}, user("supervisor"), set())[0].who is Who.ALL


def test_filters_are_read_and_a_wrong_value_is_named_not_applied() -> None:
    query, errors = parse_query(
        {"who": "all", "phase": "track", "overdue": "true", "track": "t1", "page": "3"}, user("case_worker"), {"t1"}
    )
    assert query == WorklistQuery(Who.ALL, Phase.TRACK, True, "t1", 3) and not errors
    query, errors = parse_query(
        {"who": "everyone", "phase": "nope", "track": "other", "page": "-1"}, user("case_worker"), {"t1"}
    )
    assert query == WorklistQuery(Who.MINE) and [e.field for e in errors] == ["who", "phase", "track"]


def test_the_url_keeps_the_filters_and_leaves_out_the_defaults() -> None:
    query = WorklistQuery(Who.MINE, Phase.PREPARATORY, True, None, 1)
    assert query.url() == "/?who=mine&phase=preparatory&overdue=true"
    assert query.url(page=2) == "/?who=mine&phase=preparatory&overdue=true&page=2"
    assert query.url(phase=None, overdue=False) == "/?who=mine"
