"""A case's view as a route's JSON answer, serialised once by pydantic-core. Returned as it
is, FastAPI would validate the view anew (a copy of every timeline entry) before serialising
it: the routes declare `response_model=CaseView` for the schema and answer with this."""

from fastapi import Response
from pydantic import TypeAdapter

from workflows.case import CaseView

_views = TypeAdapter(CaseView)


def case_answer(view: CaseView, status_code: int = 200) -> Response:
    return Response(_views.dump_json(view), status_code=status_code, media_type="application/json")
