import pytest

from faq.layouts import keyboard_slips, on_english_layout



@pytest.mark.parametrize(("meant", "language"), [
    ("где мой заказ?", "ru"),
    ("Здравствуйте, когда придёт мой заказ?", "ru"),
    ("как вернуть деньги", "ru"),
    ("איפה ההזמנה שלי?", "he"),
    ("כמה עולה משלוח לחיפה?", "he"),
    ("אני רוצה לדבר עם מנהל", "he"),
])
def test_russian_and_hebrew_typed_on_the_english_layout_are_written_back_key_for_key(meant, language):
    typed = on_english_layout(meant, language)
    assert typed.isascii() and typed != meant
    assert keyboard_slips(typed) == [(language, meant)]


def test_the_russian_layout_gives_its_punctuation_from_the_keys_that_carry_it():
    assert on_english_layout("где мой заказ?", "ru") == "ult vjq pfrfp&"
    assert keyboard_slips("ghbdtn") == [("ru", "привет")] and keyboard_slips("cgfcb,j") == [("ru", "спасибо")]


@pytest.mark.parametrize("text", [
    "where is my order?", "i want to pay my bill",  # English: Hebrew letters too ("ן 'שמא אם פשט צט נןךך")
    "barev dzez, araqum@ qani dram a?", "salam sefaresham kojast", "ezay a7goz ma3ad?",  # Latin-typed hy, fa, ar
    "ok", "hi", "lol", "asap pls", "Sevan", "order 12345", "где мой заказ?",
])
def test_english_latin_typed_languages_short_words_and_other_scripts_are_no_slip_of_layout(text):
    assert keyboard_slips(text) == []
