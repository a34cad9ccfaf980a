"""The dialogue policy and `helpline eval`, on the demo bank with the real model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.messages import Message, ReplyKind
from faq.matcher import Candidate, Reading, Reason, Verdict
from bot.policy import ANSWER_PAYLOAD, NONE_PAYLOAD, ConversationMode, ConversationState

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_BANK = ROOT / "data" / "bank"


def say(responder, text, name=None, state=None):
    message = Message(channel="test", conversation_id="c1", user_id="u1", text=text, display_name=name)
    decision, _ = responder.decide(state or ConversationState(), message)
    return decision


def test_first_answer_greets_by_name_and_is_the_approved_text(demo_responder):
    decision = say(demo_responder, "How long does delivery take?", name="Sara")
    assert decision.outcome == "shipping-time"
    reply = decision.replies[0]
    assert reply.kind is ReplyKind.ANSWER and reply.entry_id == "shipping-time"
    approved = demo_responder.bank.entry("shipping-time").answer["en"]
    assert reply.text.startswith("Hi Sara") and reply.text.endswith(approved)


def test_later_answers_do_not_greet_again(demo_responder):
    first = say(demo_responder, "How long does delivery take?", name="Sara")
    second = say(demo_responder, "How long does delivery take?", name="Sara", state=first.state)
    assert second.replies[0].text == demo_responder.bank.entry("shipping-time").answer["en"]


def test_answer_comes_in_the_customers_language_when_the_entry_has_it(demo_responder):
    decision = say(demo_responder, "سفارشم کی به دستم می‌رسه؟")
    assert decision.outcome == "shipping-time"
    assert decision.replies[0].text == demo_responder.bank.entry("shipping-time").answer["fa"]


def test_untranslated_answer_is_introduced_in_the_customers_language_once(demo_responder):
    catalogue = demo_responder.catalogue
    approved = demo_responder.bank.entry("shipping-time").answer["en"]
    first = say(demo_responder, "Առաքումը քանի՞ օր է տևում", name="Ani Petrosyan")  # no entry has Armenian answers
    assert first.outcome == "shipping-time"
    note, answer = first.replies
    assert note.kind is ReplyKind.ACK and note.language == "hy"
    assert note.text == catalogue.personal("answer_untranslated", "hy", "Ani") and "Ani" in note.text
    assert answer.kind is ReplyKind.ANSWER and answer.language == "en" and answer.text == approved  # no English "Hi Ani!"
    second = say(demo_responder, "Առաքումը որքա՞ն արժե", name="Ani Petrosyan", state=first.state)
    assert [r.kind for r in second.replies] == [ReplyKind.ANSWER]


def test_untranslated_note_is_anonymous_after_a_greeting_and_absent_for_unknown_languages(demo_responder):
    greeted = say(demo_responder, "Բարև", name="Ani")
    decision = say(demo_responder, "Առաքումը քանի՞ օր է տևում", name="Ani", state=greeted.state)
    assert decision.replies[0].text == demo_responder.catalogue.personal("answer_untranslated", "hy", None)
    # A language the phrase catalogue does not speak: a note in English would help nobody.
    german = ConversationState(language="de")
    message = Message(channel="test", conversation_id="c1", user_id="u1", text="x", display_name="Jonas")
    plain = demo_responder.brain.policy._answer(german, message, "shipping-time", 0.9)
    assert [r.kind for r in plain.replies] == [ReplyKind.ANSWER]
    assert plain.replies[0].text.startswith("Hi Jonas!")


def test_request_for_a_manager_hands_off_naming_department_and_response_time(demo_responder):
    for text in ["I want to talk to a manager", "می‌خوام با مدیر صحبت کنم", "أريد التحدث مع المدير", "אני רוצה לדבר עם מנהל"]:
        decision = say(demo_responder, text, name="Sara")
        assert decision.outcome == "handoff", text
        assert decision.handoff.reason == "requested"
        assert decision.state.mode is ConversationMode.WAITING
        assert "handoff_request" in decision.feedback
        department = demo_responder.bank.department(decision.handoff.department)
        language = decision.state.language
        assert department.name_in(language) in decision.replies[0].text and "Sara" in decision.replies[0].text


def test_handoff_goes_to_the_department_of_the_closest_entry(demo_responder):
    policy = demo_responder.brain.policy
    message = Message(channel="test", conversation_id="c1", user_id="u1", text="can the courier come at night?")
    unsure = Reading(Verdict.HANDOFF, Reason.NOT_COVERED, "en", (Candidate("shipping-time", "logistics", 0.5, 0.6),))
    decision = policy.decide(ConversationState(), message, unsure)
    assert decision.handoff.department == "logistics"
    assert "Logistics" in decision.replies[0].text
    far = Reading(Verdict.HANDOFF, Reason.NOT_COVERED, "en", (Candidate("shipping-time", "logistics", 0.05, 0.3),))
    assert policy.decide(ConversationState(), message, far).handoff.department == "support"  # the default queue


def test_thanks_is_counted_as_a_satisfaction_signal(demo_responder):
    decision = say(demo_responder, "thanks a lot!", name="Sara")
    assert decision.outcome == "thanks" and decision.feedback == ("thanks",)
    assert "Sara" in decision.replies[0].text


def test_bot_is_silent_while_a_person_owns_the_conversation(demo_responder):
    decision = say(demo_responder, "How long does delivery take?", state=ConversationState(mode=ConversationMode.HUMAN))
    assert decision.outcome == "silent" and decision.replies == ()


def test_clicking_a_clarification_button_answers_that_entry_and_none_hands_off(demo_responder):
    state = ConversationState(replied=True, pending_choices=("return-policy", "refund-status"))
    decision = say(demo_responder, ANSWER_PAYLOAD + "refund-status", state=state)
    assert decision.outcome == "refund-status"
    decision = say(demo_responder, NONE_PAYLOAD, state=state)
    assert decision.outcome == "handoff" and decision.handoff.reason == "clarify_declined"
    assert decision.handoff.department == "support"  # the department of the closest offered entry


def test_a_button_for_a_draft_entry_is_never_answered(demo_responder):
    decision = say(demo_responder, ANSWER_PAYLOAD + "loyalty-program")
    assert decision.outcome == "handoff"


def test_eval_json_follows_the_contract(tmp_path):
    cases = tmp_path / "cases.yml"
    cases.write_text(
        "cases:\n"
        "  - {lang: en, expect: shipping-time, text: \"How long does delivery take?\"}\n"
        "  - {lang: en, expect: handoff, text: \"I want to speak to a manager\"}\n"
        "  - {lang: fa, expect: greeting, text: \"سلام\"}\n"
        "  - {lang: en, expect: return-policy, text: \"Do you ship to the moon?\"}\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "eval", str(DEMO_BANK), str(cases), "--config", str(ROOT / "config.yml"), "--json"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    report = json.loads(out.stdout)
    assert set(report) >= {"cases", "accuracy", "wrong_answer_rate", "faq_recall", "handoff_recall",
                           "by_lang", "by_expect", "p50_ms", "p95_ms", "results"}
    assert report["cases"] == 4
    got = [r["got"] for r in report["results"]]
    assert got[:3] == ["shipping-time", "handoff", "greeting"]
    assert report["handoff_recall"] == 1.0
    assert report["accuracy"] == pytest.approx(sum(r["got"] == r["expect"] for r in report["results"]) / 4, abs=1e-4)
    assert report["by_lang"]["fa"] == 1.0
    assert set(report["results"][0]) == {"text", "lang", "expect", "got", "score"}


def test_eval_rejects_cases_naming_unknown_entries(tmp_path, capsys):
    from bot.cli import main

    cases = tmp_path / "cases.yml"
    cases.write_text("cases:\n  - {lang: en, expect: no-such-entry, text: hi}\n", encoding="utf-8")
    assert main(["eval", str(DEMO_BANK), str(cases), "--config", str(ROOT / "config.yml"), "--json"]) == 1
    assert f"{cases}:2: expect 'no-such-entry'" in capsys.readouterr().err


def test_a_second_ambiguous_message_after_a_clarification_hands_off(demo_responder):
    policy = demo_responder.brain.policy
    message = Message(channel="test", conversation_id="c1", user_id="u1", text="refund return thing")
    ambiguous = Reading(Verdict.CLARIFY, Reason.AMBIGUOUS, "en", (
        Candidate("return-policy", "support", 0.5, 0.7), Candidate("refund-status", "billing", 0.48, 0.69)))
    first = policy.decide(ConversationState(), message, ambiguous)
    assert first.outcome == "clarify"
    assert [b.payload for b in first.replies[0].buttons][-1] == NONE_PAYLOAD
    second = policy.decide(first.state, message, ambiguous)
    assert second.outcome == "handoff" and second.handoff.reason == "clarify_failed"


def test_a_message_without_text_gets_the_unsupported_media_phrase(demo_responder):
    decision = say(demo_responder, "", name="Sara")
    assert decision.outcome == "unsupported"
    assert decision.replies[0].text == demo_responder.catalogue.personal("unsupported_media", "en", "Sara")


def test_insults_get_one_calm_line_then_silence_and_never_an_argument(demo_responder):
    first = say(demo_responder, "you stupid bot")
    assert first.outcome == "abuse" and first.replies[0].text == demo_responder.catalogue.say("abuse.calm", "en")
    second = say(demo_responder, "idiot", state=first.state)
    assert second.outcome == "abuse" and second.replies == ()
    assert second.feedback == ("abuse",)
    # a real question from the same customer is still answered
    third = say(demo_responder, "How long does delivery take?", state=second.state)
    assert third.outcome == "shipping-time"


def test_a_real_complaint_wrapped_in_insults_is_never_dropped(demo_responder):
    decision = say(demo_responder, "you idiots lost my parcel, get me a manager now")
    assert decision.outcome == "handoff" and decision.handoff.reason == "requested"


def test_no_after_an_answer_hands_off_to_the_department_of_that_answer(demo_responder):
    answered = say(demo_responder, "How long does delivery take?")
    declined = say(demo_responder, "not helpful", state=answered.state)
    assert declined.outcome == "handoff" and declined.handoff.reason == "declined"
    assert declined.handoff.department == "logistics"
    assert declined.feedback == ("declined_offer",)
    persian = say(demo_responder, "نه", state=answered.state)
    assert persian.outcome == "handoff"


def test_no_to_anything_else_is_a_goodbye_not_a_handoff(demo_responder):
    answered = say(demo_responder, "How long does delivery take?")
    thanked = say(demo_responder, "thanks!", state=answered.state)
    closing = say(demo_responder, "no", state=thanked.state)
    assert closing.outcome == "goodbye" and closing.handoff is None


def test_a_deployments_own_catalogue_without_the_untranslated_note_still_loads_and_answers(demo_responder, tmp_path):
    """The note's phrases came after deployments wrote catalogues of their own: optional."""
    import re
    from dataclasses import replace

    from bot.phrases import Catalogue

    text = (ROOT / "data" / "phrases.yml").read_text(encoding="utf-8")
    older = re.sub(r"(?ms)^  answer_untranslated\.(named|anonymous):\n.*?(?=^  \S)", "", text)
    assert "answer_untranslated" not in older
    (tmp_path / "phrases.yml").write_text(older, encoding="utf-8")
    catalogue = Catalogue.load(tmp_path / "phrases.yml")
    policy = replace(demo_responder.brain.policy, catalogue=catalogue)
    message = Message(channel="test", conversation_id="c1", user_id="u1", text="x", display_name="Ani")
    decision = policy._answer(ConversationState(language="hy"), message, "shipping-time", 0.9)
    assert [r.kind for r in decision.replies] == [ReplyKind.ANSWER]
    assert decision.replies[0].text.startswith("Hi Ani!")
