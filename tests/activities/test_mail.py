"""Mails come from the same catalogue as the pages: Swedish by default, English when asked,
dates in Swedish ISO style and Stockholm's time."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from activities.mail import Letterhead, render
from core.i18n import Language
from workflows.domain import Audience, TaskKind
from workflows.effects import Notice

LETTERHEAD = Letterhead("samverkan@prov.example.se", "https://samverkan.example.se")
DUE = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)


def notice(stage: str) -> SimpleNamespace:
    return SimpleNamespace(stage=stage, task_kind="follow_up_due", case_id="c0ffee", initials="A. H.", due_at=DUE,
                           responsible_worker="hanna")


def text(message) -> str:  # type: ignore[no-untyped-def]
    return str(message.get_body(("plain",)).get_content())


def test_a_reminder_in_swedish_unless_told_otherwise() -> None:
    sv = render("reminder", LETTERHEAD, "x@prov.example.se", "k1", notice=notice("remind"))
    assert sv["Subject"] == "Påminnelse: Uppföljning – ärende c0ffee (A. H.)"
    assert "Påminnelse: uppföljning i ärende c0ffee (A. H.) ska göras senast 2026-11-23 14:05." in text(sv)
    assert "https://samverkan.example.se/cases/c0ffee" in text(sv) and "Tider anges i svensk tid." in text(sv)
    en = render("reminder", LETTERHEAD, "x@prov.example.se", "k1", language=Language.ENGLISH, notice=notice("remind"))
    assert en["Subject"] == "Reminder: Follow-up – case c0ffee (A. H.)"
    assert "Reminder: follow-up in case c0ffee (A. H.) is to be done by 2026-11-23 14:05." in text(en)


def test_the_digest_counts_in_swedish_plurals() -> None:
    one = SimpleNamespace(kind="follow_up_due", about="follow_up_due", overdue=True, case_id="c1", initials="A. H.",
                          due_at=DUE)
    two = SimpleNamespace(**(vars(one) | {"overdue": False, "case_id": "c2"}))
    single = render("digest", LETTERHEAD, "x", "k", tasks=[one], overdue=1, day=date(2026, 11, 23))
    assert single["Subject"] == "Dagens uppgifter 2026-11-23: 1 öppen, varav 1 försenad"
    double = render("digest", LETTERHEAD, "x", "k", tasks=[one, two], overdue=1, day=date(2026, 11, 23))
    assert double["Subject"] == "Dagens uppgifter 2026-11-23: 2 öppna, varav 1 försenad"
    assert "Du har 2 öppna uppgifter i Samverkan, varav 1 är försenad." in text(double)
    assert "FÖRSENAD Uppföljning – ärende c1 (A. H.), senast 2026-11-23 14:05" in text(double)


def test_the_partner_is_told_of_a_withdrawal_by_case_reference_and_initials() -> None:
    notice = Notice(
        "c1:partner_notice:7", "c1", "0581", "arbetsformedlare", Audience.PARTNER, TaskKind.PARTNER_NOTICE,
        "notice", datetime(2026, 11, 23, 9, tzinfo=UTC), "A. H.", organisation="0581", about="withdraw",
    )
    mail = render("reminder", Letterhead("samverkan@prov.se", "https://samverkan.prov.se"), "s@prov.se", notice.key,
                  notice=notice)
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert mail["Subject"] == "För kännedom: Meddelande i samverkan – ärende c1 (A. H.)"
    assert "har återkallats" in text and "https://samverkan.prov.se/cases/c1" in text and "Hassan" not in text
    reactivated = render("reminder", Letterhead("s@p.se", "https://x"), "s@p.se", "k", notice=Notice(
        **{**notice.__dict__, "about": "reactivate"}))
    assert "har återaktualiserats" in reactivated.get_body(("plain",)).get_content()  # type: ignore[union-attr]
