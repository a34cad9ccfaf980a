"""``helpline chat BANK``: a support lead tries the bank in a terminal.

Each message goes through the live decision code with a conversation that carries on
(so the first reply greets by name and a clarification's choices can be picked by
number). Under every reply: the verdict, the chosen entry, its confidence, the runners-up,
the concepts the lexicon found in the message and those of them no entry speaks of, which is
what a lead needs to see why the bot answered as it did — and which words a glossary, or a
new entry, should add.
"""

from __future__ import annotations

import sys
from typing import TextIO

from .messages import Message
from .policy import ConversationMode, ConversationState
from .responder import Responder

HELP = "Type a customer message. Commands: /name NAME, /reset, /quit. Pick a choice by its number."


def run_chat(responder: Responder, name: str | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    bank = responder.bank
    print(f"bank {bank.fingerprint}: {len(bank.served())} served entries, languages {', '.join(bank.languages)}", file=stdout)
    calibration = responder.brain.matcher.settings.calibration
    if offset := calibration.small_bank_offset(len(bank.served())):
        print(f"fewer than {calibration.small_bank:g} entries: the bot answers only when surer (confidence lowered by "
              f"{offset:.1f} log-odds; docs/matcher.md, small banks)", file=stdout)
    print(HELP, file=stdout)
    state = ConversationState()
    choices: list[str] = []
    while True:
        print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            return 0
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit"):
            return 0
        if text == "/reset":
            state, choices = ConversationState(), []
            print("(new conversation)", file=stdout)
            continue
        if text.startswith("/name"):
            name = text[5:].strip() or None
            print(f"(customer name: {name or 'none'})", file=stdout)
            continue
        if text.isdigit() and choices and 1 <= int(text) <= len(choices):
            text = choices[int(text) - 1]
        message = Message(channel="chat", conversation_id="chat", user_id="lead", text=text, display_name=name)
        decision, reading = responder.decide(state, message)
        state = decision.state
        choices = []
        for reply in decision.replies:
            print(f"bot: {reply.text}", file=stdout)
            for i, button in enumerate(reply.buttons, 1):
                print(f"   [{i}] {button.title}", file=stdout)
                choices.append(button.payload)
        matcher = responder.brain.matcher
        concepts = sorted(matcher.lexicon.find(reading.matched_text)) if reading else []
        print(f"   · {describe(decision.outcome, reading, concepts, sorted(matcher.unspoken(concepts)))}", file=stdout)
        if state.mode is ConversationMode.WAITING:
            print("   · (handed off: in a live channel a person takes over; /reset to start again)", file=stdout)
            state = ConversationState(replied=True, language=state.language)


def describe(outcome: str, reading, concepts: list[str] | None = None, unspoken: list[str] | None = None) -> str:
    """One line on why the bot did what it did. ``unspoken``: the message's concepts that no
    entry's questions or answer speak of — they lower the confidence of every answer."""
    if reading is None:
        return f"{outcome} (button)"
    parts = [f"{outcome} [{reading.verdict}/{reading.reason}]", f"lang {reading.language or '?'}"]
    if reading.intent_score and reading.verdict.value in ("greeting", "thanks", "goodbye") or reading.reason.value == "requested":
        parts.append(f"intent score {reading.intent_score:.2f}")
    if reading.candidates:
        ranked = ", ".join(f"{c.entry_id} {c.confidence:.2f}{' (its answer is the closest too)' if c.endorsed else ''}"
                           for c in reading.candidates)
        parts.append(f"closest: {ranked}")
    if reading.elsewhere:
        parts.append(f"asks about {reading.elsewhere}, which no close entry speaks of: handed to a person")
    if reading.romanized:
        how = "on the English keyboard layout" if reading.keyed else "in Latin letters"
        parts.append(f"typed {how}, read as {reading.matched_text!r}")
    elif reading.greeted or reading.spelled:
        done = " and ".join(what for what, did in (("greeting stripped", reading.greeted), ("typos put right", reading.spelled)) if did)
        parts.append(f"{done}, matched {reading.matched_text!r}")
    if concepts is not None:
        parts.append(f"concepts: {', '.join(concepts) if concepts else 'none known (a glossary can add words)'}")
    if unspoken:
        parts.append(f"no entry speaks of: {', '.join(unspoken)}")
    return " · ".join(parts)
