"""Russian or Hebrew typed with the keyboard left on its English layout, written back.

A customer who forgets to switch layouts sends "ult vjq pfrfp&" for "где мой заказ?" (Russian
ЙЦУКЕН) or "thpv vvznbv akh?" for "איפה ההזמנה שלי?" (Hebrew SI-1452): the same keys, read as
Latin letters. Such a message is gibberish in every language, so nothing in the bank fits it.
Written back key by key, it is the customer's message exactly (no guessing of vowels, unlike a
transliteration). It is taken for one only when most of its words become words of the language
(wordfreq's list, the one the speller reads), which English words and Latin-typed Armenian or
Persian never do.
"""

from __future__ import annotations

import re

from .keyboards import LAYOUTS
from .spelling import frequencies

# The layouts a message typed on the English one is checked against (faq/keyboards.py).
CHECKED = ("ru", "he")

_WORD = re.compile(r"\w+")
_ENGLISH = 3.0  # zipf: a typed word this common in English is English (fewer than half may be)
_KNOWN_SHARE = 0.6  # of the words (three letters or more) the written-back text must hold
_COMMON = 2.5  # zipf: a word the language uses at least three times in ten million; rarer
# "words" of the lists take Latin-typed Armenian for Hebrew ("araqum" is a listed שרשצ)


def keyboard_slips(text: str) -> list[tuple[str, str]]:
    """``[(language, text as meant)]`` for a Latin-script message that is Russian or Hebrew typed
    on the English layout; empty for anything else (most messages: nothing is read from a list
    unless the message is ASCII, has a word of four letters or more and no digit)."""
    if not text.isascii():
        return []
    typed = [w.lower() for w in _WORD.findall(text) if len(w) >= 2]
    english = frequencies("en")
    if english is None or sum(english.zipf(w) >= _ENGLISH for w in typed) >= len(typed) / 2:
        return []  # "i want to pay my bill" is Hebrew letters too ("ן 'שמא אם פשט צט נןךך")
    found = []
    for language in CHECKED:
        layout = LAYOUTS[language]
        written = text.translate(layout)
        tokens = [w.lower() for w in _WORD.findall(written)]
        if any(not w.isalpha() or w.isascii() for w in tokens):
            continue  # digits, Latin capitals in Hebrew: not a slip of layout
        tokens = [w for w in tokens if len(w) >= 3]
        if not tokens or max(map(len, tokens)) < 4:
            continue  # "ok", "hi": too short to tell
        words = frequencies(language)
        if words is not None and sum(words.zipf(w) >= _COMMON for w in tokens) >= _KNOWN_SHARE * len(tokens):
            found.append((language, written))
    return found


def on_english_layout(text: str, language: str) -> str:
    """``text`` as the keys that type it on ``language``'s layout give it on the English one (the
    slip :func:`keyboard_slips` undoes; for tests and benchmarks)."""
    keys = {letter: chr(key) for key, letter in LAYOUTS[language].items()}
    return "".join(keys.get(ch, ch) for ch in text)
