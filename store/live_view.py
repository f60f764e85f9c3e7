"""A case's live view in the read model, sealed with its data key, and the state version it is
of. A read answers from it, without asking the workflow, while it is as new as the row: the
row's version is the journey's last projected one, and the view is written by every action's
answer (services/live_views.py, just after the answer), by the opening and by a read that had
to ask the journey.

So a read is as fresh as the read model: a change the journey makes by itself (a clock, a
track's answer) reaches it with that change's projection, a few milliseconds later; an action
reaches it with its own write, which a read in the same process waits for."""

from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import bindparam, or_, update
from sqlmodel import Session, col

from store.case_keys import CaseKeys
from store.models import CaseSummary
from store.sealing import open_sealed, seal_json
from workflows.case import CaseView

_views = TypeAdapter(CaseView)


def view_values(view: CaseView) -> dict[str, Any]:
    """The view's column values for a row written with it (the opening's first row)."""
    return {"view": _views.dump_python(view, mode="json"), "view_version": view.version}


# Built once, a statement and not the ORM's bulk update: every action's answer is kept with it.
# Run on the session's connection, it is plain SQL (no ORM bookkeeping), as store.cases' writes.
_KEEP_VIEW = (
    update(CaseSummary)
    .where(col(CaseSummary.case_id) == bindparam("b_case_id"))
    .where(or_(col(CaseSummary.view_version).is_(None), col(CaseSummary.view_version) < bindparam("b_version")))
    .values(sealed_view=bindparam("b_sealed"), view_version=bindparam("b_version"))
)


def store_view(session: Session, keys: CaseKeys, view: CaseView) -> bool:
    """Keep `view` as its case's live view unless a newer one is kept; True when written.

    Its commit need not be flushed to disk before anyone goes on (a session on
    `store.db.unflushed_engine`): a view lost in a crash leaves the row's version ahead of the
    kept view's (or equal to an older state's, which the journey's projection, durable,
    overtakes), and the read asks the journey instead."""
    sealed = seal_json(keys.key(view.case_id), view.case_id, "view", _views.dump_json(view))
    connection = session.connection()
    result = connection.execute(_KEEP_VIEW, {"b_case_id": view.case_id, "b_version": view.version, "b_sealed": sealed})
    session.commit()
    return bool(result.rowcount)


def current_view(keys: CaseKeys, row: CaseSummary, at_least: int = 0) -> CaseView | None:
    """The row's live view when it is as new as the row and of version `at_least` or later (the
    version an action answered, in whichever web process); None: ask the journey."""
    if row.sealed_view is None or row.view_version is None or row.view_version < max(row.version, at_least):
        return None
    return _views.validate_json(open_sealed(keys.key(row.case_id), row.case_id, "view", row.sealed_view))
