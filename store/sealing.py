"""Personal fields of the read model sealed with the case's data key: names, birth date and the
case's view are ciphertext in the database; what the figures and filters need
(age group, gender, municipality, phase, dates, target groups) stays in clear."""

import base64
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from core.keyring import seal, unseal
from store.case_keys import CaseErased, CaseKeys
from store.models import CaseSummary

PERSONAL_FIELDS = ("given_name", "family_name", "birth_date")


@dataclass(frozen=True)
class Personal:
    given_name: str
    family_name: str
    birth_date: date | None
    erased: bool = False


ERASED = Personal("", "", None, erased=True)


def _associated(case_id: str, what: str) -> bytes:
    return f"case-summary\x00{case_id}\x00{what}".encode()


def seal_value(key: bytes, case_id: str, what: str, value: Any) -> str:
    return seal_json(key, case_id, what, json.dumps(value, default=str, separators=(",", ":")).encode())


def seal_json(key: bytes, case_id: str, what: str, data: bytes) -> str:
    """JSON text already serialised, sealed as `seal_value` seals a value."""
    return base64.b64encode(seal(key, data, _associated(case_id, what))).decode()


def open_sealed(key: bytes, case_id: str, what: str, token: str) -> bytes:
    """The JSON text sealed by `seal_value`."""
    return unseal(key, base64.b64decode(token), _associated(case_id, what))


def _open(key: bytes, case_id: str, what: str, token: str) -> Any:
    return json.loads(open_sealed(key, case_id, what, token))


def sealed_values(keys: CaseKeys, values: dict[str, Any], session: Session) -> dict[str, Any]:
    """A summary's column values with the personal ones sealed and their clear columns emptied
    (a case without a key gets one in `session`'s transaction)."""
    return sealed_with(keys.key(values["case_id"], session), values)


def sealed_with(key: bytes, values: dict[str, Any]) -> dict[str, Any]:
    """`sealed_values` with the case's data key at hand."""
    case_id = values["case_id"]
    out = dict(values)
    personal = {name: out.pop(name) for name in PERSONAL_FIELDS if name in out}
    if personal:
        out["personal"] = seal_value(key, case_id, "personal", personal)
        out |= {name: None for name in PERSONAL_FIELDS}
    if "view" in out:
        view = out.pop("view")
        out["view"] = {}
        if view:
            out["sealed_view"] = seal_value(key, case_id, "view", view)
    return out


def personal_of(keys: CaseKeys, row: CaseSummary) -> Personal:
    """The row's names and birth date for those allowed to see them; ERASED after erasure."""
    if row.personal is None:  # a row from before sealing that prestart has not reached yet
        return Personal(row.given_name or "", row.family_name or "", row.birth_date)
    try:
        opened = _open(keys.key(row.case_id), row.case_id, "personal", row.personal)
    except CaseErased:
        return ERASED
    born = opened.get("birth_date")
    return Personal(opened["given_name"], opened["family_name"], date.fromisoformat(born) if born else None)


def initials_of(keys: CaseKeys, row: CaseSummary) -> str:
    """The participant's initials for a list ("–" once the case is erased)."""
    from workflows.initials import initials

    personal = personal_of(keys, row)
    return "–" if personal.erased else initials(personal.given_name, personal.family_name)


def stored_view_of(keys: CaseKeys, row: CaseSummary) -> dict[str, Any]:
    """The case's stored view: the last kept (store/live_view.py), a closed case's final one
    (CaseErased after erasure; empty when none was kept)."""
    if row.sealed_view is None:
        return row.view
    view: dict[str, Any] = _open(keys.key(row.case_id), row.case_id, "view", row.sealed_view)
    return view


def seal_clear_rows(keys: CaseKeys, session: Session) -> int:
    """Seal the rows written before sealing came in (prestart runs it); how many."""
    done = 0
    for row in session.query(CaseSummary).filter(CaseSummary.personal.is_(None)).all():  # type: ignore[union-attr]
        values = {name: getattr(row, name) for name in (*PERSONAL_FIELDS, "case_id", "view")}
        for name, value in sealed_values(keys, values, session).items():
            setattr(row, name, value)
        session.add(row)
        done += 1
    session.commit()
    return done
