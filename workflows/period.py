"""ISO-8601 durations with calendar months: the programme time is 24 months to the day."""

import re
from dataclasses import dataclass
from datetime import timedelta

_ISO_DURATION = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True)
class Period:
    """An ISO-8601 duration that keeps calendar months and years (P24M: 24 months to the day),
    which a timedelta cannot."""

    months: int = 0
    rest: timedelta = timedelta(0)

    @classmethod
    def parse(cls, text: str) -> "Period":
        found = _ISO_DURATION.match(text.strip().upper())
        if found is None or text.strip().upper() in ("P", "PT"):
            raise ValueError(f"not an ISO-8601 duration: {text!r}")
        n = {k: float(v) if v else 0.0 for k, v in found.groupdict().items()}
        rest = timedelta(weeks=n["w"], days=n["d"], hours=n["h"], minutes=n["mi"], seconds=n["s"])
        return cls(int(n["y"]) * 12 + int(n["mo"]), rest)

    def iso(self) -> str:
        text = "P" + (f"{self.months}M" if self.months else "")
        text += f"{self.rest.days}D" if self.rest.days else ""
        seconds = self.rest.seconds + self.rest.microseconds / 1e6
        if seconds:
            text += f"T{seconds:g}S"
        return text if text != "P" else "PT0S"

    @property
    def positive(self) -> bool:
        return self.months > 0 or self.rest > timedelta(0)

