"""Rebuild the case read model from Temporal alone: list every journey (open and closed, by
visibility) and write what each one's state says, as the projection would, with the view a read answers
from.

A closed journey answers the query too (Temporal replays its history on a worker), as long
as the namespace retains it; a case past retention keeps its row and stored view, and an
erased case keeps its pseudonymous row (its history no longer decodes: nothing to rebuild from).

    python -m services.rebuild        # or: make rebuild
"""

import asyncio
from dataclasses import dataclass

import structlog
from temporalio.client import Client

from core.codec import case_of
from core.settings import Settings, get_settings
from services.journeys import query_state
from services.live_views import write_view
from services.temporal import case_keys, connect
from store.case_keys import CaseKeys
from store.db import engine_for, session_scope
from store.projection import write_snapshot
from workflows.effects import SNAPSHOT_QUERY, CaseSnapshot

log = structlog.get_logger()


def journeys_on(task_queue: str) -> str:
    """The visibility query of this service's journeys (a server may host other services)."""
    return f'WorkflowType = "Journey" AND TaskQueue = "{task_queue}"'


@dataclass
class Rebuilt:
    cases: int = 0
    written: int = 0
    erased: int = 0  # skipped: their key is destroyed


async def rebuild(client: Client, database_url: str, keys: CaseKeys, query: str) -> Rebuilt:
    done = Rebuilt()
    seen: set[str] = set()
    erased = set(await asyncio.to_thread(keys.erased_cases))
    async for execution in client.list_workflows(query):
        if execution.id in seen:  # continued-as-new: the latest run speaks for the case
            continue
        seen.add(execution.id)
        case_id = case_of(execution.id)
        if case_id is None:  # not a journey's id
            continue
        if case_id in erased:
            done.erased += 1
            continue
        snapshot = await client.get_workflow_handle(execution.id).query(SNAPSHOT_QUERY, result_type=CaseSnapshot)
        view = await query_state(client, case_id)
        with session_scope(database_url) as session:
            done.written += write_snapshot(session, keys, snapshot)
        if view is not None:  # the view the reads answer from (store/live_view.py)
            write_view(engine_for(database_url), keys, view)
        done.cases += 1
    log.info("read_model_rebuilt", cases=done.cases, written=done.written, erased=done.erased)
    return done


async def main(settings: Settings) -> None:
    client = await connect(settings)
    keys = case_keys(settings)
    result = await rebuild(client, settings.resolved_database_url, keys, journeys_on(settings.task_queue))
    print(f"{result.cases} cases read from Temporal, {result.written} rows written")


if __name__ == "__main__":
    asyncio.run(main(get_settings()))
