"""Keyboards: which letter each key of a US keyboard gives in another language's layout, and
which letters lie next to each other.

Two readers: the speller, for which a neighbouring key is one of the likeliest slips
(faq/spelling.py: "wamt" is "want"; "ارسان" is "ارسال", ن and ل share a row), and the
wrong-layout check (faq/layouts.py), which writes a message typed on the English layout back key
by key. The layouts are the ones each language's customers type on by default: Russian ЙЦУКЕН,
Hebrew SI-1452, Arabic 101 and Persian ISIRI 9147 (Windows "Persian (Standard)").
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

# A US keyboard's three rows of letter keys, as they are staggered: each row starts a little to
# the right of the one above, so a key lies below the two keys at its own and the next place
# ("a" below "q" and "w").
US_ROWS = ("qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./")


def _table(keys: str, letters: str, shifted: dict[str, str] | None = None) -> dict[int, str]:
    table = {ord(k): v for k, v in zip(keys, letters, strict=True)}
    table.update({ord(k): v for k, v in (shifted or {}).items()})
    return table


# The shifted keys of Arabic 101 and Persian ISIRI 9147 that type letters, the language's own
# punctuation and its vowel marks (harakat), which customers type only now and then; the
# unshifted Arabic "b" types the two letters لا. Persian's number row types Persian digits, and
# Shift+B its zero-width non-joiner ("می‌شود").
_ARABIC_SHIFTED = {"b": "لا", "`": "ذ", "H": "أ", "Y": "إ", "N": "آ", "G": "لأ", "T": "لإ", "B": "لآ",
                   "K": "،", "P": "؛", "?": "؟", ">": ".", "<": ",", "J": "ـ",
                   "Q": "\u064e", "W": "\u064b", "E": "\u064f", "R": "\u064c", "A": "\u0650", "S": "\u064d",
                   "X": "\u0652", "~": "\u0651"}
_PERSIAN_SHIFTED = {"A": "ؤ", "S": "ئ", "D": "ي", "F": "إ", "G": "أ", "H": "آ", "J": "ة", "Z": "ك", "C": "ژ",
                    "M": "ء", "B": "\u200c", "&": "،", '"': "؛", "?": "؟", "K": "»", "L": "«",
                    "Q": "\u0652", "W": "\u064c", "E": "\u064d", "R": "\u064b", "T": "\u064f", "Y": "\u0650",
                    "U": "\u064e", "I": "\u0651", "N": "\u0654", "X": "\u0653", "V": "\u0670",
                    **dict(zip("0123456789", "۰۱۲۳۴۵۶۷۸۹", strict=True))}

# What each key gives on the layout the customer meant to use (unshifted, and shifted where the
# wrong-layout check needs it). A key whose letter is a Latin one or a sign gives no letter.
LAYOUTS = {
    "ru": _table("qwertyuiop[]asdfghjkl;'zxcvbnm,./`" + 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?',
                 "йцукенгшщзхъфывапролджэячсмитьбю.ё" + "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,",
                 {"&": "?", "~": "Ё", "@": '"', "#": "№", "$": ";", "^": ":"}),
    # Hebrew has no capitals: a capital stays a Latin letter, and such a message is not taken for Hebrew.
    "he": _table("qwertyuiopasdfghjkl;'zxcvbnm,./", "/'קראטוןםפשדגכעיחלךף,זסבהנמצתץ."),
    "ar": _table("qwertyuiop[]asdfghjkl;'zxcvnm,./", "ضصثقفغعهخحجدشسيبلاتنمكطئءؤرىةوزظ", _ARABIC_SHIFTED),
    "fa": _table("qwertyuiop[]asdfghjkl;'zxcvbnm,", "ضصثقفغعهخحجچشسیبلاتنمکگظطزرذدپو", _PERSIAN_SHIFTED),
}


@cache
def neighbours(language: str) -> Mapping[str, frozenset[str]]:
    """Each letter of ``language`` (English, or one in :data:`LAYOUTS`) and the letters of the
    keys around it; empty for a language without a known layout. A desktop keyboard's: phone
    keyboards centre their rows and move a few keys."""
    if language != "en" and language not in LAYOUTS:
        return MappingProxyType({})
    typed = [[k if language == "en" else LAYOUTS[language].get(ord(k), "") for k in row] for row in US_ROWS]
    rows = [[letter if len(letter) == 1 and letter.isalpha() else "" for letter in row] for row in typed]
    found: dict[str, set[str]] = {}
    for r, row in enumerate(rows):
        for i, letter in enumerate(row):
            if not letter:
                continue
            # A key touches the keys on either side, the two above it (to the right) and the two
            # below it (to the left).
            around = ((r, i - 1), (r, i + 1), (r - 1, i), (r - 1, i + 1), (r + 1, i - 1), (r + 1, i))
            found.setdefault(letter, set()).update(
                rows[a][b] for a, b in around if 0 <= a < len(rows) and 0 <= b < len(rows[a]) and rows[a][b])
    return MappingProxyType({letter: frozenset(near - {letter}) for letter, near in found.items()})
