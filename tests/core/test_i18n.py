"""Swedish by default, English available: the catalogues hold every message the code and the
templates use, the Swedish one translates them all with the same placeholders, and Babel
writes dates, times and numbers the Swedish way in Stockholm's time."""

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.i18n import (
    LOCALE_DIR,
    Formats,
    Language,
    gettext,
    language_or_default,
    reason,
    reason_markup,
    term,
    written,
)
from core.words import VOCABULARY
from workflows.domain import ApplicationStatus, EducationLevel, Industry, Phase, Role, Status, SwedishLevel
from workflows.refusals import DECISION_RIGHTS, PROTECTION_RULE

ROOT = Path(__file__).resolve().parents[2]


def catalogue(language: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """What `make messages` would extract today."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg", "-k", "N_",
         "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_message_in_use_is_in_the_catalogue(extracted: set[str], language: str) -> None:
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language) if m.id}
    assert not extracted - known, f"run `make messages`: missing in {language}"


def test_swedish_translates_every_message_with_the_same_placeholders() -> None:
    sv = catalogue("sv")
    untranslated = [m.id for m in sv if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert not untranslated
    assert not [m.id for m in sv if m.id and m.fuzzy]
    problems = [(m.id, [str(e) for e in errors]) for m, errors in sv.check()]
    assert not problems


def test_every_stored_code_has_a_word() -> None:
    for vocabulary, codes in [
        ("phase", Phase), ("status", Status), ("role", Role), ("industry", Industry),
        ("swedish_level", SwedishLevel), ("education_level", EducationLevel),
        ("application_status", ApplicationStatus),
    ]:
        missing = {c.value for c in codes} - set(VOCABULARY[vocabulary])
        assert not missing, f"{vocabulary}: {missing}"
    rules = {right.rule for right in DECISION_RIGHTS.values()} | {PROTECTION_RULE}
    assert rules <= set(VOCABULARY["rule"]), rules - set(VOCABULARY["rule"])


def test_words_in_swedish_and_english() -> None:
    assert term(Language.SWEDISH, "phase", "track_selection") == "Val av spår"
    assert term(Language.ENGLISH, "phase", "track_selection") == "Track selection"
    assert term(Language.SWEDISH, "task_kind", "outcome_check_due") == "Statusuppföljning efter 90 dagar"
    assert term(Language.SWEDISH, "phase", "a_new_phase") == "a_new_phase"  # shown as stored, not hidden
    assert gettext(Language.SWEDISH, "Page %(page)s", page=2) == "Sida 2"


def test_dates_times_and_numbers_the_swedish_way_in_stockholm() -> None:
    sv, en = Formats(Language.SWEDISH), Formats(Language.ENGLISH)
    winter = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)  # 14:05 in Stockholm (CET)
    summer = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 00:30 the next day (CEST)
    assert sv.date(date(2026, 11, 23)) == "23 nov. 2026"
    assert sv.datetime(winter) == "23 nov. 2026 14:05"
    assert sv.datetime(summer) == "2 juli 2026 00:30"
    assert sv.stamp(winter) == "2026-11-23 14:05"
    assert sv.iso(winter) == "2026-11-23T14:05+01:00"
    assert sv.number(1280) == "1\xa0280" and sv.percent(0.6) == "60,0 %"
    assert sv.long_date(date(2026, 11, 23)) == "23 november 2026"
    assert en.date(date(2026, 11, 23)) == "Nov 23, 2026" and en.number(1280) == "1,280"


def test_an_unknown_language_falls_back_to_swedish() -> None:
    assert language_or_default("en") is Language.ENGLISH
    assert language_or_default("fi") is Language.SWEDISH and language_or_default(None) is Language.SWEDISH


def test_a_reason_the_process_gives_in_english_is_said_in_swedish() -> None:
    sv, en = Language.SWEDISH, Language.ENGLISH
    # Its values in Swedish too: codes by their word, a decision right's why by the catalogue.
    assert reason(sv, "complete-introduction is not allowed in phase preparatory") == (
        "Avsluta introduktionen går inte i fasen Förberedande insatser"
    )
    why = "the joint standpoint is taken by Arbetsförmedlingen with the participant (003)"
    assert reason(sv, f"joint-standpoint is not yours to decide: {why}") == (
        "Gemensamt ställningstagande är inte ditt beslut: det gemensamma ställningstagandet tas av "
        "Arbetsförmedlingen tillsammans med deltagaren (003)"
    )
    assert reason(sv, "no effort e-7 in this case") == "ärendet har ingen insats e-7"
    assert reason(sv, "prerequisite not met: driving_licence") == "förkunskapskravet är inte uppfyllt: Körkort"
    assert reason(sv, "held_on is in the future") == "datumet för uppföljningen ligger i framtiden"
    assert reason(en, "no effort e-7 in this case") == "no effort e-7 in this case"
    assert reason(sv, "a reason nobody marked") is None
    # A page's own message with values is no reason: "3 of 5" is not the seats' "%(taken)s of %(seats)s".
    assert reason(sv, "3 of 5") is None


def test_the_access_logs_purposes_in_swedish_and_a_stated_one_as_stated() -> None:
    assert written(Language.SWEDISH, "answer of record-follow-up") == "svar på Registrera uppföljning"
    assert written(Language.SWEDISH, "worklist") == "arbetslistan"
    assert written(Language.SWEDISH, "uppföljning enligt plan") == "uppföljning enligt plan"


def test_a_reason_on_a_page_is_text_and_an_unknown_one_is_marked_english() -> None:
    typed = "<i>100%</i> is not a case worker for municipality 0180"
    assert reason_markup(Language.SWEDISH, typed) == "&lt;i&gt;100%&lt;/i&gt; är inte handläggare i kommun 0180"
    assert reason_markup(Language.SWEDISH, "<b>unmarked</b>") == '<span lang="en">&lt;b&gt;unmarked&lt;/b&gt;</span>'
    assert reason_markup(Language.ENGLISH, "<b>unmarked</b>") == "&lt;b&gt;unmarked&lt;/b&gt;"
