import pytest

from faq.language import detect_language, is_right_to_left


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
    ],
)
def test_language_is_detected_from_the_text(text, expected):
    assert detect_language(text) == expected


def test_persian_and_arabic_are_told_apart_by_letters_only_one_uses():
    # same meaning, "how is my order" — Persian keh/yeh against Arabic kaf/yaa
    assert detect_language("سفارش من چی شد") == "fa"
    assert detect_language("كيف حالة طلبي") == "ar"


def test_nothing_to_read_gives_no_language():
    assert detect_language("👍 123 !!") is None
    assert detect_language("") is None


def test_right_to_left_languages():
    assert is_right_to_left("fa") and is_right_to_left("ar") and is_right_to_left("he")
    assert not is_right_to_left("hy") and not is_right_to_left(None)
