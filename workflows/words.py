"""Marks a reason the process gives (in English: in its answers and its histories) for the
catalogue (`make messages`), so that a page can say it in its own language (core/i18n.py's
`reason` finds a marked message's values in the English text)."""


def N_(message: str) -> str:
    return message
