"""The dialogue policy: a pure function of (conversation state, message, reading) → Decision.

No I/O happens here. The engine reads the message with the matcher first (CPU work, in
a thread), then asks the policy what to say; ``helpline eval`` calls exactly the same
:meth:`Policy.decide` for the first message of a new conversation, so evaluation
figures describe live behaviour.

Order (DESIGN.md): a conversation owned by a person → silence; a request for a person →
handoff; small talk → a short personal reply (a greeting with a question in it is
answered as the question); an FAQ match → answer when confident, ask which entry when
two or three are close, otherwise hand off to the closest entry's department.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from faq.bank import Bank
from faq.matcher import Reading, Reason, Verdict

from .config import Routing
from .hours import DAYS
from .messages import Button, Message, Reply, ReplyKind
from .phrases import Catalogue

ANSWER_PAYLOAD = "/answer "
NONE_PAYLOAD = "/handoff"


class ConversationMode(StrEnum):
    BOT = "bot"  # the bot answers
    WAITING = "waiting"  # handed off, no person has taken it yet
    HUMAN = "human"  # a person owns it: the bot is silent
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class ConversationState:
    """What the policy needs to know about a conversation (kept by the engine)."""

    mode: ConversationMode = ConversationMode.BOT
    replied: bool = False  # has the bot said anything yet (the first reply greets by name)
    language: str | None = None
    department: str | None = None
    pending_choices: tuple[str, ...] = ()  # entry ids offered as buttons, awaiting a click
    last_entry: str | None = None  # the entry the bot answered last (what a "no" rejects)
    calmed: bool = False  # the calm line was said once; further insults get silence
    untranslated_said: bool = False  # told once that answers come in the bank's language, not the customer's


@dataclass(frozen=True, slots=True)
class Handoff:
    department: str | None
    reason: str  # requested | not_covered | clarify_declined | empty


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str  # an entry id | handoff | clarify | greeting | thanks | goodbye | silent
    replies: tuple[Reply, ...] = ()
    handoff: Handoff | None = None
    state: ConversationState = field(default_factory=ConversationState)
    feedback: tuple[str, ...] = ()  # satisfaction signals: thanks, handoff_request, ...
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class Policy:
    bank: Bank
    catalogue: Catalogue
    routing: Routing
    route_threshold: float = 0.45

    # -- entry point ---------------------------------------------------------------------
    def decide(self, state: ConversationState, message: Message, reading: Reading | None) -> Decision:
        """Decide what to do with ``message``; ``reading`` is None for a button payload."""
        language = reading.language if reading and reading.language else (message.language or state.language)
        language = language or self.bank.language
        state = replace(state, language=language)
        if state.mode in (ConversationMode.HUMAN, ConversationMode.WAITING):
            # A person owns it, or is about to: the bot stays out (agents see every message).
            return Decision("silent", state=state)
        if not message.text.strip():
            # A sticker, photo or voice note: connectors pass them with no text.
            text = self.catalogue.personal("unsupported_media", language, _first_name(message.display_name))
            return Decision("unsupported", (Reply(text, ReplyKind.SYSTEM, language=language),), state=self._replied(state))
        if message.text.startswith(ANSWER_PAYLOAD) or message.text == NONE_PAYLOAD:
            return self._choice(state, message)
        if reading is None:
            return self._handoff(state, message, None, "not_covered", 0.0)
        verdict = reading.verdict
        if verdict is Verdict.ABUSE:
            # Never argue: one calm line, then silence. Nothing here ends the conversation,
            # and a message that also asks something was read as that question instead.
            if state.calmed:
                return Decision("abuse", state=state, feedback=("abuse",))
            text = self.catalogue.say("abuse.calm", language)
            return Decision("abuse", (Reply(text, ReplyKind.SYSTEM, language=language),),
                            state=replace(self._replied(state), calmed=True), feedback=("abuse",))
        if verdict is Verdict.DECLINE:
            if state.last_entry or state.pending_choices:
                # The answer (or the choice offered) did not help: a person takes over, in the
                # department of what was offered.
                department = self._closest_department((state.last_entry,) if state.last_entry else state.pending_choices)
                decision = self._handoff(state, message, department, "declined", 0.0)
                return replace(decision, feedback=("declined_offer",))
            verdict = Verdict.GOODBYE  # "no" to "anything else?": nothing was offered to reject
        if verdict is Verdict.HANDOFF:
            department = reading.department_hint(self.route_threshold)
            feedback = ("handoff_request",) if reading.reason is Reason.REQUESTED else ()
            decision = self._handoff(state, message, department, str(reading.reason), reading.confidence)
            return replace(decision, feedback=feedback)
        if verdict in (Verdict.GREETING, Verdict.THANKS, Verdict.GOODBYE):
            key = {Verdict.GREETING: "greeting", Verdict.THANKS: "thanks", Verdict.GOODBYE: "goodbye"}[verdict]
            text = self.catalogue.personal(key, language, _first_name(message.display_name))
            feedback = ("thanks",) if verdict is Verdict.THANKS else ()
            return Decision(
                str(verdict), (Reply(text, ReplyKind.ACK, language=language),),
                state=replace(self._replied(state), last_entry=None), feedback=feedback, confidence=reading.confidence,
            )
        if verdict is Verdict.CLARIFY:
            if state.pending_choices:  # we asked once already and it did not help
                department = reading.department_hint(self.route_threshold)
                return self._handoff(state, message, department, "clarify_failed", reading.confidence)
            return self._clarify(state, message, reading)
        assert reading.entry_id is not None
        return self._answer(state, message, reading.entry_id, reading.confidence)

    # -- outcomes ------------------------------------------------------------------------
    def _answer(self, state: ConversationState, message: Message, entry_id: str, confidence: float) -> Decision:
        entry = self.bank.entry(entry_id)
        language = state.language or self.bank.language
        used, text = entry.answer_in(language, self.bank.language)
        replies = []
        name = _first_name(message.display_name) if not state.replied else None
        untranslated = (used != language and language in self.catalogue.languages
                        and self.catalogue.has("answer_untranslated.named") and self.catalogue.has("answer_untranslated.anonymous"))
        if untranslated and not state.untranslated_said:
            # The customer wrote Armenian, the entry has English only: say so in their own
            # language (greeting them there, not in the answer's), once per conversation.
            note = self.catalogue.personal("answer_untranslated", language, name)
            replies.append(Reply(note, ReplyKind.ACK, language=language))
        elif name:
            intro = self.catalogue.say("answer_intro.named", used, name=name)
            text = f"{intro}\n{text}"
        replies.append(Reply(text, ReplyKind.ANSWER, entry_id=entry.id, language=used))
        new_state = replace(self._replied(state), pending_choices=(), department=entry.department, last_entry=entry.id,
                            untranslated_said=state.untranslated_said or untranslated)
        return Decision(entry.id, tuple(replies), state=new_state, confidence=confidence)

    def _clarify(self, state: ConversationState, message: Message, reading: Reading) -> Decision:
        language = state.language
        buttons = []
        for candidate in reading.candidates:
            entry = self.bank.entry(candidate.entry_id)
            buttons.append(Button(self._title(entry, language), f"{ANSWER_PAYLOAD}{entry.id}"))
        buttons.append(Button(self.catalogue.say("clarify.none", language), NONE_PAYLOAD))
        text = self.catalogue.personal("clarify", language, _first_name(message.display_name))
        new_state = replace(self._replied(state), pending_choices=tuple(c.entry_id for c in reading.candidates))
        return Decision(
            "clarify", (Reply(text, ReplyKind.ACK, tuple(buttons), language=language),), state=new_state,
            confidence=reading.confidence,
        )

    def _choice(self, state: ConversationState, message: Message) -> Decision:
        if message.text == NONE_PAYLOAD:
            department = self._closest_department(state.pending_choices)
            return self._handoff(replace(state, pending_choices=()), message, department, "clarify_declined", 0.0)
        entry_id = message.text[len(ANSWER_PAYLOAD):].strip()
        served = {e.id for e in self.bank.served()}
        if entry_id not in served:
            return self._handoff(state, message, None, "not_covered", 0.0)
        return self._answer(state, message, entry_id, 1.0)

    def _handoff(
        self, state: ConversationState, message: Message, department: str | None, reason: str, confidence: float
    ) -> Decision:
        department = department or state.department or self.default_department
        language = state.language
        minutes = self.routing.response_minutes_for(department)
        values = {
            "department": self._department_name(department, language),
            "response_time": self.catalogue.duration(minutes, language),
        }
        hours = self.routing.hours_for(department)
        opens_at = hours.next_opening(message.received_at) if hours else None
        if hours and not hours.is_open(message.received_at) and opens_at is not None:
            # Outside opening hours: say when the team is back; the message waits in its queue.
            opens = self._opens(opens_at, message.received_at.astimezone(opens_at.tzinfo), language)
            text = self.catalogue.personal("handoff.closed", language, _first_name(message.display_name), opens=opens, **values)
        else:
            text = self.catalogue.personal("handoff", language, _first_name(message.display_name), **values)
        new_state = replace(self._replied(state), mode=ConversationMode.WAITING, department=department, pending_choices=())
        return Decision(
            "handoff", (Reply(text, ReplyKind.HANDOFF, language=language),), Handoff(department, reason),
            state=new_state, confidence=confidence,
        )

    # -- helpers -------------------------------------------------------------------------
    def _opens(self, opens_at: datetime, now: datetime, language: str | None) -> str:
        """ "today at 09:00", "tomorrow at 09:00", "on Monday at 09:00" — in the team's time zone."""
        at = opens_at.strftime("%H:%M")
        days = (opens_at.date() - now.date()).days
        if days == 0:
            return self.catalogue.say("opens.today", language, time=at)
        if days == 1:
            return self.catalogue.say("opens.tomorrow", language, time=at)
        day = self.catalogue.say(f"weekday.{DAYS[opens_at.weekday()]}", language)
        return self.catalogue.say("opens.day_time", language, day=day, time=at)

    @staticmethod
    def _replied(state: ConversationState) -> ConversationState:
        return replace(state, replied=True)

    def _title(self, entry, language: str | None) -> str:
        """A button title: the entry's first question in the customer's language if it has one."""
        questions = entry.questions.get(language or "") or entry.questions.get(self.bank.language)
        if not questions:
            questions = next(iter(entry.questions.values()))
        title = questions[0]
        return title if len(title) <= 60 else title[:57].rstrip() + "…"

    def _department_name(self, department: str | None, language: str | None) -> str:
        try:
            return self.bank.department(department or "").name_in(language)
        except KeyError:
            return department or ""

    def _closest_department(self, entry_ids: tuple[str, ...]) -> str | None:
        for entry_id in entry_ids:
            try:
                return self.bank.entry(entry_id).department
            except KeyError:
                continue
        return None

    @property
    def default_department(self) -> str | None:
        """Where a handoff goes when nothing closer says: the configured default, else the
        bank's first department."""
        if self.routing.default_department:
            return self.routing.default_department
        return self.bank.departments[0].id if self.bank.departments else None


def _first_name(display_name: str | None) -> str | None:
    """How the bot addresses a customer: "Sara Karimi" → "Sara" (channels give full names)."""
    if not display_name or not display_name.strip():
        return None
    return display_name.strip().split()[0]
