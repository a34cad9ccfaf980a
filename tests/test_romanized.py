"""Armenian, Persian and Arabic typed in Latin letters (faq/romanized.py): no model needed."""

from __future__ import annotations

import pytest

from faq.romanized import looks_romanized, to_arabic, to_armenian, to_persian, transliterations

BANK_WORDS = frozenset({"payment", "methods", "accept", "refund", "delivery"})


@pytest.mark.parametrize(
    "text",
    ["barev, araqum@ qani dram a?", "salam, sefaresham kojast?", "ezay a7goz ma3ad el tarkib?", "merci shat"],
)
def test_latin_typed_armenian_persian_and_arabic_look_romanized(text):
    assert looks_romanized(text, BANK_WORDS)


@pytest.mark.parametrize(
    "text",
    ["where is my order?", "wat payment metods u accept", "cant remember my pasword, help", "سفارشم کجاست؟", "Երբ կհասնի"],
)
def test_english_even_misspelt_and_native_scripts_do_not(text):
    # "pasword" and "metods" are unknown words, but the rest is common English or the bank's.
    assert not looks_romanized(text, BANK_WORDS | {"password", "remember"})


def test_armenian_letters_digraphs_and_the_typed_schwa():
    assert to_armenian("barev, hamar@ vonc gtnem?") == "բարև, համարը ոնց գտնեմ?"
    assert to_armenian("zhamy") == "ժամը"
    assert to_armenian("ekel") == "էկել"  # word-initial e is է
    # Support words whose r, c or x the rules would get wrong come from a stem list.
    assert to_armenian("araqumy") == "առաքումը" and to_armenian("veradarcnem") == "վերադարձնեմ"


def test_persian_common_words_are_spelt_as_persians_write_them():
    assert to_persian("salam, sefaresham kojast?") == "سلام, سفارشم کجاست?"
    assert to_persian("khane") == "خانه"  # kh, medial a, final e written ه
    assert to_persian("shirini") == "شیرینی"  # i written ی


def test_arabizi_digits_stand_for_letters_and_are_tried_only_when_typed():
    assert to_arabic("a7goz") == "احجوز"
    assert to_arabic("el tarkib") == "ال تركيب"
    assert [lang for lang, _ in transliterations("ezay a7goz ma3ad")] == ["ar"]
    assert [lang for lang, _ in transliterations("barev dzez")] == ["hy"]


def test_numbers_and_native_words_are_left_as_they_are():
    assert to_armenian("093 12 34 56") == "093 12 34 56"
    assert to_persian("سلام salam") == "سلام سلام"


@pytest.mark.parametrize("text", ["pool", "Hola", "la", "Tracking number missing", "Lorem ipsum dolor"])
def test_a_latin_message_with_no_word_of_those_languages_is_not_transliterated(text):
    # "pool" is Persian for money, but English too: nothing says the customer is Persian.
    assert transliterations(text) == []


def test_each_language_is_tried_only_when_a_word_points_to_it():
    assert [lang for lang, _ in transliterations("patvers erb kga?")] == ["hy"]
    assert [lang for lang, _ in transliterations("sefaresham key mirese?")] == ["fa"]
    assert [lang for lang, _ in transliterations("amsov zeghch ka?")] == ["hy"]  # a stem is a cue too
