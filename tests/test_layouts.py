import pytest

from faq.layouts import keyboard_slips, on_english_layout



@pytest.mark.parametrize(("meant", "language"), [
    ("где мой заказ?", "ru"),
    ("Здравствуйте, когда придёт мой заказ?", "ru"),
    ("как вернуть деньги", "ru"),
    ("איפה ההזמנה שלי?", "he"),
    ("כמה עולה משלוח לחיפה?", "he"),
    ("אני רוצה לדבר עם מנהל", "he"),
    ("هزینه ارسال به شیراز چقدره؟", "fa"),
    ("می‌خوام سفارشم رو لغو کنم", "fa"),  # the zero-width non-joiner is Shift+B
    ("آدرس فروشگاه کجاست؟", "fa"),  # آ is Shift+H
    ("متى يصل طلبي؟", "ar"),
    ("أريد التحدث مع مدير", "ar"),  # أ is Shift+H
    ("ممكن استرجع فلوسي؟", "ar"),
])
def test_russian_hebrew_persian_and_arabic_typed_on_the_english_layout_are_written_back_key_for_key(meant, language):
    typed = on_english_layout(meant, language)
    assert typed.isascii() and typed != meant
    assert keyboard_slips(typed)[0] == (language, meant)


def test_persian_and_arabic_share_most_keys_and_the_likelier_reading_comes_first():
    # Both layouts type سلام with these keys: the customers' Persian greeting comes first...
    assert keyboard_slips("sghl") == [("fa", "سلام"), ("ar", "سلام")]
    # ...and where the layouts part, each reads its own: "d" is Persian ی and Arabic ي, ";" ک and ك.
    assert keyboard_slips("hgsghl ugd;l")[0] == ("ar", "السلام عليكم")
    assert keyboard_slips("ldai ;l;l ;kdk?")[0] == ("fa", "میشه کمکم کنین؟")


def test_arabic_vowel_marks_and_persian_digits_typed_on_the_english_layout():
    assert keyboard_slips("Hvd] Hk Hv[~u hg'gf")[0] == ("ar", "أريد أن أرجّع الطلب")  # shadda is Shift+`
    assert keyboard_slips("sthval 2 v,c ;d ldvsi?")[0] == ("fa", "سفارشم ۲ روز کی میرسه؟")  # Persian digits


def test_words_customers_write_count_as_the_languages_own():
    typed = on_english_layout("سفارشم کجاست؟", "fa")
    assert keyboard_slips(typed) == []  # Persian's short word list lacks سفارشم: one word of two
    assert keyboard_slips(typed, lambda language: {"سفارشم"} if language == "fa" else set()) == [("fa", "سفارشم کجاست؟")]


def test_the_russian_layout_gives_its_punctuation_from_the_keys_that_carry_it():
    assert on_english_layout("где мой заказ?", "ru") == "ult vjq pfrfp&"
    assert keyboard_slips("ghbdtn") == [("ru", "привет")] and keyboard_slips("cgfcb,j") == [("ru", "спасибо")]


@pytest.mark.parametrize("text", [
    "where is my order?", "i want to pay my bill",  # English: Hebrew letters too ("ן 'שמא אם פשט צט נןךך")
    "barev dzez, araqum@ qani dram a?", "salam sefaresham kojast", "ezay a7goz ma3ad?",  # Latin-typed hy, fa, ar
    "kheili mamnoon", "vaghean mamnoonam", "sefaresham key mirese", "ana 3ayez a7gez", "shukran", "ezayak ya basha",
    "mersi shat", "inch arjey", "ghaza", "tnx", "mrc",
    "inta", "erb", "apreq", "cheqadr gheymat", "Na areh",  # a word of Latin-typed fa/ar/hy is one by chance
    "Ahlan", "Ashok", "Sergi", "Kahlo", "Wahid", "Khubi", "I am Wahid", "Rewatch",  # a capital is a vowel mark
    "ok", "hi", "lol", "asap pls", "Sevan", "order 12345", "где мой заказ?",
])
def test_english_latin_typed_languages_short_words_and_other_scripts_are_no_slip_of_layout(text):
    assert keyboard_slips(text) == []
