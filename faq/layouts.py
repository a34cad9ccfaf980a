"""Russian, Hebrew, Persian or Arabic typed with the keyboard left on its English layout, written back.

A customer who forgets to switch layouts sends "ult vjq pfrfp&" for "где мой заказ?" (Russian
ЙЦУКЕН), "thpv vvznbv akh?" for "איפה ההזמנה שלי?" (Hebrew SI-1452), "sthva, ;[hsj?" for
"سفارشم کجاست؟" (Persian ISIRI 9147) or "hgsgh[ ugd;l" for "السلام عليكم" (Arabic 101): the
same keys, read as Latin letters. Such a message is gibberish in every language, so nothing in
the bank fits it. Written back key by key, it is the customer's message exactly (no guessing of
vowels, unlike a transliteration). It is taken for one only when most of its words become words
of the language (wordfreq's list, the one the speller reads) and more of them than are English
words as typed, which English and Latin-typed Armenian, Persian or Arabic never manage.

Persian and Arabic share most keys, so a message often reads as words of both; the one whose
words are more often listed wins, then the one whose words are commoner (Persian's "d" is ی, its
"n" is د; Arabic's are ي and ى).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from statistics import fmean

from .keyboards import LAYOUTS
from .spelling import frequencies

# The layouts a message typed on the English one is checked against (faq/keyboards.py).
CHECKED = ("ru", "he", "fa", "ar")

_WORD = re.compile(r"\w+")
_MARKS = re.compile("[\u064b-\u0652]")  # Arabic vowel marks: the lists spell words without them
_ENGLISH = 3.0  # zipf: a typed word this common in English is English
_KNOWN_SHARE = 0.6  # of the words (three letters or more) the written-back text must hold
_COMMON = 2.5  # zipf: a word the language uses at least three times in ten million; rarer
# "words" of the lists take Latin-typed Armenian for Hebrew ("araqum" is a listed שרשצ)


def keyboard_slips(text: str, customers: Callable[[str], Container[str]] | None = None) -> list[tuple[str, str]]:
    """``[(language, text as meant)]``, likeliest first, for a Latin-script message that is
    Russian, Hebrew, Persian or Arabic typed on the English layout; empty for anything else (most
    messages: nothing is read from a list unless the message is ASCII and would give a word of
    four letters or more). ``customers(language)``: words customers write in it that its list may
    lack or count rare (Persian's list is a short one: "سفارشم", my order, is not on it)."""
    if not text.isascii():
        return []
    english = frequencies("en")
    if english is None:
        return []
    # Words of three letters or more, as typed: "i want to pay my bill" is Hebrew letters too
    # ("ן 'שמא אם פשט צט נןךך"). Shorter ones are often keys of letters ("]d" is Persian چی).
    typed = [w.lower() for w in _WORD.findall(text) if len(w) >= 3]
    as_english = _share(typed, english.zipf, _ENGLISH)
    if as_english >= 0.5:
        return []
    found = []
    for language in CHECKED:
        written = text.translate(LAYOUTS[language])
        tokens = [w.lower() for w in _WORD.findall(_MARKS.sub("", written)) if not w.isdigit()]
        if any(not w.isalpha() or w.isascii() for w in tokens):
            continue  # Latin letters left over (capitals in Hebrew, a size "M"): not a slip of layout
        tokens = [w for w in tokens if len(w) >= 3]
        if not tokens or max(map(len, tokens)) < 4:
            continue  # "ok", "hi": too short to tell
        words = frequencies(language)
        if words is None:
            continue
        own = customers(language) if customers else ()
        share = _share(tokens, lambda w: _COMMON if w in own else words.zipf(w), _COMMON)
        if share >= _KNOWN_SHARE and share > as_english:
            found.append((share, fmean(map(words.zipf, tokens)), language, written))
    found.sort(key=lambda f: (-f[0], -f[1]))
    return [(language, written) for _, _, language, written in found]


def _share(words: list[str], zipf: Callable[[str], float], least: float) -> float:
    """The share of ``words`` at least ``least`` common by ``zipf`` (0 for no words)."""
    return sum(zipf(w) >= least for w in words) / len(words) if words else 0.0


def on_english_layout(text: str, language: str) -> str:
    """``text`` as the keys that type it on ``language``'s layout give it on the English one (the
    slip :func:`keyboard_slips` undoes; for tests and benchmarks)."""
    keys = {letter: chr(key) for key, letter in LAYOUTS[language].items()}
    return "".join(keys.get(ch, ch) for ch in text)
