"""The conversation engine: the message flow of DESIGN.md, with nothing lost on the way.

1. store the inbound message (unique on channel + message id: a redelivery stops here),
2. take the conversation's lock (messages of one conversation in order),
3. ask the policy (pure) what to do, the matcher's CPU work in a worker thread,
4. store the replies in the outbox — in the same transaction that marks the inbound
   message decided — then deliver them; failures stay pending and are retried with
   backoff by :meth:`Engine.run_outbox`,
5. escalation: a handoff sets the conversation waiting and opens a ticket.

A crash between 1 and 4 leaves an inbound message without ``processed_at``:
:meth:`Engine.recover` decides it on the next start. A crash after 4 leaves replies
pending: the outbox worker delivers them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .channels import Channels, DeliveryError, NotConnected, RateLimited, Recipient
from .locks import ConversationLocks
from .metrics import Metrics
from .messages import Button, Message, Reply, ReplyKind
from .policy import ConversationMode, ConversationState, Decision
from .responder import Responder
from .store import ConversationRecord, MessageRecord, NotFound, OutboxItem, Store

log = logging.getLogger("helpline.engine")

Clock = Callable[[], datetime]


class Nudger(Protocol):
    async def publish(self, conversation_id: str) -> None: ...


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    first_delay: float = 2.0
    max_delay: float = 300.0
    max_attempts: int = 20

    def delay(self, attempts: int) -> float:
        return min(self.max_delay, self.first_delay * 2 ** max(0, attempts - 1))


@dataclass(frozen=True, slots=True)
class Handled:
    """What became of one inbound message."""

    conversation_id: str
    duplicate: bool
    replies: tuple[Reply, ...] = ()
    outcome: str = ""


UNANSWERED = {"not_covered", "clarify_declined", "clarify_failed", "declined"}

_MODES = {"bot": ConversationMode.BOT, "waiting": ConversationMode.WAITING, "human": ConversationMode.HUMAN,
          "resolved": ConversationMode.RESOLVED}


def policy_state(conversation: ConversationRecord) -> ConversationState:
    saved = conversation.policy_state or {}
    return ConversationState(
        mode=_MODES.get(str(conversation.state), ConversationMode.BOT),
        replied=bool(saved.get("replied")),
        language=saved.get("language") or conversation.language,
        department=conversation.department or saved.get("department"),
        pending_choices=tuple(saved.get("pending_choices") or ()),
        last_entry=saved.get("last_entry"),
        calmed=bool(saved.get("calmed")),
        untranslated_said=bool(saved.get("untranslated_said")),
    )


def _saved(state: ConversationState) -> dict:
    return {"replied": state.replied, "language": state.language, "department": state.department,
            "pending_choices": list(state.pending_choices), "last_entry": state.last_entry, "calmed": state.calmed,
            "untranslated_said": state.untranslated_said}


def _reply_of(item: OutboxItem) -> Reply:
    buttons = tuple(Button(b["title"], b["payload"]) for b in item.buttons or ())
    kind = ReplyKind(item.kind) if item.kind in ReplyKind._value2member_map_ else ReplyKind.SYSTEM
    return Reply(item.text, kind, buttons)


class Engine:
    def __init__(
        self,
        store: Store,
        responder: Responder,
        channels: Channels | None = None,
        *,
        locks: ConversationLocks | None = None,
        clock: Clock = utc_now,
        retry: RetryPolicy | None = None,
        metrics: Metrics | None = None,
        nudges: Nudger | None = None,
    ) -> None:
        self.store = store
        self.responder = responder
        self.channels = channels or Channels()
        self.locks = locks or ConversationLocks()
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.metrics = metrics or Metrics()
        self.nudges = nudges
        self._wake = asyncio.Event()

    # -- customers' messages ----------------------------------------------------------------
    async def handle(self, message: Message) -> Handled:
        """Store, decide, reply. Returns the bot's replies (pull channels answer with them)."""
        # Media is stored as "[sticker]" so agents see what arrived; kind "media" tells a
        # restart to treat it as media again, not as text.
        stored_text = message.text if message.text or not message.media else f"[{message.media}]"
        result = await self.store.record_inbound(
            message.channel, message.conversation_id, message.message_id, stored_text,
            display_name=message.display_name, language=message.language, received_at=message.received_at,
            kind="media" if message.media and not message.text else "customer",
        )
        conversation = result.conversation
        log.info("inbound", extra={"conversation": conversation.id, "channel": message.channel, "duplicate": result.duplicate})
        self.metrics.count("helpline_messages_total", channel=message.channel, duplicate=str(result.duplicate).lower())
        if result.duplicate:
            return Handled(conversation.id, duplicate=True)
        delivery = self.channels.get(message.channel)
        if delivery is not None and delivery.push:
            await delivery.typing(Recipient(message.channel, message.conversation_id, conversation.id))
        return await self._decide(result.message, message)

    async def _decide(self, inbound: MessageRecord, message: Message) -> Handled:
        started = time.perf_counter()
        async with self.locks.hold(inbound.conversation_id):
            conversation = await self.store.get_conversation(inbound.conversation_id)
            state = policy_state(conversation)
            if state.mode is ConversationMode.RESOLVED:
                state = ConversationState(language=state.language)
            decision, reading = await self.responder.adecide(state, message)
            bank = self.responder.bank
            replies = decision.replies
            for i, reply in enumerate(replies):
                entry = bank.entry(reply.entry_id) if reply.entry_id else None
                await self.store.record_outbound(
                    conversation.id, "bot", reply.text, str(reply.kind),
                    buttons=[b.as_json() for b in reply.buttons] or None,
                    entry_id=reply.entry_id, bank_version=bank.fingerprint if entry else None,
                    approved_by=entry.approved_by if entry else None,
                    score=decision.confidence if entry else None,
                    processed_message_id=inbound.id if i == len(replies) - 1 else None,
                )
            if not replies:
                await self.store.mark_processed(inbound.id)
            await self._apply(conversation, decision, inbound)
            log.info("decided", extra={"conversation": conversation.id, "outcome": decision.outcome,
                                       "confidence": round(decision.confidence, 3)})
        self.metrics.observe_decision(time.perf_counter() - started)
        outcome = "answer" if any(r.entry_id for r in decision.replies) else decision.outcome  # a note may come first
        self.metrics.count("helpline_decisions_total", outcome=outcome)
        await self.deliver_conversation(conversation.id)
        return Handled(conversation.id, duplicate=False, replies=replies, outcome=decision.outcome)

    async def _apply(self, conversation: ConversationRecord, decision: Decision, inbound: MessageRecord) -> None:
        state = decision.state
        await self.store.save_policy_state(conversation.id, _saved(state))
        feedback = list(decision.feedback)
        if decision.handoff is not None and decision.handoff.reason in UNANSWERED:
            feedback.append("unanswered")  # what the bank does not cover: `helpline gaps` lists these
        for kind in feedback:
            await self.store.record_feedback(conversation.id, kind, message_id=inbound.id)
            self.metrics.count("helpline_feedback_total", kind=kind)
        if decision.handoff is not None and str(conversation.state) != "waiting":
            department = decision.handoff.department or ""
            await self.store.set_state(conversation.id, "waiting", department=department, waiting_since=self.clock())
            await self.store.open_ticket(conversation.id, department)
            self.metrics.count("helpline_handoffs_total", department=department, reason=decision.handoff.reason)
            log.info("handoff", extra={"conversation": conversation.id, "department": department,
                                       "reason": decision.handoff.reason})

    # -- agents ----------------------------------------------------------------------------
    async def claim(self, conversation_id: str, agent: str) -> ConversationRecord:
        async with self.locks.hold(conversation_id):
            return await self._take(await self.store.get_conversation(conversation_id), agent)

    async def _take(self, conversation: ConversationRecord, agent: str) -> ConversationRecord:
        """The conversation becomes the agent's (``human``), with its ticket claimed."""
        if conversation.department:
            await self.store.open_ticket(conversation.id, conversation.department)
            await self.store.claim_ticket(conversation.id, agent)
        return await self.store.set_state(conversation.id, "human", assigned_agent=agent)

    async def agent_reply(self, conversation_id: str, agent: str, text: str) -> MessageRecord:
        """An agent writes to the customer: the conversation becomes theirs if it was not."""
        async with self.locks.hold(conversation_id):
            conversation = await self.store.get_conversation(conversation_id)
            if str(conversation.state) != "human" or conversation.assigned_agent != agent:
                await self._take(conversation, agent)
            message, _ = await self.store.record_outbound(conversation_id, "agent", text, str(ReplyKind.AGENT), agent=agent)
        await self.deliver_conversation(conversation_id)
        return message

    async def release(self, conversation_id: str, agent: str) -> ConversationRecord:
        """Back to the bot; the customer is told, in their language."""
        async with self.locks.hold(conversation_id):
            conversation = await self.store.get_conversation(conversation_id)
            state = policy_state(conversation)
            catalogue = self.responder.catalogue
            text = catalogue.personal("returned_to_bot", state.language, conversation.customer_name)
            await self.store.record_outbound(conversation_id, "bot", text, str(ReplyKind.SYSTEM))
            await self.store.resolve_ticket(conversation_id)
            updated = await self.store.set_state(conversation_id, "bot", assigned_agent=None, waiting_since=None)
            log.info("released", extra={"conversation": conversation_id, "agent": agent})
        await self.deliver_conversation(conversation_id)
        return updated

    async def resolve(self, conversation_id: str, agent: str) -> ConversationRecord:
        async with self.locks.hold(conversation_id):
            await self.store.get_conversation(conversation_id)
            await self.store.resolve_ticket(conversation_id)
            updated = await self.store.set_state(conversation_id, "resolved", waiting_since=None)
            log.info("resolved", extra={"conversation": conversation_id, "agent": agent})
        return updated

    # -- delivery --------------------------------------------------------------------------
    async def on_nudge(self, conversation_id: str) -> None:
        """Another process stored replies for this conversation: send them if we hold its listener."""
        try:
            conversation = await self.store.get_conversation(conversation_id)
        except NotFound:
            return
        delivery = self.channels.get(conversation.channel)
        recipient = Recipient(conversation.channel, conversation.channel_user_id, conversation.id)
        if delivery is not None and delivery.push and delivery.listening(recipient):
            self.metrics.count("helpline_nudges_total", result="delivering")
            await self.deliver_conversation(conversation_id, listener_back=True)

    async def deliver_conversation(self, conversation_id: str, *, listener_back: bool = False) -> None:
        """Send this conversation's pending replies now, on a push channel.

        ``listener_back``: the customer just reconnected, so replies waiting out a
        backoff are sent too.
        """
        try:
            conversation = await self.store.get_conversation(conversation_id)
        except NotFound:
            return
        delivery = self.channels.get(conversation.channel)
        if delivery is None or not delivery.push:
            return
        recipient = Recipient(conversation.channel, conversation.channel_user_id, conversation.id)
        if not delivery.listening(recipient):
            if self.nudges is not None:  # the customer's socket may be open in another process
                await self.nudges.publish(conversation_id)
            return
        items = await self.store.due_outbox(self.clock(), conversation_id=conversation_id, include_backoff=listener_back)
        await self._send(items)

    async def collect(self, conversation_id: str) -> list[Reply]:
        """A pull channel takes this conversation's pending replies (marked delivered)."""
        items = await self.store.due_outbox(self.clock(), conversation_id=conversation_id, include_backoff=True)
        replies = []
        for item in sorted(items, key=lambda i: i.message_id):
            await self.store.mark_delivered(item.outbox_id, self.clock())
            replies.append(_reply_of(item))
        return replies

    async def _send(self, items: list[OutboxItem]) -> None:
        for item in sorted(items, key=lambda i: i.message_id):
            delivery = self.channels.get(item.channel)
            if delivery is None or not delivery.push:
                continue
            recipient = Recipient(item.channel, item.channel_user_id, item.conversation_id)
            try:
                await delivery.deliver(recipient, _reply_of(item))
            except RateLimited as exc:
                await self._failed(item, exc, max(exc.retry_after, 0.5))
                break  # keep the order: the rest waits with it
            except NotConnected as exc:
                await self._failed(item, exc, self.retry.max_delay)
                break
            except DeliveryError as exc:
                await self._failed(item, exc, self.retry.delay(item.attempts + 1))
                break
            else:
                await self.store.mark_delivered(item.outbox_id, self.clock())
                self.metrics.count("helpline_deliveries_total", channel=item.channel, result="delivered")

    async def _failed(self, item: OutboxItem, exc: Exception, delay: float) -> None:
        give_up = item.attempts + 1 >= self.retry.max_attempts and not isinstance(exc, NotConnected)
        self.metrics.count("helpline_deliveries_total", channel=item.channel, result="failed" if give_up else "retry")
        await self.store.mark_failed_attempt(
            item.outbox_id, f"{type(exc).__name__}: {exc}", self.clock() + timedelta(seconds=delay), give_up=give_up
        )
        log.warning("delivery failed", extra={"conversation": item.conversation_id, "attempt": item.attempts + 1,
                                              "error": type(exc).__name__, "gave_up": give_up})

    def wake(self) -> None:
        """A listener came back (web chat reconnect): look at the outbox now."""
        self._wake.set()

    async def run_outbox(self, interval: float = 1.0) -> None:
        """Deliver due replies on push channels until cancelled."""
        while True:
            try:
                push = {name for name, d in self.channels.by_name.items() if d.push}
                if push:
                    await self._send(await self.store.due_outbox(self.clock(), channels=push))
            except asyncio.CancelledError:
                raise
            except Exception:  # the worker must outlive a database hiccup
                log.exception("outbox worker error")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    # -- restart -----------------------------------------------------------------------------
    async def recover(self) -> int:
        """Decide inbound messages a crash left undecided. Returns how many."""
        pending = await self.store.unprocessed_inbound()
        for record in pending:
            conversation = await self.store.get_conversation(record.conversation_id)
            media = record.text.strip("[]") if record.kind == "media" else None
            message = Message(
                channel=record.channel, conversation_id=conversation.channel_user_id, user_id=conversation.channel_user_id,
                text="" if media else record.text, display_name=conversation.customer_name,
                message_id=record.channel_message_id, received_at=record.created_at, media=media,
            )
            await self._decide(record, message)
        if pending:
            log.info("recovered", extra={"messages": len(pending)})
        return len(pending)
