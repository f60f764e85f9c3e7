"""The data converter, bound once per context: the SDK binds it to a payload's context (which
workflow, which activity) for every payload it converts, and each binding rebuilds the converter
(its payload and failure converters made anew, then dropped): a fifth of the worker's CPU per
action. A binding depends on the context alone, so each is kept and given again."""

import dataclasses
from typing import Self

from temporalio.converter import DataConverter, SerializationContext

BOUND_KEPT = 4096  # contexts kept before starting afresh (a cache, not a limit)


@dataclasses.dataclass(frozen=True)
class BindingOnceDataConverter(DataConverter):
    # A plain dict: the worker binds from several threads, and a single get or set is atomic.
    _bound: dict[SerializationContext, DataConverter] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def with_context(self, context: SerializationContext) -> Self:
        try:
            kept = self._bound.get(context)
        except TypeError:  # a context that cannot be a key: bound each time, as by the SDK
            return super().with_context(context)
        if kept is None:
            if len(self._bound) >= BOUND_KEPT:
                self._bound.clear()
            kept = self._bound[context] = super().with_context(context)
        return kept  # type: ignore[return-value]
