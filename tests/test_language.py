import pytest

from faq.language import detect_language, in_own_letters, is_right_to_left


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("When will my order arrive?", "en"),
        ("سفارشم کی میرسه؟", "fa"),
        ("میخوام با مدیر صحبت کنم", "fa"),
        ("متى يصل طلبي؟", "ar"),
        ("بدي احكي مع المدير", "ar"),
        ("أريد التحدث مع مدير", "ar"),
        ("מתי ההזמנה שלי תגיע?", "he"),
        ("Երբ կհասնի իմ պատվերը", "hy"),
        ("Когда придёт мой заказ?", "ru"),
        ("¿Dónde está mi pedido?", "es"),
        ("Wo ist meine Bestellung bitte", "de"),
        ("Payment was declined", "en"),  # "was" is German too: it had been German
        ("He was rude to me", "en"),
        ("Was kostet das?", "de"),
    ],
)
def test_language_is_detected_from_the_text(text, expected):
    assert detect_language(text) == expected


def test_persian_and_arabic_are_told_apart_by_letters_only_one_uses():
    # same meaning, "how is my order" — Persian keh/yeh against Arabic kaf/yaa
    assert detect_language("سفارش من چی شد") == "fa"
    assert detect_language("كيف حالة طلبي") == "ar"


@pytest.mark.parametrize("persian", ["سفارشم کی میرسه؟", "میشه سفارشم رو کنسل کنین؟", "ملافه ها رو چطوری بشورم؟",
                                     "هزینه ارسال به شیراز چقدره؟", "کارتم رد شد، پول ازم کم شده؟"])
def test_persian_typed_on_an_arabic_keyboard_is_persian_and_is_read_in_persian_letters(persian):
    typed = persian.replace("ی", "ي").replace("ک", "ك")  # Arabic yeh and kaf, as that keyboard types them
    assert typed != persian and detect_language(typed) == "fa"
    assert in_own_letters(typed, "fa") == persian
    assert in_own_letters("كيف حالة طلبي", "ar") == "كيف حالة طلبي"  # Arabic keeps its own letters


@pytest.mark.parametrize("arabic", ["اين تدعموا؟", "من اين يمكنني اصدار بطاقة لي؟", "واحد استخدم كرتي يسوي به شرا",
                                    "كارطتي ماخدمتش كي استعملتها.", "قديش بتكلف ليلة للكرفان مع مي وكهربا؟"])
def test_arabic_words_that_read_as_persian_in_persian_letters_do_not_make_a_message_persian(arabic):
    # اين (where) / این (this), به (with it / to), كي (when / who), مي (water / the verb prefix)
    assert detect_language(arabic) == "ar"


def test_nothing_to_read_gives_no_language():
    assert detect_language("👍 123 !!") is None
    assert detect_language("") is None


def test_right_to_left_languages():
    assert is_right_to_left("fa") and is_right_to_left("ar") and is_right_to_left("he")
    assert not is_right_to_left("hy") and not is_right_to_left(None)
