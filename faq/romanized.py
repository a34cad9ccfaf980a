"""Armenian, Persian and Arabic typed in Latin letters, written back in their own script.

Customers often write their language on a Latin keyboard: "barev, araqum@ qani dram a?"
(Armenian), "salam, sefareshamo kojast?" (Persian "Finglish"), "ezay a7goz ma3ad?" (Arabic
"Arabizi"). The encoder and the concept lexicon know these languages in their own script
and read the Latin spelling as broken English: on the held-out sets 11 of 32 such Armenian
messages were served correctly as typed, 22 once transliterated, even by rules this rough
(x is both խ and ղ, a short Persian vowel is never written).

:func:`looks_romanized` says when a Latin-script message is worth a second reading: most of
its words are neither common English nor words of the bank itself. The matcher then reads
each transliteration and keeps one only if it is decisive (an answer, a request for a person,
small talk); otherwise the message is read as typed (faq.matcher).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container

from .text import words

# Words a short English message is made of; with the bank's own vocabulary they tell English
# (typos included) from another language typed in Latin letters.
_ENGLISH = frozenset("""
i me my mine we our us you your yours he she it its they them their is are was were be been being am
do does did done doing have has had having a an the and or but if then than so to of in on at by for
with from about into over under up down out off again once here there when where why how all any both
each few more most other some such no nor not only own same very can will just should now would could
may might must shall what which who whom this that these those please thanks thank thx hi hello hey
yes ok okay get got need want like know tell give make take go going one two three day days week
weeks month months year time today tomorrow yesterday still already also too much many way back
help u pls plz ur im dont cant wont didnt doesnt isnt thats whats wat
""".split())
_LATIN_TEXT = re.compile(r"[\x00-\x7f\u2018\u2019\u201c\u201d]+")
_WORD = re.compile(r"[\w@]+")  # "@" is a letter in Latin-typed Armenian (hamar@ = համարը)
_ARABIZI_DIGITS = re.compile(r"[a-z][2-9]|[2-9][a-z]")


def looks_romanized(text: str, vocabulary: Container[str]) -> bool:
    """True for Latin-script text whose words are mostly neither common English nor the bank's."""
    if not _LATIN_TEXT.fullmatch(text):
        return False
    tokens = [w for w in words(text) if w.isalpha()]
    if not tokens:
        return False
    known = sum(w in _ENGLISH or w in vocabulary for w in tokens)
    return known / len(tokens) < 0.5


# -- Armenian ----------------------------------------------------------------------------
# Longest spellings first; "@" is the schwa ը as Armenians type it ("hamar@").
_ARMENIAN = (
    ("dz", "ձ"), ("gh", "ղ"), ("zh", "ժ"), ("sh", "շ"), ("ch", "չ"), ("kh", "խ"), ("ts", "ց"),
    ("vo", "ո"), ("ov", "ով"), ("ou", "ու"), ("yu", "յու"), ("rr", "ռ"), ("u", "ու"),
    ("a", "ա"), ("b", "բ"), ("g", "գ"), ("d", "դ"), ("e", "ե"), ("z", "զ"), ("y", "ը"), ("t", "տ"),
    ("i", "ի"), ("l", "լ"), ("x", "խ"), ("c", "ց"), ("k", "կ"), ("h", "հ"), ("j", "ջ"), ("m", "մ"),
    ("n", "ն"), ("o", "ո"), ("p", "պ"), ("r", "ր"), ("s", "ս"), ("v", "վ"), ("q", "ք"), ("f", "ֆ"),
    ("w", "վ"), ("@", "ը"),
)


# Words typed so often that their spelling is settled ("barev" is բարև, not բարեվ).
_ARMENIAN_WORDS = {
    "barev": "բարև", "barew": "բարև", "merci": "մերսի", "mersi": "մերսի", "inch": "ինչ", "inchu": "ինչու",
    "vonc": "ոնց", "vonts": "ոնց", "ur": "ուր", "vortex": "որտեղ", "vortegh": "որտեղ", "erb": "երբ", "qani": "քանի",
    "petq": "պետք", "uzum": "ուզում", "karox": "կարող", "karogh": "կարող", "chem": "չեմ", "chi": "չի",
    "chka": "չկա", "ka": "կա", "em": "եմ", "es": "ես", "enq": "ենք", "eq": "եք", "en": "են", "e": "է",
    "a": "ա", "u": "ու", "vor": "որ", "hima": "հիմա", "hamar": "համար", "dzez": "ձեզ", "indz": "ինձ",
    "xndrum": "խնդրում", "khndrum": "խնդրում", "shat": "շատ", "lav": "լավ", "voch": "ոչ", "che": "չէ",
}


def _spell(word: str, start: int, pairs: tuple[tuple[str, str], ...], letter: Callable[[str, int], str]) -> str:
    """``word[start:]`` letter by letter: the first spelling in ``pairs`` that fits, else ``letter``."""
    out, i = "", start
    while i < len(word):
        for latin, native in pairs:
            if word.startswith(latin, i):
                out += native
                i += len(latin)
                break
        else:
            out += letter(word, i)
            i += 1
    return out


# Stems of customer-support words whose Latin spelling the rules get wrong (r is ր or ռ, c is
# ց, ծ or ձ, x is խ or ղ, p is պ or փ): "araqumy" → առաքումը, not արաքումը. The ending is
# spelt by the rules.
_ARMENIAN_STEMS = tuple(sorted({
    "araq": "առաք", "arraq": "առաք", "veradarc": "վերադարձ", "veradardz": "վերադարձ", "patver": "պատվեր",
    "patvir": "պատվիր", "gumar": "գումար", "vchar": "վճար", "vcar": "վճար", "qart": "քարտ", "zeghch": "զեղչ",
    "zexch": "զեղչ", "hasce": "հասցե", "hascei": "հասցեի", "ashxat": "աշխատ", "ashkhat": "աշխատ",
    "gaxtnabar": "գաղտնաբառ", "gaghtnabar": "գաղտնաբառ", "apranq": "ապրանք", "chegharkel": "չեղարկել", "chexark": "չեղարկ", "poxel": "փոխել", "poxe": "փոխե", "poxa": "փոխա",
    "hashv": "հաշվ", "hashiv": "հաշիվ", "mutq": "մուտք", "grancv": "գրանցվ", "grancum": "գրանցում",
    "kayq": "կայք", "havelvac": "հավելված", "vortegh": "որտեղ", "vortex": "որտեղ", "kuryer": "կուրյեր",
    "paymanagir": "պայմանագիր", "zangahar": "զանգահար", "tuyl": "թույլ", "stugel": "ստուգել",
    "sxal": "սխալ", "skhal": "սխալ", "cragir": "ծրագիր", "tsragir": "ծրագիր", "hamacanc": "համացանց",
    "vnasv": "վնասվ", "kotrv": "կոտրվ", "pakas": "պակաս", "hetadardz": "հետադարձ", "parol": "պարոլ",
}.items(), key=lambda pair: -len(pair[0])))


_ARMENIAN_STEM_NAMES = tuple(stem for stem, _ in _ARMENIAN_STEMS)


def _armenian_word(word: str) -> str:
    if word in _ARMENIAN_WORDS:
        return _ARMENIAN_WORDS[word]
    for stem, native in _ARMENIAN_STEMS:
        if word.startswith(stem):
            return native + _spell(word, len(stem), _ARMENIAN, lambda w, i: w[i])
    if word[0] in "eo":  # word-initial e and o are written է and օ
        return ("է" if word[0] == "e" else "օ") + _spell(word, 1, _ARMENIAN, lambda w, i: w[i])
    return _spell(word, 0, _ARMENIAN, lambda w, i: w[i])


# -- Persian -----------------------------------------------------------------------------
_PERSIAN_PAIRS = (("kh", "خ"), ("gh", "ق"), ("sh", "ش"), ("ch", "چ"), ("zh", "ژ"), ("aa", "ا"),
                  ("oo", "و"), ("ou", "و"), ("ee", "ی"), ("ei", "ی"), ("ey", "ی"))
_PERSIAN_LETTERS = {"b": "ب", "p": "پ", "t": "ت", "j": "ج", "h": "ه", "d": "د", "r": "ر", "z": "ز",
                    "s": "س", "f": "ف", "k": "ک", "g": "گ", "l": "ل", "m": "م", "n": "ن", "v": "و",
                    "w": "و", "y": "ی", "q": "ق", "x": "خ", "c": "ک"}
_PERSIAN_INITIAL = {"a": "ا", "e": "ا", "o": "ا", "i": "ای", "u": "او"}


# Short Persian vowels are not written, so a rule cannot spell "konam" (کنم) or "befahmam"
# (بفهمم); the commonest words of customer messages are listed.
_PERSIAN_WORDS = {
    "salam": "سلام", "mersi": "مرسی", "merci": "مرسی", "mamnoon": "ممنون", "mamnun": "ممنون", "lotfan": "لطفا",
    "man": "من", "shoma": "شما", "ma": "ما", "ke": "که", "ro": "رو", "ra": "را", "az": "از", "be": "به",
    "ba": "با", "ya": "یا", "va": "و", "o": "و", "age": "اگه", "agar": "اگر", "chi": "چی", "che": "چه",
    "chera": "چرا", "key": "کی", "koja": "کجا", "kojast": "کجاست", "chand": "چند", "cheghadr": "چقدر",
    "chetor": "چطور", "chetori": "چطوری", "chikar": "چیکار", "bayad": "باید", "mishe": "میشه",
    "nemishe": "نمیشه", "hast": "هست", "nist": "نیست", "dare": "داره", "daram": "دارم", "darid": "دارید",
    "darin": "دارین", "konam": "کنم", "konid": "کنید", "kardam": "کردم", "kard": "کرد", "mikham": "میخوام",
    "mikhastam": "میخواستم", "mitunam": "میتونم", "mitoonam": "میتونم", "befahmam": "بفهمم", "alan": "الان",
    "emruz": "امروز", "emrooz": "امروز", "farda": "فردا", "kheili": "خیلی", "kheyli": "خیلی", "hanuz": "هنوز",
    "hanooz": "هنوز", "sefaresh": "سفارش", "sefaresham": "سفارشم", "pardakht": "پرداخت", "pool": "پول",
    "pul": "پول", "poolam": "پولم", "gheymat": "قیمت", "takhfif": "تخفیف", "laghv": "لغو", "ersal": "ارسال",
    "hesab": "حساب", "hesabam": "حسابم", "peyk": "پیک", "bime": "بیمه", "kart": "کارت", "rasid": "رسید",
    "narasid": "نرسید", "residan": "رسیدن", "poshtibani": "پشتیبانی", "eshterak": "اشتراک",
}


def _persian_letter(word: str, i: int) -> str:
    ch, last = word[i], i == len(word) - 1
    if ch not in "aeiou":
        return _PERSIAN_LETTERS.get(ch, ch)
    # Short vowels are not written in Persian, except at the edges of a word.
    if i == 0:
        return _PERSIAN_INITIAL[ch]
    if ch == "a":
        return "ا"
    if ch == "i":
        return "ی"
    if ch == "u" or (ch == "o" and last):
        return "و"
    return "ه" if ch == "e" and last else ""


def _persian_word(word: str) -> str:
    return _PERSIAN_WORDS.get(word) or _spell(word, 0, _PERSIAN_PAIRS, _persian_letter)


# -- Arabic (Arabizi) ----------------------------------------------------------------------
_ARABIC_PAIRS = (("sh", "ش"), ("kh", "خ"), ("gh", "غ"), ("th", "ث"), ("dh", "ذ"), ("aa", "ا"),
                 ("ee", "ي"), ("oo", "و"), ("ou", "و"))
_ARABIC_LETTERS = {"2": "ء", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "غ", "9": "ق",
                   "b": "ب", "t": "ت", "j": "ج", "g": "ج", "h": "ه", "d": "د", "r": "ر", "z": "ز",
                   "s": "س", "f": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "w": "و",
                   "y": "ي", "v": "ف", "p": "ب", "c": "ك", "x": "كس"}


def _arabic_letter(word: str, i: int) -> str:
    ch = word[i]
    if ch not in "aeiou":
        return _ARABIC_LETTERS.get(ch, ch)
    if i == 0 or (ch == "a" and i == len(word) - 1):
        return "ا"
    return "ي" if ch in "ie" else "و" if ch in "ou" else ""


def _arabic_word(word: str) -> str:
    if word in ("el", "al"):
        return "ال"
    if word.startswith(("el", "al")) and len(word) > 3:  # the article written onto the word
        return "ال" + _spell(word, 2, _ARABIC_PAIRS, _arabic_letter)
    return _spell(word, 0, _ARABIC_PAIRS, _arabic_letter)


def _per_word(convert: Callable[[str], str]) -> Callable[[str], str]:
    def spell(match: re.Match[str]) -> str:
        word = match.group()
        return convert(word) if word.isascii() and not word.isdigit() and any(c.isalpha() for c in word) else word

    def transliterate(text: str) -> str:
        return _WORD.sub(spell, text.lower())

    return transliterate


to_armenian = _per_word(_armenian_word)
to_persian = _per_word(_persian_word)
to_arabic = _per_word(_arabic_word)


# Words that say which language a Latin-typed message is in. Only words no English speaker
# writes: "pool" is Persian for money but English too, and must not send an English message
# to be read as Persian.
_ARMENIAN_CUES = frozenset("""
barev barew inch inchu vonc vonts vortex vortegh erb qani petq uzum uzumem karox karogh karam kareli
karum chem chi chka chkar enq eq hima hamar dzez indz xndrum khndrum shat voch apres apreq shnorhakal
hajox hajogh dzer mer ira im aveli hly hla arden
""".split())
_PERSIAN_CUES = frozenset("""
salam mamnoon mamnun lotfan shoma chera koja kojast chand cheghadr cheqadr chetor chetori chikar bayad
mishe nemishe hast nist hastam nistam daram darid darin dare konam konid kardam kardid mikham mikhastam
mitunam mitoonam mitunid befahmam alan emruz emrooz farda kheili kheyli khaili hanuz hanooz sefaresh
sefaresham pardakht gheymat takhfif laghv ersal hesab hesabam peyk bime rasid narasid poshtibani
eshterak ke ro chi begam begid bedam bedid khodahafez merci mersi
""".split())
_ARABIC_CUES = frozenset("""
ana enta inta enti ezay izzay izay 3ayez 3ayz bidi baddi biddi shu sho wen wein fein feen mish msh mesh
leh lesh leish yalla momken mumkin tayeb keda kida ya3ni wallah 3ndi 3andi 3shan 3ashan ahlan marhaba
shukran shokran habibi
""".split())


def _cued(words_: list[str], cues: frozenset[str], stems: tuple[str, ...] = ()) -> bool:
    return any(w in cues or "@" in w or any(w.startswith(s) for s in stems) for w in words_)


def cued_languages(text: str) -> list[str]:
    """The languages some word of a Latin-typed message points to ("barev": hy, "mikham": fa;
    Arabic also when digits stand for letters: "a7goz"), in the order they are tried."""
    lowered = text.lower()
    tokens = _WORD.findall(lowered)
    plain = [w for w in tokens if "@" not in w]  # a typed schwa is Armenian only
    found = []
    if _cued(tokens, _ARMENIAN_CUES, _ARMENIAN_STEM_NAMES):
        found.append("hy")
    if _cued(plain, _PERSIAN_CUES):
        found.append("fa")
    if _ARABIZI_DIGITS.search(lowered) or _cued(plain, _ARABIC_CUES):
        found.append("ar")
    return found


def transliterations(text: str) -> list[tuple[str, str]]:
    """``[(language, text in its script)]`` worth trying for a romanized message: each language
    some word of the message points to (:func:`cued_languages`)."""
    scripts = {"hy": to_armenian, "fa": to_persian, "ar": to_arabic}
    return [(language, scripts[language](text)) for language in cued_languages(text)]
