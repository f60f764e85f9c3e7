"""A participant as mails and digests may name them: initials only (programme.md, personal data)."""


def _first_letter(name: str) -> str:
    # The first letter of the first part: "Anna-Karin" → "A", "af Klint" → "K" (particles skipped).
    parts = [p for p in name.replace("-", " ").split() if p[:1].isupper()] or name.split()
    letter = next((c for c in (parts[0] if parts else "") if c.isalpha()), "")
    return letter.upper()


def initials(given_name: str, family_name: str) -> str:
    """'Amal Hassan' → 'A. H.'; a missing name part is left out rather than guessed."""
    letters = [x for x in (_first_letter(given_name), _first_letter(family_name)) if x]
    return " ".join(f"{x}." for x in letters)
