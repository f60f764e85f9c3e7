"""What a request holds — its stated purpose, the access journal, its database session — lasts
as long as the request: an in-process client runs the app in its caller's own context, and
whatever the request set there must be gone when the answer is (api/request_scope.py)."""

import pytest

from api.request_scope import request_session
from services.access_journal import current_journal
from services.access_log import stated_purpose
from tests.stack import Stack

W = "handlaggare"


async def test_a_request_leaves_nothing_in_its_callers_context(stack: Stack) -> None:
    case = await stack.open_case()
    headers = await stack.headers(W) | {"X-Purpose": "uppfoljning"}
    for path in (f"/api/v1/cases/{case['case_id']}", "/api/v1/cases/0000000000000000"):  # an answer, a refusal
        r = await stack.api.get(path, headers=headers)
        assert r.status_code in (200, 404), r.text
        assert stated_purpose.get() is None and current_journal.get() is None
        with pytest.raises(RuntimeError, match="no request"):
            request_session()
