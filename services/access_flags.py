"""Which reads of a case the access-log review flags (`flag=outside_caseload|outside_hours`).

- Outside the caseload: the reader is neither the case's responsible worker nor one of the
  team of the case's municipality (a user of that municipality's organisation). So
  Arbetsförmedlingen's staff, who may read every municipality's cases, are flagged when they read
  one they are not responsible for. An auditor's reads are the audit itself and never flagged
  (each carries its purpose and can be reviewed by user).
- Outside working hours: not between 07:00 and 19:00 Europe/Stockholm on a working day
  (weekends, public holidays, Midsummer Eve, Christmas Eve and New Year's Eve are not).
"""

from datetime import datetime, time
from enum import StrEnum
from typing import Protocol

from workflows.calendar import STOCKHOLM, is_working_day
from workflows.domain import Role

WORKING_HOURS = (time(7, 0), time(19, 0))


class ReviewFlag(StrEnum):
    OUTSIDE_CASELOAD = "outside_caseload"
    OUTSIDE_HOURS = "outside_hours"


class Reader(Protocol):
    username: str
    role: str
    organisation: str


def outside_caseload(reader: Reader, municipality: str | None, responsible_worker: str | None) -> bool:
    if municipality is None or reader.role == Role.AUDITOR:
        return False  # no case named (a decode), or an audit
    return reader.username != responsible_worker and reader.organisation != municipality


def outside_hours(at: datetime) -> bool:
    local = at.astimezone(STOCKHOLM)
    start, end = WORKING_HOURS
    return not is_working_day(local.date()) or not start <= local.time() < end
