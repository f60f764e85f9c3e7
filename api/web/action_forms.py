"""A form for every case action, made from the action's body dataclass (workflows/actions.py):
text and dates become inputs, enums selects and checkboxes labelled with the catalogue's words,
so a new action gets its form with no page code. The form's values are checked by the same
dataclass the JSON API checks them with; the workflow's validator has the last word."""

import dataclasses
import types
from dataclasses import MISSING
from datetime import date
from enum import Enum, StrEnum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from annotated_types import MaxLen
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import FormData

from api.web.forms import FormErrors
from core.words import N_
from workflows.actions import BODIES, Action, ActionBody
from workflows.domain import (
    Attempt,
    ContactChannel,
    EducationLevel,
    EffortKind,
    ExitReason,
    Industry,
    Obstacle,
    OutcomeStatus,
    Phase,
    Standpoint,
    SwedishLevel,
)

# The catalogue's vocabulary (core/words.py) for each enum's words.
VOCABULARY_OF: dict[type[Enum], str] = {
    EducationLevel: "education_level",
    SwedishLevel: "swedish_level",
    Industry: "industry",
    Obstacle: "obstacle",
    EffortKind: "effort_kind",
    Standpoint: "standpoint",
    ExitReason: "exit_reason",
    OutcomeStatus: "outcome_status",
    ContactChannel: "contact_channel",
    Phase: "phase",
}

# The order a case worker most often needs them: the page shows the first allowed one open.
LIKELY_ORDER = [
    Action.COMPLETE_INTRODUCTION,
    Action.ANSWER_OFFER,
    Action.RECORD_OUTCOME,
    Action.RECORD_OUTCOME_ATTEMPT,
    Action.JOINT_STANDPOINT,
    Action.APPLY_TO_TRACK,
    Action.PLAN_EFFORT,
    Action.COMPLETE_EFFORT,
    Action.RECORD_FOLLOW_UP,
    Action.RECORD_EXIT,
    Action.REACTIVATE,
    Action.POSTPONE_REVIEW,
    Action.UPDATE_MAPPING,
    Action.REASSIGN,
    Action.WITHDRAW,
    Action.WITHDRAW_CONSENT,
    Action.CLOSE,
    Action.SET_PROTECTED_IDENTITY,
]


class Widget(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    DATE = "date"
    CHECKBOX = "checkbox"
    SELECT = "select"
    CHECKBOXES = "checkboxes"
    LINES = "lines"  # a list of texts, one per line
    ATTEMPTS = "attempts"  # dated attempts, one per line: "2025-03-01 called twice"


@dataclasses.dataclass(frozen=True)
class Input:
    name: str
    widget: Widget
    required: bool
    choices: tuple[str, ...] = ()
    vocabulary: str | None = None  # the words of the choices


@dataclasses.dataclass(frozen=True)
class ActionForm:
    action: Action
    inputs: tuple[Input, ...]

    @property
    def field_names(self) -> set[str]:
        return {i.name for i in self.inputs}


def _unwrap(hint: Any) -> tuple[Any, list[Any], bool]:
    """The type under Annotated and Optional, its metadata, and whether None is allowed."""
    metadata: list[Any] = []
    optional = False
    while True:
        if get_origin(hint) is Annotated:
            hint, *more = get_args(hint)
            metadata.extend(more)
        elif get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint):
            optional = True
            rest = [a for a in get_args(hint) if a is not type(None)]
            hint = rest[0] if len(rest) == 1 else hint
        else:
            return hint, metadata, optional


def _input(name: str, hint: Any, required: bool) -> Input:
    base, metadata, optional = _unwrap(hint)
    required = required and not optional
    if isinstance(base, type) and issubclass(base, Enum):
        return Input(name, Widget.SELECT, required, tuple(m.value for m in base), VOCABULARY_OF.get(base))
    if get_origin(base) is Literal:
        return Input(name, Widget.SELECT, required, tuple(get_args(base)), "phase")
    if base is bool:
        if optional or required:  # a mapping change (empty keeps the value), or a yes or no
            return Input(name, Widget.SELECT, required, ("true", "false"), "yes_no")
        return Input(name, Widget.CHECKBOX, False)
    if base is date:
        return Input(name, Widget.DATE, required)
    if get_origin(base) is list:
        (item,) = get_args(base)
        item_base, _, _ = _unwrap(item)
        if isinstance(item_base, type) and issubclass(item_base, Enum):
            choices = tuple(m.value for m in item_base)
            return Input(name, Widget.CHECKBOXES, False, choices, VOCABULARY_OF.get(item_base))
        if item_base is Attempt:
            return Input(name, Widget.ATTEMPTS, required)
        return Input(name, Widget.LINES, required)
    long = any(isinstance(m, MaxLen) and m.max_length > 200 for m in metadata)
    return Input(name, Widget.TEXTAREA if long else Widget.TEXT, required)


@cache
def form_for(action: Action) -> ActionForm:
    body = BODIES[action]
    hints = get_type_hints(body, include_extras=True)
    inputs = [
        _input(f.name, hints[f.name], f.default is MISSING and f.default_factory is MISSING)
        for f in dataclasses.fields(body)
        if f.name != "note"
    ]
    # The note last, and on every form.
    return ActionForm(action, (*inputs, Input("note", Widget.TEXTAREA, False)))


def likely_first(allowed: list[str]) -> list[Action]:
    known = [a for a in LIKELY_ORDER if a.value in allowed]
    return known + [Action(a) for a in allowed if a in Action.__members__.values() and Action(a) not in known]


def _attempts(text: str) -> list[dict[str, str]]:
    attempts = []
    for line in text.splitlines():
        day, _, what = line.strip().partition(" ")
        if day:
            attempts.append({"on": day, "what": what.strip()})
    return attempts


def values_of(form: ActionForm, data: FormData) -> dict[str, Any]:
    """What was typed, as the body's fields (an empty optional field is left out)."""
    values: dict[str, Any] = {}
    for i in form.inputs:
        if i.widget is Widget.CHECKBOX:
            values[i.name] = data.get(i.name) == "true"
        elif i.widget is Widget.CHECKBOXES:
            values[i.name] = [v for v in data.getlist(i.name) if isinstance(v, str)]
        else:
            raw = data.get(i.name)
            text = raw.strip() if isinstance(raw, str) else ""
            if not text:
                continue
            if i.widget is Widget.LINES:
                values[i.name] = [line.strip() for line in text.splitlines() if line.strip()]
            elif i.widget is Widget.ATTEMPTS:
                values[i.name] = _attempts(text)
            else:
                values[i.name] = text
    # An optional mapping field left empty keeps its value: the select's empty choice.
    return values


# The catalogue's words for what the dataclass check found, by pydantic's error type.
_MESSAGES = {
    "missing": N_("Fill in this field"),
    "date_from_datetime_parsing": N_("Enter a date"),
    "date_parsing": N_("Enter a date"),
    "date_type": N_("Enter a date"),
    "enum": N_("Choose from the list"),
    "literal_error": N_("Choose from the list"),
    "string_too_short": N_("Fill in this field"),
    "too_short": N_("Fill in this field"),
    "string_too_long": N_("The text is too long"),
}


def error_message(kind: str, field: str) -> str:
    """The catalogue's words for a check that failed on `field`."""
    if field == "personal_number":
        return N_("Enter a valid personal number, YYYYMMDD-NNNN")
    if field == "consent_to_share":
        return N_("Consent to share between the authorities is needed to open a case")
    return _MESSAGES.get(kind, N_("Check this field"))


def parse(form: ActionForm, data: FormData) -> tuple[ActionBody | None, FormErrors]:
    """The body, or the errors each next to its field."""
    adapter: TypeAdapter[ActionBody] = TypeAdapter(BODIES[form.action])
    try:
        return adapter.validate_python(values_of(form, data)), FormErrors()
    except ValidationError as exc:
        errors = FormErrors()
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else "note"
            if not errors.has(name):
                errors.add(name, error_message(e["type"], name))
        return None, errors

