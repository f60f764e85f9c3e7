"""Protected identity (skyddade personuppgifter): the participant is named only to the responsible
case worker. Everyone else reads the code `protected` where the name or initials would be (a
page or a mail shows it as the catalogue's word, `term("participant")`: "Skyddad"), in lists,
pages, API answers and mails; the case's other facts are shown as usual."""

import dataclasses

from store.case_keys import CaseKeys
from store.models import CaseSummary
from store.sealing import initials_of
from workflows.case import CaseView

PROTECTED = "protected"


def name_hidden(protected: bool, reader: str | None, responsible_worker: str) -> bool:
    """True when `reader` (a username; None for a mail or an export) may not read the name."""
    return protected and reader != responsible_worker


def shown_initials(keys: CaseKeys, case: CaseSummary | None, reader: str | None) -> str:
    """A case's participant in a list: initials (opened with the case's key), `protected`, or
    nothing for no case."""
    if case is None:
        return ""
    if name_hidden(case.protected_identity, reader, case.responsible_worker):
        return PROTECTED
    return initials_of(keys, case)


def view_for(view: CaseView, reader: str) -> CaseView:
    """The case's view as `reader` may read it: without the name when it is protected from them."""
    if not name_hidden(view.protected_identity, reader, view.responsible_worker):
        return view
    return dataclasses.replace(view, given_name=PROTECTED, family_name="")
