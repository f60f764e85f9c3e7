"""Swedish by default, English available: the gettext catalogues in `locale/` and the way Babel
writes dates, times and numbers for each language, always in Stockholm's time.

The `.po` files are the only source: each is compiled in memory the first time a process needs
it, so there is no build step to forget, no stale `.mo` after an edit, and nothing to write into
a read-only install (the Docker image runs as a user who cannot write there).
"""

import datetime as dt
import re
from enum import StrEnum
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations
from jinja2 import Environment
from markupsafe import Markup, escape

from core.words import VOCABULARY

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Language(StrEnum):
    SWEDISH = "sv"
    ENGLISH = "en"


DEFAULT_LANGUAGE = Language.SWEDISH


def language_or_default(value: str | None) -> Language:
    try:
        return Language(value or DEFAULT_LANGUAGE)
    except ValueError:
        return DEFAULT_LANGUAGE


@lru_cache
def _catalogue(language: Language) -> Catalog:
    with (LOCALE_DIR / language.value / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language.value)


@lru_cache
def translations(language: Language) -> Translations:
    """The language's catalogue, compiled from its `.po` (fuzzy entries are left out)."""
    compiled = BytesIO()
    write_mo(compiled, _catalogue(language))
    compiled.seek(0)
    return Translations(fp=compiled)


def gettext(language: Language, message: str, **values: Any) -> str:
    text = translations(language).gettext(message)
    return text % values if values else text


_VALUE = re.compile(r"%\((\w+)\)s")


@lru_cache
def _reasons(language: Language) -> list[tuple[re.Pattern[str], str]]:
    """The reasons with named values (`no effort %(effort_id)s in this case`), each as a pattern
    that finds the values in the English text the process or the service gave. Only the ones
    marked as reasons where they are given (a `# reason:` comment, which `make messages` keeps):
    a page's own message (`%(taken)s of %(seats)s`) would match text it was never meant for."""
    return [
        (_pattern(message.id), message.id)
        for message in _catalogue(language)
        if isinstance(message.id, str)
        and message.string
        and any(comment.startswith("reason:") for comment in message.auto_comments)
    ]


def _pattern(template: str) -> re.Pattern[str]:
    """`no effort %(effort_id)s in this case` → `no effort (?P<effort_id>.+?) in this case`."""
    pattern, named = "", set()
    for i, part in enumerate(_VALUE.split(template)):  # text, name, text, name, …, text
        if i % 2 == 0:
            pattern += re.escape(part)
        else:
            pattern += f"(?P={part})" if part in named else f"(?P<{part}>.+?)"
            named.add(part)
    return re.compile(pattern)


def reason(language: Language, message: str) -> str | None:
    """A reason given in English by the process or the service (a refusal, a field it cannot
    take), in `language`; None when the catalogue has no words for it. Its values are said in
    the language too: a code by its vocabulary's word (`phase`, `action`), a marked message (a
    decision right's why) by the catalogue."""
    said = gettext(language, message)
    if said != message or language is Language.ENGLISH:
        return said
    for pattern, template in _reasons(language):
        if found := pattern.fullmatch(message):
            values = {
                name: term(language, name, value) if name in VOCABULARY else gettext(language, value)
                for name, value in found.groupdict().items()
            }
            return gettext(language, template, **values)
    return None


def reason_markup(language: Language, message: str) -> Markup:
    """The reason for a page: in its language, or as given, marked English (WCAG 3.1.2)."""
    said = reason(language, message)
    return escape(said) if said is not None else Markup('<span lang="en">%s</span>') % message


def written(language: Language, text: str) -> str:
    """A text the service wrote (in English) or a person did (in any language: a stated
    purpose): in `language` when the catalogue knows it, else as it was written."""
    return reason(language, text) or text


def term(language: Language, vocabulary: str, code: str | None) -> str:
    """The word for a stored code (`term(sv, "phase", "track")` → "Jobbspår"); an unknown code as it is."""
    if code is None:
        return ""
    message = VOCABULARY[vocabulary].get(str(code))
    return gettext(language, message) if message else str(code)


@lru_cache(maxsize=4096)
def _medium_date(locale: Locale, day: dt.date) -> str:
    """A page names the same few days again and again (a timeline, a list): each is formatted once."""
    return format_date(day, "medium", locale=locale)


class Formats:
    """Dates, times and numbers as the language writes them: `23 nov. 2026`, `14:05`, `1 280`."""

    def __init__(self, language: Language) -> None:
        self.locale = Locale.parse(language.value)  # parsed once: Babel would parse it on every call

    def date(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = value.astimezone(STOCKHOLM).date()
        return _medium_date(self.locale, value)

    def time(self, value: dt.datetime) -> str:
        # "HH:mm" is written alike in every locale; Babel's pattern machinery costs a long timeline dearly.
        return value.astimezone(STOCKHOLM).strftime("%H:%M")

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        return f"{self.date(value)} {self.time(value)}"

    def stamp(self, value: dt.datetime) -> str:
        """`2026-11-23 14:05`: the Swedish ISO style, for mails and lists that compare times."""
        return format_datetime(value, "yyyy-MM-dd HH:mm", tzinfo=STOCKHOLM, locale=self.locale)

    def iso(self, value: dt.datetime) -> str:
        """For `<time datetime=…>`: the moment with Stockholm's offset."""
        return value.astimezone(STOCKHOLM).isoformat(timespec="minutes")

    def number(self, value: float) -> str:
        if isinstance(value, int) and -1000 < value < 1000:
            return str(value)  # the common case in a list, written alike in every locale
        return format_decimal(value, locale=self.locale)

    def percent(self, value: float) -> str:
        return format_percent(value, "#,##0.0 %", locale=self.locale)

    def long_date(self, value: dt.date) -> str:
        return format_datetime(dt.datetime(value.year, value.month, value.day), "d MMMM y", locale=self.locale)


def install_language(env: Environment, language: Language) -> Environment:
    """Give a Jinja environment (with `jinja2.ext.i18n`) the language's catalogue and formats."""
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    formats = Formats(language)
    env.filters.update(
        date=formats.date,
        time=formats.time,
        datetime=formats.datetime,
        iso=formats.iso,
        stamp=formats.stamp,
        number=formats.number,
        percent=formats.percent,
        long_date=formats.long_date,
    )
    env.filters["term"] = lambda code, vocabulary: term(language, vocabulary, code)
    env.filters["reason"] = lambda message: reason_markup(language, message)
    env.filters["written"] = lambda text: written(language, text)
    env.globals["language"] = language.value
    return env
