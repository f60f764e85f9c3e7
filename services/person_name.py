"""A participant's name as the service keeps it: one Unicode form (NFC, so "é" typed two ways
is one name and one sort key), no control characters, no direction overrides, and a length cap.
"""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

MAX_NAME_LENGTH = 100
# Bidirectional embeddings, overrides and isolates: they make a name read as something else
# on screen (and in a list of names) than what is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Cc: C0/C1 controls (newlines, tabs, NUL, escape); Zl/Zp: line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def clean_name(value: str) -> str:
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise ValueError("a name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a name is at most {MAX_NAME_LENGTH} characters")
    if any(ch in _BIDI_CONTROLS or unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in name):
        raise ValueError("a name must not contain control characters")
    return name


PersonName = Annotated[str, AfterValidator(clean_name)]
