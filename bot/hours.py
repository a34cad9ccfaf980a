"""Opening hours: is a department staffed now, and when does it open next?

Pure functions of a weekly schedule and a moment in time (tests pass the time in). A
schedule is written in config.yml as ``{days: "HH:MM-HH:MM"}`` with days like ``mon-fri``,
``sat``, ``sun`` or ``mon,wed``; a day not mentioned is closed. Times are local to the
configured IANA time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HoursError(ValueError):
    """A schedule that cannot be read; the message says which part."""


@dataclass(frozen=True, slots=True)
class OpeningHours:
    zone: ZoneInfo
    weekly: tuple[tuple[tuple[time, time], ...], ...]  # per weekday (Monday first): open intervals

    @classmethod
    def parse(cls, schedule: dict[str, str], timezone: str = "UTC") -> OpeningHours:
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise HoursError(f"unknown time zone {timezone!r}") from exc
        weekly: list[list[tuple[time, time]]] = [[] for _ in DAYS]
        for days, spans in (schedule or {}).items():
            for day in _days(str(days)):
                for span in str(spans).split(","):
                    weekly[day].append(_span(span.strip(), str(days)))
        return cls(zone, tuple(tuple(sorted(day)) for day in weekly))

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return any(start <= local.time() < end for start, end in self.weekly[local.weekday()])

    def next_opening(self, moment: datetime) -> datetime | None:
        """The next moment the department opens (``moment`` itself if open). None: never open."""
        local = moment.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for start, end in self.weekly[day.weekday()]:
                opening = datetime.combine(day, start, self.zone)
                closing = datetime.combine(day, end, self.zone)
                if offset == 0 and opening <= local < closing:
                    return moment
                if opening > local:
                    return opening
        return None


def _days(text: str) -> list[int]:
    result: list[int] = []
    for part in text.lower().replace(" ", "").split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            if first not in DAYS or last not in DAYS:
                raise HoursError(f"days {text!r}: use mon, tue, wed, thu, fri, sat, sun")
            i, j = DAYS.index(first), DAYS.index(last)
            result.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in DAYS:
            result.append(DAYS.index(part))
        else:
            raise HoursError(f"days {text!r}: use mon, tue, wed, thu, fri, sat, sun")
    return result


def _span(text: str, days: str) -> tuple[time, time]:
    try:
        start_text, end_text = text.split("-")
        start = time.fromisoformat(start_text.strip())
        end = time.max if end_text.strip() in ("24:00", "23:59") else time.fromisoformat(end_text.strip())
    except ValueError as exc:
        raise HoursError(f"hours {text!r} for {days}: write HH:MM-HH:MM") from exc
    if end <= start:
        raise HoursError(f"hours {text!r} for {days}: closing must come after opening")
    return start, end
