"""Typos put right before a message is matched: English, and Persian, Arabic, Hebrew, Russian and Armenian.

The encoder reads a misspelt word as unrelated word pieces: on the eval sets, two typos in each
English question ("my prescriptuon is from last Febtuary") cut the share of English questions
served on the tuning pool from 86% to 63%, because both the ranking and the confidence fall. The
speller puts a word right when it is rare or unknown in English and a much more common word is
near: a word of the bank one edit away (two for words of eight letters or more), or a common
English word one edit away.

* "Known" and "common" come from wordfreq's English frequency list (the ``wordfreq`` package's
  data file, read without importing the package), kept as hashes in one sorted array.
* The bank's own words (its questions and answers, and the small-talk phrases) count as common
  whatever their frequency in English, so a product name is never "corrected" and a typo near one
  goes to it. Terms of the trade that the concept lexicon or the deployment's glossary knows
  ("modems", "sleet") and the customer's name are never changed.
* Among words equally near, the likelier slip wins (:func:`typing_cost`), then the bank's word,
  then (in the stricter languages below) another slip before a neighbouring key, then the
  commoner word.
* Left alone: words under three letters or over 25; three-letter words but for a letter left out
  of the bank's or a very common word ("snd", "wll"); four-letter words except for two swapped
  letters ("yaer"), or a letter left out or a neighbouring key when the whole word is the bank's
  or very common ("oder", "wher", "csrd"); words capitalised inside a sentence or all in capitals (names, acronyms:
  "Sevan", "HIIT"); words with accents or apostrophes; anything in a run of text with a digit,
  "@", "/" or "_" (codes, addresses, links; but for the shorthand below); a change of first
  letter ("goris" is not "boris"),
  but for the first two letters swapped. The caller leaves alone Armenian or Persian typed in
  Latin letters that a word of the message names (faq/romanized.py reads those).
* A plural of a bank word or of a common English word is no typo ("steakhouses").
* Chat shorthand that is no English word ("whr", "hw mch", "pkg"; as a whole run of text "r",
  "w", and with a digit or a slash "b4", "2moro", "w/") is written out, unless the bank uses it, it is in capitals or
  capitalised inside a sentence, or the lexicon knows it.
* The better word must be at least 100 times as frequent (two zipf steps): "reorder" is not
  turned into "recorder", nor "installer" into "installed", while "recieve", "taht" and
  "shiping" are put right. Rare real words outside the bank and the lexicon can still be
  changed ("proration" into "probation"): adding them to the bank or the glossary keeps them.

Persian, Arabic, Hebrew and Russian get a stricter speller of the same kind (``Speller(...,
language=)``, made by :class:`Spellers` when a message in the language first needs one). Their words
inflect and take attached pronouns and particles, so most words a list lacks are forms, not typos:
the words customers write in them (``faq/parallel.yml``, the small-talk phrases) are protected as a
bank's are; a word the language's list holds at any frequency is kept, and so is a customer's word
with a pronoun or particle attached, or a listed one unless a slip away lies a word a hundred times
commoner than it ("تارخی" is "تاریخ", date, with two letters swapped, not a rare "تارخ" and "ی"); words
of three letters or fewer (four in Armenian), runs with diacritics and Persian compounds joined by a zero-width
non-joiner are left alone; and only one slip of the fingers is undone (a letter left out or doubled,
two letters swapped, never the first two) towards a common word or a customer's one — in a
four-letter word only towards a customer's word or a very common one ("مأخر" is "متأخر", late;
"دورغ" is "دروغ", a lie). A neighbouring key of the language's own layout (faq/keyboards.py) is a
slip too, but not in a word's last letter, an ending or a dialect's word ("термосумке", Moroccan
"كارط"), and only towards a customer's word the list counts common or a very common one ("цкна" is
"цена"; "بتنظفوا", do you clean, is not "بتوظفوا", do you hire). A candidate that is the typed word with
one letter or an ending more is another form of it, not the word meant ("Կահույք", furniture, is
not "Կահույքը", the furniture).

Armenian, for which wordfreq has no list, gets the same strict speller with an empty one: a slip
is undone only towards a word customers write (the parallel corpus: about 6,600 Armenian words of
five letters or more), and a word made of one of those and an ending (a noun's case, plural,
article or possessive; a verb's person and tense) is a form, not a typo.

The corrected text is what the matcher scores; the customer's own text is what is stored
and shown.
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from .keyboards import neighbours
from .memory import return_freed_memory
from .slips import distance, edits, insertions, neighbouring_keys, one_letter_changed, swaps, typing_cost

log = logging.getLogger(__name__)

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# The letters a word of each language is spelt with (lower case); typos are put right in these.
ALPHABETS = {
    "en": _LETTERS,
    "ar": "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي",
    "fa": "ءآأئابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیۀة",
    "he": "אבגדהוזחטיךכלםמןנסעףפץצקרשת",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "hy": "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆև",
}
_CHUNK = re.compile(r"\S+|\s+")
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|\W+")
_LEFT_ALONE = re.compile(r"[@/\\\d_]|\.\w")  # e-mail addresses, links, paths, codes, "e.g", "v1.2"
_SENTENCE_END = re.compile(r"[.!?]\s*$")
_ABBREVIATIONS = frozenset("mr mrs ms dr prof st jr sr vs etc approx no".split())  # "Dr. Kevan" goes on
_MIN_LENGTH = 4
_SLIP = 0.5  # typing_cost of one slip of the fingers
# Endings that make a form of a word, not a typo, once they come off: English plurals; the pronouns
# and particles Persian and Arabic customers attach ("کلاسو", the class; "ماهشه", it's his month).
_ENDINGS = {
    "en": ("es", "s"),
    "fa": ("رو", "و", "م", "ن", "ت", "ش", "ی", "ا", "ه"),
    "ar": ("ها", "لي", "ني", "و", "ا", "ي", "ه", "ك"),
    # Armenian: a noun's plural, case and article or possessive (պատվերներից, from the orders;
    # հաշիվս, my account), a verb's person and tense (ուզում եմ, ստանամ, ստացանք, չեղարկեք).
    "hy": ("ներից", "ներով", "ներում", "ները", "ների", "ներս", "ներդ", "երից", "երով", "երում", "երը", "երի",
           "երս", "երդ", "ներ", "եր", "ից", "ով", "ում", "ուց", "ամբ", "ին", "իս", "իդ", "ի", "ը", "ն", "ս", "դ",
           "եցինք", "եցիք", "եցին", "եցի", "ացինք", "ացիք", "ացին", "ացի", "անք", "ենք", "եք", "աք", "եմ", "ամ",
           "ես", "աս", "են", "ան", "եց", "աց", "ել", "ալ", "ած", "ված", "ելու", "ալու", "իր", "ք", "մ", "լ", "ա", "ե"),
}
# A letter put inside a word that makes another form of it: Armenian's passive վ (ավարտում,
# finishing; ավարտվում, being finished). And a last letter doubled that is an ending after the
# same letter, not a slip: Armenian's article ն after a final ն (լավագույնն, the best).
_INFIXES = {"hy": "վ"}
_DOUBLED_ENDINGS = {"hy": ("նն",)}
_MAX_LENGTH = 25  # letters: longer runs are not words (a pasted code, a key mashed)
_COMMON = 3.0  # zipf: about once per million words; below this a word may be a typo
_BETTER_BY = 2.0  # zipf steps the replacement must be more frequent by
# Chat shorthand the encoder reads as noise ("whr is my pakage" sat at 0.19 confidence, "where is
# my package" at 0.91; "can u deliver b4 friday?" at 0.35, with "before" at 0.98). Only forms that
# are no English word of their own; "u", "ur" and "pls", which the encoder knows, stay as typed,
# and so do "y" (why, or yes to a question) and the digits "2" and "4" (to, for, or a number).
_SHORTHAND = {
    "whr": "where", "wht": "what", "hw": "how", "mch": "much", "sth": "something",
    "smth": "something", "abt": "about", "bcz": "because", "coz": "because", "cuz": "because",
    "ppl": "people", "msg": "message", "msgs": "messages", "acct": "account", "pwd": "password",
    "pw": "password", "addr": "address", "tmrw": "tomorrow", "tmr": "tomorrow", "yday": "yesterday",
    "pkg": "package", "qty": "quantity", "amt": "amount", "num": "number", "appt": "appointment",
    "shd": "should", "cld": "could", "wld": "would", "shud": "should", "wud": "would",
    "thru": "through", "plz": "please", "kno": "know", "rly": "really", "tho": "though",
    "thx": "thanks", "tnx": "thanks",
}
# Shorthand with a digit or a slash, and single letters, read as a whole run of text: "r&d", "b&w",
# codes and links are left alone ("2day" is as often two-day shipping as today: left alone too).
_SHORTHAND_RUNS = {
    "r": "are", "w": "with", "b4": "before", "2moro": "tomorrow", "2morrow": "tomorrow", "2nite": "tonight",
    "l8r": "later", "gr8": "great", "w/": "with", "w/o": "without", "b/c": "because",
}
# Diacritics (Arabic harakat, Hebrew points, combining accents) split a word into pieces that are
# no words, and so do the zero-width non-joiner inside a Persian compound ("می‌شورید", you wash,
# whose "شورید" alone is a rare word) and Armenian question, stress and exclamation marks, which sit
# on a word's stressed vowel ("Որտե՞ղ"): a run of text with one is left alone.
_MARKS = re.compile("[\u0300-\u036f\u0591-\u05c7\u064b-\u065f\u0670\u200c\u055b\u055c\u055e]")
_RUN = re.compile(r"([\w/]+?)([.,!?;:]*)")
_VERY_COMMON = 5.0  # zipf: a word of four letters or fewer, or a neighbouring key, may be put right towards these
_BANK_ZIPF = 4.0  # the bank's own words count at least this frequent
_ZIPF_OF_BUCKET = 9.0 - np.arange(1200) / 100


def _position(hashes: np.ndarray, word: object) -> int | None:
    """Where ``word``'s hash is in the sorted ``hashes``, or None."""
    h = hash(word)
    i = int(np.searchsorted(hashes, h))
    return i if i < len(hashes) and hashes[i] == h else None


class HashedWords:
    """A set of words kept as their sorted hashes: a word is 8 bytes, not a Python string (the
    four other languages' common words took 25 MB as strings). Python's string hash is salted per
    process, which is fine: the set is built per process."""

    def __init__(self, hashes: np.ndarray) -> None:
        self._hashes = np.unique(np.asarray(hashes, dtype=np.int64))

    @classmethod
    def of(cls, words: Iterable[str]) -> HashedWords:
        return cls(np.fromiter(map(hash, words), dtype=np.int64))

    def __contains__(self, word: object) -> bool:
        return _position(self._hashes, word) is not None

    def __len__(self) -> int:
        return len(self._hashes)

    def among(self, words: Iterable[str]) -> set[str]:
        """Those of ``words`` in the set (one search for all of them)."""
        words = list(words)
        if not words or not len(self._hashes):
            return set()
        hashes = np.fromiter(map(hash, words), dtype=np.int64, count=len(words))
        at = np.minimum(np.searchsorted(self._hashes, hashes), len(self._hashes) - 1)
        return {word for word, found in zip(words, self._hashes[at] == hashes) if found}


class Frequencies:
    """A language's word frequencies (zipf: log10 of uses per billion words), compact: one sorted
    array of word hashes and one of zipf values, about 4 MB for wordfreq's 320,000 English words.
    Python's string hash is salted per process, which is fine: the table is built per process."""

    def __init__(self, hashes: np.ndarray, zipf: np.ndarray, common: HashedWords) -> None:
        order = np.argsort(hashes, kind="stable")
        self._hashes = np.asarray(hashes, dtype=np.int64)[order]
        self._zipf = np.asarray(zipf, dtype=np.float32)[order]
        self.common = common  # the words a one-edit correction may go to

    @classmethod
    def of(cls, words_by_zipf: dict[str, float], common: Iterable[str] = ()) -> Frequencies:
        hashes = np.fromiter(map(hash, words_by_zipf), dtype=np.int64, count=len(words_by_zipf))
        return cls(hashes, np.array(list(words_by_zipf.values())), HashedWords.of(common))

    def zipf(self, word: str) -> float:
        """0.0 for a word the list does not hold."""
        i = _position(self._hashes, word)
        return 0.0 if i is None else float(self._zipf[i])

    @classmethod
    def wordfreq(cls, language: str = "en") -> Frequencies | None:
        """From the ``wordfreq`` package's "large" list (its "small" one for the words a
        correction may go to; Persian has only that one); None, with a warning, when the package
        is not installed. The lists are read one frequency band at a time, so no more than one
        band's words are ever Python strings at once."""
        spec = importlib.util.find_spec("wordfreq")
        if spec is None or not spec.submodule_search_locations:
            log.warning("the wordfreq package is not installed: typos are matched as typed")
            return None
        import msgpack

        data = Path(next(iter(spec.submodule_search_locations))) / "data"
        small = data / f"small_{language}.msgpack.gz"
        large = data / f"large_{language}.msgpack.gz"
        try:
            hashes, counts = [], []
            for bucket in _read_cbpack(large if large.exists() else small):
                hashes.append(np.fromiter(map(hash, bucket), dtype=np.int64, count=len(bucket)))
                counts.append(len(bucket))
            common = [np.fromiter((hash(w) for w in bucket if w.isalpha()), dtype=np.int64)
                      for index, bucket in enumerate(_read_cbpack(small)) if _ZIPF_OF_BUCKET[index] >= _COMMON]
        except (OSError, EOFError, zlib.error, ValueError, msgpack.UnpackException) as exc:
            log.warning("cannot read wordfreq's %s word list (%s): typos are matched as typed", language, exc)
            return None
        zipf = np.repeat(_ZIPF_OF_BUCKET[: len(counts)], counts)
        frequencies = cls(np.concatenate(hashes) if hashes else np.zeros(0, np.int64), zipf,
                          HashedWords(np.concatenate(common) if common else np.zeros(0, np.int64)))
        del hashes, common
        return_freed_memory()  # the decompressed file and one band's strings
        return frequencies


_WITHOUT_LIST = frozenset({"hy"})  # wordfreq has no list: corrections go to the customers' words only
_loaded: dict[str, Frequencies | None] = {}  # language → its frequencies (None: unavailable), read once
_load_lock = threading.Lock()


def frequencies(language: str) -> Frequencies | None:
    """A language's word frequencies, read once per process (0.25 s for English, about 0.5 s for
    Arabic, Hebrew or Russian) and shared by every bank; a caller that arrives while another
    thread reads them waits for that read: an empty list for Armenian, which wordfreq lacks; None
    for a language without a speller, or when wordfreq is not installed."""
    if language not in ALPHABETS:
        return None
    with _load_lock:
        if language not in _loaded:
            _loaded[language] = Frequencies.of({}) if language in _WITHOUT_LIST else Frequencies.wordfreq(language)
        return _loaded[language]


def english() -> Frequencies | None:
    return frequencies("en")


def preload() -> None:
    """Start reading the English frequencies in the background: a server calls this before it
    loads the model, and the two overlap (about 0.15 s less to start). The other languages' are
    read once its bank is built (``Matcher.prepare_spelling``)."""
    threading.Thread(target=english, name="wordfreq-preload", daemon=True).start()


def _read_cbpack(path: Path) -> Iterator[list[str]]:
    """wordfreq's file format: a header, then one list of words per centibel of frequency,
    the most frequent first (bucket i: frequency 10^(-i/100), zipf 9 - i/100); yielded one
    bucket at a time."""
    import msgpack

    with gzip.open(path) as f:
        unpacker = msgpack.Unpacker(f, raw=False)
        items = unpacker.read_array_header()
        header = unpacker.unpack() if items else None
        if not isinstance(header, dict) or header.get("format") != "cB" or items - 1 > len(_ZIPF_OF_BUCKET):
            raise ValueError(f"{path.name} is not a wordfreq cBpack file")
        for _ in range(items - 1):
            yield unpacker.unpack()


def written_words(text: str) -> set[str]:
    """The words of ``text`` as the speller reads them: lower case, each language's own letters
    (not folded across languages as faq/text.py folds them for matching)."""
    return {token.lower() for token in _TOKEN.findall(text) if token[0].isalpha()}


class Spellers:
    """The speller for each language a message may be written in, made when a message in it first
    needs one (its word list is read then, or waited for if ``Matcher.prepare_spelling`` is reading
    it).

    English is made at once, from the bank's words. Another language's speller protects the words
    customers write in it: ``vocabulary(language)`` (the parallel corpus of customer messages, the
    small-talk phrases, the bank's own questions in it)."""

    def __init__(self, english: Speller | None, vocabulary: Callable[[str], Iterable[str]],
                 known: Callable[[str], bool] | None = None) -> None:
        self._made: dict[str, Speller | None] = {"en": english}
        self._vocabulary = vocabulary
        self._known = known
        self._lock = threading.Lock()

    def __call__(self, language: str | None) -> Speller | None:
        if language is None or language not in ALPHABETS:
            return None
        if language in self._made:
            return self._made[language]
        with self._lock:
            if language not in self._made:
                found = frequencies(language)
                self._made[language] = (Speller(found, self._vocabulary(language), self._known, language)
                                        if found is not None else None)
            return self._made[language]


def _ends_sentence(separator: str, previous_word: str) -> bool:
    """A full stop, question or exclamation mark ends a sentence, but not after "Dr" or "Mr"."""
    return bool(_SENTENCE_END.search(separator)) and previous_word.lower().rstrip(".") not in _ABBREVIATIONS


def _may_change(token: str, sentence_start: bool) -> bool:
    """Neither an acronym (HIIT, AMEX) nor a name (Sevan, Goris, Lilit: capitalised inside a sentence)."""
    return not token.isupper() and (sentence_start or not token[0].isupper())


class Speller:
    """Puts one language's typos right against the words known to be customers' and common ones."""

    def __init__(self, frequencies: Frequencies, vocabulary: Iterable[str],
                 known: Callable[[str], bool] | None = None, language: str = "en") -> None:
        """``vocabulary``: words never changed and preferred as corrections (the bank's; for
        another language than English, what customers write in it: ``Matcher._customer_words``).
        ``known``: says whether a word is a term of the trade (a concept of the lexicon or the
        deployment's glossary), which is never changed however rare it is in the language."""
        self.frequencies = frequencies
        self.letters = ALPHABETS[language]
        self._keys = neighbours(language)  # a neighbouring key is a likely slip (faq/keyboards.py)
        # The shortest word a slip is undone in: three letters in English, whose list tells the very
        # common words a letter left out comes from ("snd" is "send"); five in Armenian, which has
        # no list, and whose four-letter words' neighbours among the customers' words are other
        # words ("ծխել", to smoke, is not "ծախել", to sell); four in the others.
        self._shortest = (_MIN_LENGTH - 1 if language == "en"
                          else _MIN_LENGTH + 1 if language in _WITHOUT_LIST else _MIN_LENGTH)
        # Persian, Arabic, Hebrew and Russian inflect and attach far more than English: most words a
        # list lacks are forms, not typos ("بتنظفوا", do you clean, had become "بتوظفوا", do you hire).
        # Their speller changes no word the list holds, and only undoes one slip of the fingers.
        self._strict = language != "en"
        self._endings = _ENDINGS.get(language, ())
        self._infixes = _INFIXES.get(language, "")
        self._doubled_endings = _DOUBLED_ENDINGS.get(language, ())
        self._known = known or (lambda word: False)
        vocabulary = frozenset(vocabulary)
        self.vocabulary = frozenset(w for w in vocabulary if self._spelt(w) and len(w) >= _MIN_LENGTH)
        # Shorthand the bank itself uses ("pkg" in a courier's bank) is its own word. English only.
        english_chat = language == "en"
        self._shorthand = {short: word for short, word in _SHORTHAND.items() if english_chat and short not in vocabulary}
        self._shorthand_runs = {short: word for short, word in _SHORTHAND_RUNS.items()
                                if english_chat and short not in vocabulary}
        # Typos rarely touch a word's first letter: bank words by it, each with its letters.
        self._by_initial: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for word in sorted(self.vocabulary):
            self._by_initial.setdefault(word[0], []).append((word, frozenset(word)))

    @classmethod
    def english(cls, vocabulary: Iterable[str], known: Callable[[str], bool] | None = None) -> Speller | None:
        """A speller for English messages to a bank with this vocabulary; None without wordfreq."""
        frequencies = english()
        return cls(frequencies, vocabulary, known) if frequencies is not None else None

    def _spelt(self, word: str) -> bool:
        """Made of this language's letters only (no accents, digits or another script)."""
        return bool(word) and all(letter in self.letters for letter in word)

    def correct(self, text: str, keep: Iterable[str] = ()) -> str:
        """``text`` with its likely typos replaced; unchanged when it has none. ``keep``: words
        never to change (the customer's name)."""
        kept = {w.lower() for w in keep}
        out = []
        sentence_start = True
        changed = False
        previous = ""
        for chunk in _CHUNK.findall(text):
            run = self._written_out(chunk, kept, sentence_start)
            if run is not None:
                changed = True
                out.append(run)
                sentence_start, previous = _ends_sentence(chunk, previous), chunk
                continue
            if chunk.isspace() or _LEFT_ALONE.search(chunk) or _MARKS.search(chunk):
                out.append(chunk)
                sentence_start = sentence_start if chunk.isspace() else _ends_sentence(chunk, previous)
                previous = "" if chunk.isspace() else chunk
                continue
            for token in _TOKEN.findall(chunk):
                if token[0].isalpha():  # a word (digits and "_" left the whole chunk alone above)
                    lowered = token.lower()
                    fixed = self._fix(lowered) if lowered not in kept and _may_change(token, sentence_start) else None
                    if fixed is not None:
                        changed = True
                        token = fixed.capitalize() if token[0].isupper() else fixed
                    sentence_start = False
                    previous = token
                else:
                    sentence_start = sentence_start or _ends_sentence(token, previous)
                out.append(token)
        return "".join(out) if changed else text

    def _written_out(self, chunk: str, kept: set[str], sentence_start: bool) -> str | None:
        """``chunk`` with its shorthand of digits or a slash written out ("b4", "w/"), or None."""
        run = _RUN.fullmatch(chunk)
        if run is None or run[1].lower() not in self._shorthand_runs or run[1].lower() in kept:
            return None
        if not _may_change(run[1], sentence_start) or self._known(run[1].lower()):
            return None
        word = self._shorthand_runs[run[1].lower()]
        return (word.capitalize() if run[1][0].isupper() else word) + run[2]

    def _fix(self, word: str) -> str | None:
        """What ``word`` (lower case) stands for: chat shorthand written out, a typo put right."""
        if word in self._shorthand:
            return None if self._known(word) else self._shorthand[word]
        if not self._spelt(word):
            return None  # apostrophes ("couldn't"), accents ("nestlé"), another script
        return self.suggest(word)  # which leaves alone words too short or too long

    def suggest(self, word: str) -> str | None:
        """The word ``word`` was probably meant to be, or None to keep it."""
        if word in self.vocabulary or not self._shortest <= len(word) <= _MAX_LENGTH:
            return None
        own = self.frequencies.zipf(word)
        if own >= _COMMON or (self._strict and own > 0) or self._known(word):
            return None
        listed = own > 0
        stems = self._stems(word)
        if stems and (not self._strict or not stems.isdisjoint(self.vocabulary)):
            return None  # a form of a known word ("steakhouses"), or of a customer's word
        # A strict language's form of a listed word is no typo unless a slip away lies a word much
        # commoner than that reading: "تارخی" reads as a rare listed "تارخ" with "ی" on, but is
        # "تاریخ" (date) with two letters swapped.
        own = max([own, *map(self.frequencies.zipf, stems)])
        longest = 2 if len(word) >= 8 and not self._strict else 1
        # A four-letter word has too many common neighbours one edit away ("amex", "alex"). Two
        # letters swapped ("yaer") is still worth putting right, and so are a letter left out, the
        # commonest slip, and a neighbouring key, when they leave a rare word and the whole word is
        # the bank's own or very common ("oder", "pric", "wher"; "csrd", "wjat", "hime"): few words
        # sit one such slip away. In the strict languages, whose short words are denser, a swap
        # too must give a customer's or a very common word: Arabic "كيفل" (how to…, run together)
        # is not "كفيل" (a guarantor).
        if len(word) > _MIN_LENGTH:
            nearby = edits(word, self.letters)
        elif len(word) < _MIN_LENGTH:  # English only: "snd", "wll" and "tey" are "send", "will", "they"
            nearby = self._customers_or_very_common(insertions(word, self.letters))
        else:
            swapped = swaps(word)
            # A listed word is not taken for another typed with a neighbouring key ("intl" is not
            # "into", "teak" not "team"): unknown ones are ("csrd", "wjat").
            keys = neighbouring_keys(word, self._keys) if not listed else set()
            slips = insertions(word, self.letters) | keys | (swapped if self._strict else set())
            nearby = self._customers_or_very_common(slips)
            if not self._strict:
                nearby |= swapped
        candidates = {*self._bank_candidates(word, longest), *self.frequencies.common.among(nearby)}
        if len(word) <= _MIN_LENGTH:
            candidates &= nearby  # the bank's words too: "bils" is not "bios"
        best: tuple[float, int, bool, float, str] | None = None
        for candidate in candidates:
            if candidate[0] != word[0] and (self._strict or not (len(candidate) == len(word) and candidate[:2] == word[1::-1])):
                continue  # typos rarely touch the first letter; names differ in it ("goris", "boris")
            if self._strict and self._another_form(word, candidate):
                continue
            in_bank = candidate in self.vocabulary
            allowed = longest if in_bank else 1  # two edits only towards a long bank word
            if distance(word, candidate, allowed) > allowed:
                continue
            zipf = max(self.frequencies.zipf(candidate), _BANK_ZIPF) if in_bank else self.frequencies.zipf(candidate)
            cost = typing_cost(word, candidate, self._keys)
            key_slip = self._strict and one_letter_changed(word, candidate)
            if self._strict and (cost > _SLIP or (key_slip and self._unlikely_key(word, candidate))):
                continue  # a letter left out or doubled, two swapped, a neighbouring key: nothing else
            # The likelier slip first ("wamt" is "want", m and n are neighbours, not "wait"), then
            # the bank's (or a customer's) word ("الشخن" is "الشحن", shipping, typed with a
            # neighbouring key, not "الخشن", the rough one), then, in the strict languages, another
            # slip before a neighbouring key ("الطللب" is "الطلب", the order, with a letter doubled,
            # not "الطلاب", the students), then the more common word.
            key = (cost, 0 if in_bank else 1, key_slip, -zipf, candidate)
            best = key if best is None or key < best else best
        if best is None or -best[3] - own < _BETTER_BY:
            return None
        return best[4]

    def _customers_or_very_common(self, words: set[str]) -> set[str]:
        """Those of ``words`` that are the bank's (or the customers') or very common in the language."""
        return {w for w in words if w in self.vocabulary or self.frequencies.zipf(w) >= _VERY_COMMON}

    def _unlikely_key(self, word: str, candidate: str) -> bool:
        """In the strict languages a neighbouring key is undone only inside a word, not in its last
        letter, which makes another form or is a dialect's word (on ArBanking77 it turned 37 words,
        nearly all wrongly: Moroccan "كارط", card, into "كارد", "يدوز", it takes, into "يدوم"),
        and only towards a customer's word the list counts common, or a very common one: a key
        away from an unlisted colloquial word often lies another ("بتنظفوا", do you clean, is not
        "بتوظفوا", do you hire). Dialects the lists barely hold still lose a few words this way:
        on ArBanking77's five dialects 31 of 138,000 words change, 17 of them rightly ("بطافتي" is
        "بطاقتي", my card) and 14 not (Moroccan "بشحال", for how much, becomes "بشمال")."""
        floor = _COMMON if candidate in self.vocabulary else _VERY_COMMON
        return word[-1] != candidate[-1] or self.frequencies.zipf(candidate) < floor

    def _another_form(self, word: str, candidate: str) -> bool:
        """``candidate`` is another form of ``word``, not the word meant: it has one letter or an
        ending more at the end (Կահույք, Կահույքը), or a letter that makes a form inside (ավարտում,
        ավարտվում)."""
        if candidate.startswith(word) and (len(candidate) == len(word) + 1 or candidate[len(word):] in self._endings):
            return True
        return len(candidate) == len(word) + 1 and any(
            candidate[i] in self._infixes and candidate[:i] + candidate[i + 1:] == word for i in range(1, len(candidate)))

    def _stems(self, word: str) -> set[str]:
        """The known words ``word`` is a form of, if any: an English plural of a bank word or a
        common one ("steakhouses", "playstations"); a Persian or Arabic word with a pronoun or
        particle attached, or an Armenian one with an ending, to a customer's word or a listed one
        — unless its last letter is doubled, which is a slip ("میرسهه"), but for Armenian's
        article ն after a final ն."""
        if self._strict and word[-1] == word[-2] and not word.endswith(self._doubled_endings):
            return set()
        return {stem for ending in self._endings if word.endswith(ending)
                for stem in (word[: -len(ending)],) if self._known_stem(stem)}

    def _known_stem(self, stem: str) -> bool:
        listed = self.frequencies.zipf(stem) > 0 if self._strict else stem in self.frequencies.common
        return stem in self.vocabulary or listed

    def _bank_candidates(self, word: str, longest: int) -> list[str]:
        """Bank words that start as ``word`` does (or with its first two letters swapped), at
        most ``longest`` letters longer or shorter, and not too many letters apart (an edit
        brings in or takes away at most one letter of each: two in all)."""
        letters = frozenset(word)
        swapped = word[1::-1]
        return [w for initial in {word[0], word[1]} for w, own in self._by_initial.get(initial, ())
                if (initial == word[0] or w[:2] == swapped)
                and abs(len(w) - len(word)) <= longest and len(own ^ letters) <= 2 * longest]
