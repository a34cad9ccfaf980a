"""The phrase catalogue: every word the bot says that is not an approved FAQ answer.

``data/phrases.yml`` holds each phrase in two tones (friendly, formal) and every
supported language, reviewed like the bank. :class:`Catalogue` picks the tone from the
brand settings, falls back to English for a language it lacks, fills placeholders, and
strips emoji when the brand has them off. A missing key or placeholder is a
:class:`PhraseError` at load time, not a surprise in front of a customer.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from faq.text import strip_emoji

TONES = ("friendly", "formal")
FALLBACK_LANGUAGE = "en"

# Every key the bot uses, with the placeholders each must carry.
REQUIRED: dict[str, frozenset[str]] = {
    "greeting.named": frozenset({"name"}),
    "greeting.anonymous": frozenset(),
    "answer_intro.named": frozenset({"name"}),
    "thanks.named": frozenset({"name"}),
    "thanks.anonymous": frozenset(),
    "goodbye.named": frozenset({"name"}),
    "goodbye.anonymous": frozenset(),
    "clarify.named": frozenset({"name"}),
    "clarify.anonymous": frozenset(),
    "clarify.none": frozenset(),
    "handoff.named": frozenset({"name", "department", "response_time"}),
    "handoff.anonymous": frozenset({"department", "response_time"}),
    "handoff.closed.named": frozenset({"name", "department", "opens", "response_time"}),
    "handoff.closed.anonymous": frozenset({"department", "opens", "response_time"}),
    "handoff.waiting.named": frozenset({"name", "department"}),
    "handoff.waiting.anonymous": frozenset({"department"}),
    "returned_to_bot.named": frozenset({"name"}),
    "returned_to_bot.anonymous": frozenset(),
    "unsupported_media.named": frozenset({"name"}),
    "unsupported_media.anonymous": frozenset(),
    "abuse.calm": frozenset(),
    "offers_declined": frozenset(),
    "duration.minutes": frozenset({"n"}),
    "duration.hours": frozenset({"n"}),
    "duration.days": frozenset({"n"}),
    "error.temporary.named": frozenset({"name"}),
    "error.temporary.anonymous": frozenset(),
    "choices.open": frozenset(),
    "opens.day_time": frozenset({"day", "time"}),
    "opens.today": frozenset({"time"}),
    "opens.tomorrow": frozenset({"time"}),
    **{f"weekday.{d}": frozenset() for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}

# Keys added after deployments wrote their own catalogues: checked when present; without
# them the bot does without what they say (Catalogue.has).
OPTIONAL: dict[str, frozenset[str]] = {
    "answer_untranslated.named": frozenset({"name"}),
    "answer_untranslated.anonymous": frozenset(),
}


class PhraseError(Exception):
    """The catalogue is missing a phrase, a tone, or has a broken placeholder."""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True, slots=True)
class Catalogue:
    phrases: dict[str, dict[str, dict[str, str]]]  # key -> tone -> lang -> text
    languages: tuple[str, ...]
    tone: str = "friendly"
    emoji: bool = True
    approved_by: str | None = None

    @classmethod
    def load(cls, path: str | Path, tone: str = "friendly", emoji: bool = True) -> Catalogue:
        if tone not in TONES:
            raise PhraseError(f"tone must be one of {', '.join(TONES)}, not {tone!r}")
        try:
            doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise PhraseError(f"{path}: cannot read phrase catalogue: {exc}") from exc
        phrases = doc.get("phrases") or {}
        problems = []
        for key, needed in (*REQUIRED.items(), *OPTIONAL.items()):
            tones = phrases.get(key)
            if not tones:
                if key in REQUIRED:
                    problems.append(f"{path}: missing phrase {key!r}")
                continue
            for t in TONES:
                texts = tones.get(t) or {}
                if FALLBACK_LANGUAGE not in texts:
                    problems.append(f"{path}: phrase {key!r} has no {t} English text")
                for lang, text in texts.items():
                    found = _placeholders(str(text))
                    if found != needed:
                        problems.append(
                            f"{path}: phrase {key!r} ({t}, {lang}) has placeholders {sorted(found)}, expected {sorted(needed)}"
                        )
        if problems:
            raise PhraseError("\n".join(problems))
        languages = tuple(doc.get("languages") or (FALLBACK_LANGUAGE,))
        return cls(phrases=phrases, languages=languages, tone=tone, emoji=emoji, approved_by=doc.get("approved_by"))

    def has(self, key: str) -> bool:
        """Whether the catalogue holds ``key`` (an :data:`OPTIONAL` one may be missing)."""
        return key in self.phrases

    def say(self, key: str, language: str | None, **values: object) -> str:
        """The phrase ``key`` in ``language`` (English if the catalogue lacks it)."""
        texts = self.phrases[key][self.tone]
        text = texts.get(language or FALLBACK_LANGUAGE) or texts[FALLBACK_LANGUAGE]
        text = text.format(**values)
        return text if self.emoji else strip_emoji(text)

    def personal(self, key: str, language: str | None, name: str | None, **values: object) -> str:
        """``key.named`` with the customer's name when there is one, else ``key.anonymous``."""
        if name:
            return self.say(f"{key}.named", language, name=name, **values)
        return self.say(f"{key}.anonymous", language, **values)

    def duration(self, minutes: int, language: str | None) -> str:
        """A response time in words: "45 minutes", "2 hours", "1 day"."""
        if minutes < 120 and minutes % 60:
            return self.say("duration.minutes", language, n=minutes)
        if minutes < 48 * 60:
            return self.say("duration.hours", language, n=_round(minutes / 60))
        return self.say("duration.days", language, n=_round(minutes / (24 * 60)))

    def has_language(self, language: str) -> bool:
        return language in self.languages


def _round(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else re.sub(r"\.0$", "", f"{value:.1f}")
