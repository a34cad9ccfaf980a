"""Text normalisation shared by the lexical signal and the small-talk rules."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic-script letters written differently in Persian and Arabic keyboards; folding
# them lets "كيف" and "کیف" meet. Also drop tatweel and the harakat (diacritics).
_FOLD = str.maketrans({
    "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ی",
    "ـ": None, "\u200c": " ", "\u200d": None, "\u200f": None, "\u200e": None,
    # Armenian emphasis, exclamation and question marks sit on the stressed vowel, inside the
    # word ("կապվե՞ք", "զանգահարե՛ք"): dropped, not turned into a word break.
    "\u055b": None, "\u055c": None, "\u055e": None,
    # Hebrew final letters are the same letters at a word's end: folded to their medial forms so a
    # stem ("חשבון*") still matches when an ending follows ("חשבונות").
    "ך": "כ", "ם": "מ", "ן": "נ", "ף": "פ", "ץ": "צ",
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
})
_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
_REMEMBERED_LENGTH = 300  # longer texts are folded afresh: a message may be long, the cache bounded


def fold(text: str) -> str:
    """Lower-case, NFKC, no diacritics or punctuation, single spaces.

    Short texts are remembered: a bank's questions are folded by several signals in turn as
    it loads (eight times each, on average), and customers' short messages repeat."""
    return _fold_remembered(text) if len(text) <= _REMEMBERED_LENGTH else _fold(text)


@lru_cache(maxsize=65_536)
def _fold_remembered(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return fold(text).split()


_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\U00002B00-\U00002BFF\uFE0F\u200d]+"
)


def strip_emoji(text: str) -> str:
    return _SPACES.sub(" ", _EMOJI.sub("", text)).strip()


# One-letter clitics and the article that Arabic and Hebrew write onto the next word (and, the,
# to, in, from, that…), as they look after folding (Arabic ك is folded to ک).
_ARABIC_PROCLITICS = ("وال", "فال", "بال", "کال", "لل", "ال", "و", "ف", "ب", "ل", "ک")
_HEBREW_PROCLITICS = ("וכש", "וש", "וה", "וב", "ול", "ומ", "שה", "שב", "של", "מה", "כש", "לה", "בה",
                      "ו", "ה", "ב", "ל", "מ", "ש", "כ")


def clitic_forms(word: str) -> list[str]:
    """The word and the word without the clitics Arabic and Hebrew attach to it."""
    forms = [word]
    first = word[:1]
    if "\u0590" <= first <= "\u05ff":
        clitics = _HEBREW_PROCLITICS
    elif "\u0600" <= first <= "\u06ff":
        clitics = _ARABIC_PROCLITICS
    else:
        return forms
    for clitic in clitics:
        if word.startswith(clitic) and len(word) - len(clitic) >= 2:
            forms.append(word[len(clitic):])
    return forms
