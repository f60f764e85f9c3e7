"""Every workflow this service runs, in one list: the worker runs them and the history
verifier replays against them, so the API can build a `Replayer` without the worker's
activities, database or mail."""

from workflows.digest import DailyDigestWorkflow
from workflows.journey import JourneyWorkflow
from workflows.report import ReportWorkflow
from workflows.track import TrackWorkflow

WORKFLOWS: list[type] = [JourneyWorkflow, DailyDigestWorkflow, TrackWorkflow, ReportWorkflow]
