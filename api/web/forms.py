"""Form helpers: reading a field, and the errors a form shows next to its fields and in the
summary at its top (the GOV.UK error-summary pattern: each links to its field)."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from starlette.datastructures import FormData


def text_field(form: FormData, name: str, *, strip: bool = True) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip() if strip else value


@dataclass(frozen=True)
class FieldError:
    field: str  # the input's id and name
    message: str  # a catalogue message


@dataclass
class FormErrors:
    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message))

    def has(self, field_name: str) -> bool:
        return any(e.field == field_name for e in self.errors)

    def message(self, field_name: str) -> str | None:
        return next((e.message for e in self.errors if e.field == field_name), None)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __iter__(self) -> Iterator[FieldError]:
        return iter(self.errors)
