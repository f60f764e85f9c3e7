"""What can go wrong when an auditor asks for a history; each face maps these once."""


class NoSuchCase(LookupError):
    """The case is unknown here."""


class HistoryNotHeld(NoSuchCase):
    """Temporal holds no workflow for the case: past the namespace's retention, or never started."""


class InvalidField(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ReplayFailed(RuntimeError):
    """The record could not be replayed to the moment asked for."""


class Undecodable(ValueError):
    """Payloads that this service's keys do not decrypt (another key, or an erased case)."""
