"""The registry of history exports: which SHA-256 this service gave out, for which case, to whom."""

from datetime import datetime

from sqlmodel import Session

from store.models import HistoryExport


def record_export(
    session: Session, *, sha256: str, case_id: str, exported_by: str, exported_at: datetime, runs: int, events: int
) -> None:
    if session.get(HistoryExport, sha256) is None:
        export = HistoryExport(
            sha256=sha256, case_id=case_id, exported_by=exported_by, exported_at=exported_at, runs=runs, events=events
        )
        session.add(export)
        session.commit()


def issued_export(session: Session, sha256: str) -> HistoryExport | None:
    return session.get(HistoryExport, sha256)
