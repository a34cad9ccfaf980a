"""Russian, Hebrew, Persian or Arabic typed with the keyboard left on its English layout, written back.

A customer who forgets to switch layouts sends "ult vjq pfrfp&" for "где мой заказ?" (Russian
ЙЦУКЕН), "thpv vvznbv akh?" for "איפה ההזמנה שלי?" (Hebrew SI-1452), "sthval ;[hsj?" for
"سفارشم کجاست؟" (Persian ISIRI 9147) or "hgsghl ugd;l" for "السلام عليكم" (Arabic 101): the
same keys, read as Latin letters. Such a message is gibberish in every language, so nothing in
the bank fits it. Written back key by key, it is the customer's message exactly (no guessing of
vowels, unlike a transliteration). It is taken for one only when fewer than half of its typed
words are common English, most of its words become words of the language (wordfreq's list, the
one the speller reads, or the customers' own), a long one among them, and a message of one word
becomes a very common one: a single Latin-typed word can be one by chance ("inta", Arabizi for
you, is Persian هدفش, his aim, too rare to count alone), a whole message of English or of
Latin-typed Armenian, Persian or Arabic did not, of those tried (docs/benchmarks.md).

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
_LATIN = re.compile("[A-Za-z]")
_MARK = "\u064b-\u0655\u0670"  # Arabic-script vowel marks (a character range)
_MARKS = re.compile(f"[{_MARK}]")  # the lists spell words without them
# A vowel mark, a zero-width non-joiner or an Arabic comma or semicolon opening a word: what a
# capital typed at a word's start gives ("Ahlan" is "ِامشى"), which nobody types before a letter.
_OPENS_WORD = re.compile(f"(?<![\\w{_MARK}])[{_MARK}\u200c،؛](?=\\w)")
_ENGLISH = 3.0  # zipf: a typed word this common in English is English
_KNOWN_SHARE = 0.6  # of the words (three letters or more) the written-back text must hold
_COMMON = 2.5  # zipf: a word the language uses at least three times in ten million; rarer
# "words" of the lists take Latin-typed Armenian for Hebrew ("araqum" is a listed שרשצ)
_ALONE = 4.0  # zipf: a message of one word must be this common, or a customer's ("sghl" is
# سلام; "inta", Arabizi for you, is Persian هدفش, his aim, a rarer word)


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
    # ("ן 'שמא אם פשט צט נןךך"): half of them common English, and the message is English. Shorter
    # ones are often keys of letters ("]d" is Persian چی).
    typed = [w.lower() for w in _WORD.findall(text) if len(w) >= 3]
    if _share(typed, english.zipf, _ENGLISH) >= 0.5:
        return []
    found = []
    for language in CHECKED:
        written = text.translate(LAYOUTS[language])
        if _LATIN.search(written) or _OPENS_WORD.search(written):
            continue  # a Latin letter left (a capital in Hebrew, a size "M"), or a capital opening a word
        tokens = [w.lower() for w in _WORD.findall(_MARKS.sub("", written)) if not w.isdigit()]
        if any(not w.isalpha() for w in tokens):
            continue  # a digit inside a word
        tokens = [w for w in tokens if len(w) >= 3]
        if not tokens or max(map(len, tokens)) < 4:
            continue  # "ok", "hi": too short to tell
        words = frequencies(language)
        if words is None:
            continue
        own = customers(language) if customers else ()

        def zipf(word: str) -> float:
            return max(_ALONE, words.zipf(word)) if word in own else words.zipf(word)

        share = _share(tokens, zipf, _COMMON)
        # A long word among the known ones: short common words come by chance ("cheqadr gheymat",
        # Latin-typed Persian, is Hebrew ביק/שגר and a long nothing).
        long_known = any(len(w) >= 4 and zipf(w) >= _COMMON for w in tokens)
        alone_known = len(tokens) > 1 or zipf(tokens[0]) >= _ALONE
        if share >= _KNOWN_SHARE and long_known and alone_known:
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
