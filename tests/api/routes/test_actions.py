"""The action routes: one row of the route table per action, each with its own OpenAPI text."""

from pathlib import Path

from api.main import create_app
from api.routes.actions import ACTION_ROUTES
from core.settings import Settings
from workflows.actions import Action


def test_one_route_per_action_in_the_contracts_order() -> None:
    assert [r.action for r in ACTION_ROUTES] == list(Action)
    assert all(r.path == f"/cases/{{case_id}}/actions/{r.action.value}" for r in ACTION_ROUTES)


def test_each_action_has_its_own_summary_and_description(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    spec = create_app(settings).openapi()
    summaries = set()
    for route in ACTION_ROUTES:
        operation = spec["paths"][f"/api/v1{route.path}"]["post"]
        assert operation["summary"] == route.summary and "(" in route.summary  # Swedish (English)
        assert operation["description"] == route.description and "contract" not in route.description
        summaries.add(operation["summary"])
    assert len(summaries) == len(ACTION_ROUTES)
