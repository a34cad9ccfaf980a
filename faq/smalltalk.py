"""Messages that are not FAQ questions: requests for a person, greetings, thanks, goodbyes.

Two signals, both multilingual, both from ``smalltalk.yml`` beside this module:

* **markers** — short phrases that make up a whole message on their own ("hi",
  "thanks a lot", "operator", "سلام", "спасибо"). A message made only of markers (after
  folding case, punctuation, emoji and the customer's name) is that intent, with no
  model involved. A message that *opens* with greeting markers and then goes on ("hi,
  where is my order?") is split, and the rest is matched as a question.
* **examples** — 20–35 sentences per intent per language, added to the matcher's index
  as pseudo-entries, so "this bot is useless, get me a real person" is recognised by
  the same embedding and classifier that match FAQ questions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path

import yaml

from .memo import TextMemo, code_digest, digest_of
from .text import clitic_forms, fold
from .yaml_loader import SafeLoader


class Intent(StrEnum):
    HANDOFF = "handoff"
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    DECLINE = "decline"  # "no", "not helpful": the customer rejects what the bot offered
    ABUSE = "abuse"  # insults and nothing else

    @property
    def label(self) -> str:
        """How the intent is named inside the matcher's index (never a valid entry id)."""
        return f"@{self.value}"


@dataclass(frozen=True, slots=True)
class SmallTalk:
    examples: dict[Intent, tuple[tuple[str, str], ...]]  # intent -> ((lang, text), ...)
    markers: dict[Intent, frozenset[str]]  # folded phrases, any language
    max_marker_words: int
    mentions: Phrases = field(default_factory=lambda: Phrases.of(()))  # asking for a person anywhere in a message
    not_mentions: Phrases = field(default_factory=lambda: Phrases.of(()))  # a title that is no request ("my account manager")
    ambiguous_openers: frozenset[str] = frozenset()  # greetings that also open questions ("چطوری", "как вы")
    fillers: frozenset[str] = frozenset()  # "ok", "хорошо": no intent of their own beside a marker
    signs: dict[Intent, frozenset[str]] = field(default_factory=dict)  # words that say thanks / bye / hello
    elsewhere: dict[str, Phrases] = field(default_factory=dict)  # topic -> phrases of questions not for the FAQ
    problems: Phrases = field(default_factory=lambda: Phrases.of(()))  # "never", "still", "broken": not a pleasantry

    @classmethod
    def load(cls, path: str | Path | None = None) -> SmallTalk:
        if path is None:
            raw = resources.files(__package__).joinpath("smalltalk.yml").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        doc = yaml.load(raw, Loader=SafeLoader) or {}
        examples: dict[Intent, tuple[tuple[str, str], ...]] = {}
        for name, by_lang in (doc.get("intents") or {}).items():
            intent = Intent(name)
            examples[intent] = tuple((lang, str(t)) for lang, texts in by_lang.items() for t in texts or ())
        markers: dict[Intent, frozenset[str]] = {}
        for section in ("markers", "moves"):
            for name, by_lang in (doc.get(section) or {}).items():
                markers[Intent(name)] = _folded(by_lang)
        mentions = Phrases.of(_folded((doc.get("mentions") or {}).get("handoff")))
        not_mentions = Phrases.of(_folded((doc.get("mentions") or {}).get("except")))
        ambiguous = _folded(doc.get("ambiguous_openers"))
        fillers = _folded(doc.get("fillers"))
        signs = {Intent(name): _folded(by_lang) for name, by_lang in (doc.get("signs") or {}).items()}
        elsewhere = {str(topic): Phrases.of(_folded(by_lang)) for topic, by_lang in (doc.get("elsewhere") or {}).items()}
        problems = Phrases.of(_folded(doc.get("problems")))
        longest = max([1, *(len(m.split()) for phrases in (*markers.values(), fillers) for m in phrases)])
        return cls(examples=examples, markers=markers, max_marker_words=longest, mentions=mentions,
                   not_mentions=not_mentions, ambiguous_openers=ambiguous, fillers=fillers, signs=signs, elsewhere=elsewhere, problems=problems)

    # -- markers -------------------------------------------------------------------------
    def _marker_at(self, tokens: list[str], start: int) -> tuple[Intent, int] | None:
        """The longest marker starting at ``tokens[start]``: (intent, number of words)."""
        for size in range(min(self.max_marker_words, len(tokens) - start), 0, -1):
            phrase = " ".join(tokens[start : start + size])
            for intent, phrases in self.markers.items():
                if phrase in phrases:
                    return intent, size
        return None

    def _filler_at(self, tokens: list[str], start: int) -> int:
        """How many words a filler starting at ``tokens[start]`` takes (0: none)."""
        for size in range(min(self.max_marker_words, len(tokens) - start), 0, -1):
            if " ".join(tokens[start : start + size]) in self.fillers:
                return size
        return 0

    def says(self, intent: Intent, text: str) -> bool:
        """True when ``text`` uses one of ``intent``'s marker phrases or sign words ("I really
        appreciate your help": "appreciate"); a word of five letters or more also matches its
        inflections ("appreciated", "спасибочки")."""
        joined = f" {fold(text)} "
        if any(f" {phrase} " in joined for phrase in self.markers.get(intent, ())):
            return True
        signs = self.signs.get(intent, frozenset())
        return any(word in signs or any(len(s) >= 5 and word.startswith(s) for s in signs) for word in joined.split())

    def whole_message(self, text: str, name: str | None = None) -> Intent | None:
        """The intent when ``text`` consists only of markers (and the customer's name).

        A mix keeps the most consequential one: a request for a person wins over
        thanks, thanks over goodbye, goodbye over a greeting ("thanks, bye" → thanks).
        """
        tokens = _tokens(text, name)
        if not tokens:
            return None
        found: set[Intent] = set()
        i = 0
        while i < len(tokens):
            hit = self._marker_at(tokens, i)
            if hit is None:
                filler = self._filler_at(tokens, i)
                if not filler:
                    return None
                i += filler
                continue
            found.add(hit[0])
            i += hit[1]
        for intent in (Intent.HANDOFF, Intent.ABUSE, Intent.DECLINE, Intent.THANKS, Intent.GOODBYE, Intent.GREETING):
            if intent in found:
                return intent
        return None

    def asks_for_person(self, text: str) -> bool:
        """True when the message asks for a person anywhere in it ("..., get me a manager").
        Phrases of several words ("talk to my account manager") count wherever they stand; a
        single word ("manager") not inside one of the titles in ``except`` ("my account
        manager changed my plan")."""
        joined = _Message(text).joined
        titles = self.not_mentions.spans(joined)
        if any(not any(s <= start and end <= e for s, e in titles) for start, end in self.mentions.spans(joined, runs_only=True)):
            return True
        return self.mentions.found_in(_blanked(joined, titles))

    def reports_problem(self, text: str) -> bool:
        """True when ``text`` says something is wrong ("it never came", "still waiting",
        "не работает"): a short message that does is not thanks or a goodbye, however near
        one the embedding puts it."""
        return self.problems.found_in(text)

    def topics_memo(self, directory: str | Path | None) -> TextMemo:
        """Bank texts' :meth:`topics` on disk, valid for these phrase lists and rules."""
        lists = [[topic, *sorted(self.elsewhere[topic].phrases)] for topic in sorted(self.elsewhere)]
        return TextMemo(directory, "topics", digest_of(code_digest(__name__, "faq.text"), *lists))

    def topics(self, text: str) -> frozenset[str]:
        """The ``elsewhere`` topics ``text`` asks about ("are you hiring?": jobs): questions
        customers put to a support team that are not about its service."""
        if not self.elsewhere:
            return frozenset()
        message = _Message(text)
        return frozenset(topic for topic, phrases in self.elsewhere.items() if phrases.found_in(message))

    def strip_greeting(self, text: str, name: str | None = None) -> str | None:
        """The rest of a message that opens with a greeting ("hi, where is my order?").

        ``None`` when the message does not open with a greeting or nothing follows it.
        The rest is the customer's own text, unfolded: Arabic letters folded to their Persian
        forms made "مرحبا، كيف أرفع الروشتة؟" read as Persian, and without its question
        mark the rest could be taken for thanks.
        """
        tokens = _tokens(text, name)
        i = 0
        last = ""
        while i < len(tokens):
            hit = self._marker_at(tokens, i)
            if hit is None or hit[0] is not Intent.GREETING:
                break
            last = " ".join(tokens[i : i + hit[1]])
            i += hit[1]
        if i == 0 or i >= len(tokens):
            return None
        rest, punctuated = _after_tokens(text, name, i)
        if last in self.ambiguous_openers and not punctuated:
            # "چطوری کلاس رزرو کنم" asks how to book; "سلام چطوری کلاس..." still greets first.
            i -= len(last.split())
            return _after_tokens(text, name, i)[0] if i else None
        return rest


@dataclass(frozen=True, slots=True)
class Phrases:
    """Folded phrases to look for anywhere in a message: a phrase of several words as it
    stands, a single word also with the clitics Arabic and Hebrew attach ("לנציג": to a
    representative) and, from five letters on, with any ending ("оператора", "մենեջերի")."""

    words: frozenset[str]
    stems: frozenset[str]  # single words of five letters or more: any word starting with one counts
    runs: re.Pattern[str] | None  # the phrases of several words, " a b " in " x a b c " (overlapping matches too)
    phrases: frozenset[str] = frozenset()  # all of them, as given

    @classmethod
    def of(cls, phrases: Iterable[str]) -> Phrases:
        phrases = set(phrases)
        singles = {p for p in phrases if " " not in p}
        runs = sorted(phrases - singles, key=len, reverse=True)
        return cls(frozenset(singles), frozenset(p for p in singles if len(p) >= _STEM), _alternatives(runs),
                   frozenset(phrases))

    def spans(self, joined: str, runs_only: bool = False) -> list[tuple[int, int]]:
        """Where these phrases (``runs_only``: those of several words) stand in a folded
        message " a b c ", overlapping ones included."""
        pattern = self.runs if runs_only else _every(self.phrases)
        return [(m.start(1), m.end(1)) for m in pattern.finditer(joined)] if pattern else []

    def removed_from(self, text: str) -> str:
        """``text`` folded, with these phrases (as they stand) taken out."""
        joined = f" {fold(text)} "
        return _blanked(joined, self.spans(joined))

    def found_in(self, message: str | _Message) -> bool:
        message = message if isinstance(message, _Message) else _Message(message)
        if message.forms & self.words:
            return True
        if self.stems and any(w[:k] in self.stems for w in message.forms for k in range(_STEM, len(w) + 1)):
            return True
        return bool(self.runs and self.runs.search(message.joined))


_STEM = 5  # letters from which a single-word phrase also matches the word's inflections


def _alternatives(phrases: list[str]) -> re.Pattern[str] | None:
    """One pattern for " p " of every phrase, longest first, inside a lookahead so that
    every match is found however they overlap (group 1 is the match)."""
    if not phrases:
        return None
    return re.compile("(?=(" + "|".join(re.escape(f" {p} ") for p in phrases) + "))")


@functools.lru_cache(maxsize=64)
def _every(phrases: frozenset[str]) -> re.Pattern[str] | None:
    """All of a list's phrases, single words too, as one pattern: compiled when a list is
    first looked through whole (the requests for a person never are: 0.1 s of every start)."""
    return _alternatives(sorted(phrases, key=len, reverse=True))


def _blanked(joined: str, spans: list[tuple[int, int]]) -> str:
    """A folded message with the characters of ``spans`` taken out (single spaces)."""
    chars = list(joined)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return " ".join("".join(chars).split())


class _Message:
    """A message folded once for every phrase list it is looked up in."""

    __slots__ = ("forms", "joined")

    def __init__(self, text: str) -> None:
        tokens = fold(text).split()
        self.joined = f" {' '.join(tokens)} "
        self.forms = frozenset(form for t in tokens for form in clitic_forms(t))


def _folded(by_lang: dict[str, list[str] | None] | None) -> frozenset[str]:
    """A YAML section's phrases in every language, folded as messages are; a phrase may
    offer choices in parentheses ("(speak|talk) (to|with) someone" is four phrases)."""
    return frozenset(fold(c) for texts in (by_lang or {}).values() for p in texts or () for c in _choices(str(p))) - {""}


_CHOICE = re.compile(r"\(([^()]*)\)")


def _choices(phrase: str) -> list[str]:
    """Every phrase a pattern with ``(a|b)`` groups stands for (``(|a)``: "a" or nothing)."""
    match = _CHOICE.search(phrase)
    if match is None:
        return [" ".join(phrase.split())]
    head, tail = phrase[: match.start()], phrase[match.end() :]
    return [variant for option in match.group(1).split("|") for variant in _choices(f"{head}{option}{tail}")]


def _after_tokens(text: str, name: str | None, count: int) -> tuple[str, bool]:
    """``text`` from the first word after its first ``count`` folded tokens (the customer's
    name, which :func:`_tokens` leaves out, is skipped too), and whether punctuation stands
    between them ("hi, where…"). Linear in the text: tokens are counted piece by piece, from
    one word start to the next (folding never joins two words)."""
    names = set(fold(name).split()) if name else set()
    seen, previous = 0, 0
    for start in _word_starts(text):
        seen += len(_tokens(text[previous:start], name))
        previous = start
        following = fold(text[start : start + 64]).split()
        if seen >= count and following and following[0] not in names:
            before = text[:start].rstrip()
            return text[start:].strip(), bool(before) and unicodedata.category(before[-1]).startswith("P")
    return " ".join(_tokens(text, name)[count:]), False


def _word_starts(text: str) -> Iterator[int]:
    """Where words begin: a letter or digit that does not continue one (harakat and other
    marks continue the letter they sit on; an emoji's variation selector belongs to no word)."""
    for i, ch in enumerate(text):
        if not ch.isalnum():
            continue
        j = i - 1
        while j >= 0 and unicodedata.category(text[j]) in ("Mn", "Mc", "Me"):
            j -= 1
        if j < 0 or not text[j].isalnum():
            yield i


def _tokens(text: str, name: str | None) -> list[str]:
    tokens = fold(text).split()
    if name:
        name_tokens = set(fold(name).split())
        tokens = [t for t in tokens if t not in name_tokens]
    return tokens
