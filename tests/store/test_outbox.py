"""Replies: stored before they are sent, retried until delivered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store import NotFound, Store


async def _conversation_id(store: Store) -> str:
    return (
        await store.record_inbound("telegram", "42", "u-1", "hi", display_name="Sara")
    ).conversation.id


async def test_reply_is_stored_with_pending_outbox_item(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)

    message, item = await store.record_outbound(
        conversation_id,
        "bot",
        "Orders arrive within 2 to 4 working days.",
        "answer",
        buttons=[{"title": "Track", "payload": "/track"}],
        entry_id="shipping-time",
        bank_version="b1c2",
        approved_by="Omid (Logistics)",
        score=0.91,
    )

    assert (message.direction, message.sender, message.channel) == ("out", "bot", "telegram")
    assert message.channel_message_id is None
    assert (message.entry_id, message.bank_version, message.approved_by) == (
        "shipping-time", "b1c2", "Omid (Logistics)",
    )  # fmt: skip
    assert message.score == pytest.approx(0.91)
    assert (item.status, item.attempts, item.next_attempt_at) == ("pending", 0, clock.now)
    assert (await store.transcript(conversation_id))[-1] == message


async def test_due_item_carries_what_the_connector_needs(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    message, item = await store.record_outbound(
        conversation_id, "bot", "Which one?", "clarify", buttons=[{"title": "A", "payload": "a"}]
    )

    [due] = await store.due_outbox(clock.now, limit=10)

    assert (due.outbox_id, due.message_id, due.conversation_id) == (
        item.id,
        message.id,
        conversation_id,
    )
    assert (due.channel, due.channel_user_id) == ("telegram", "42")
    assert (due.text, due.kind, due.sender) == ("Which one?", "clarify", "bot")
    assert due.buttons == [{"title": "A", "payload": "a"}]


async def test_outbox_item_retried_until_delivered(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    _, item = await store.record_outbound(conversation_id, "bot", "hello Sara", "ack")

    [due] = await store.due_outbox(clock.now, limit=10)
    assert due.outbox_id == item.id
    await store.mark_failed_attempt(
        due.outbox_id, "503 from Telegram", clock.now + timedelta(seconds=2)
    )
    assert await store.due_outbox(clock.now + timedelta(seconds=1), limit=10) == []

    clock.advance(seconds=2)
    [again] = await store.due_outbox(clock.now, limit=10)
    assert again.attempts == 1
    delivered = await store.mark_delivered(again.outbox_id, clock.now)

    assert (delivered.status, delivered.delivered_at, delivered.attempts) == (
        "delivered",
        clock.now,
        1,
    )
    assert delivered.last_error == "503 from Telegram"
    assert await store.due_outbox(clock.now + timedelta(hours=1), limit=10) == []


async def test_outbox_item_gives_up_when_told(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    _, item = await store.record_outbound(conversation_id, "bot", "hello", "ack")

    failed = await store.mark_failed_attempt(
        item.id, "403 blocked by user", clock.now, give_up=True
    )

    assert (failed.status, failed.attempts) == ("failed", 1)
    assert await store.due_outbox(clock.now + timedelta(days=1), limit=10) == []


async def test_claimed_item_is_not_handed_out_twice_until_lease_ends(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    await store.record_outbound(conversation_id, "bot", "hello", "ack")

    first = await store.due_outbox(clock.now, limit=10, lease=timedelta(seconds=30))
    meanwhile = await store.due_outbox(clock.now + timedelta(seconds=29), limit=10)
    after_lease = await store.due_outbox(clock.now + timedelta(seconds=30), limit=10)

    assert len(first) == 1 and meanwhile == []
    assert [i.outbox_id for i in after_lease] == [first[0].outbox_id]


async def test_due_outbox_without_lease_only_reads(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    await store.record_outbound(conversation_id, "bot", "hello", "ack")

    assert len(await store.due_outbox(clock.now, limit=10, lease=None)) == 1
    assert len(await store.due_outbox(clock.now, limit=10, lease=None)) == 1


async def test_due_outbox_hands_out_oldest_first_up_to_limit(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    ids = []
    for text in ("one", "two", "three"):
        ids.append((await store.record_outbound(conversation_id, "bot", text, "answer"))[1].id)
        clock.advance(seconds=1)

    due = await store.due_outbox(clock.now, limit=2)

    assert [i.outbox_id for i in due] == ids[:2]


async def test_late_failure_report_does_not_undo_delivery(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    _, item = await store.record_outbound(conversation_id, "bot", "hello", "ack")
    await store.mark_delivered(item.id, clock.now)
    clock.advance(seconds=1)

    again = await store.mark_delivered(item.id, clock.now)
    late = await store.mark_failed_attempt(item.id, "timeout", clock.now, give_up=True)

    assert again.delivered_at == late.delivered_at == clock.now - timedelta(seconds=1)
    assert (late.status, late.attempts) == ("delivered", 0)


async def test_reply_can_mark_its_inbound_message_processed(store: Store, clock) -> None:
    inbound = await store.record_inbound("telegram", "42", "u-1", "hi")

    await store.record_outbound(
        inbound.conversation.id,
        "bot",
        "Hello!",
        "smalltalk",
        processed_message_id=inbound.message.id,
    )

    assert await store.unprocessed_inbound() == []


async def test_agent_reply_stamps_ticket_first_response_once(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    await store.open_ticket(conversation_id, "sales")
    await store.record_outbound(conversation_id, "bot", "A person will reply", "handoff")
    assert (await store.open_ticket_for(conversation_id)).first_response_at is None

    clock.advance(minutes=5)
    first_reply_at = clock.now
    message, _ = await store.record_outbound(
        conversation_id, "agent", "Hi, Omid here", "agent", agent="omid"
    )
    clock.advance(minutes=1)
    await store.record_outbound(conversation_id, "agent", "Let me check", "agent", agent="omid")

    ticket = await store.open_ticket_for(conversation_id)
    assert ticket is not None and ticket.first_response_at == first_reply_at
    assert (message.sender, message.agent) == ("agent", "omid")


async def test_reply_to_unknown_conversation_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.record_outbound("no-such-conversation", "bot", "hi", "answer")


async def test_reply_from_customer_is_refused(store: Store) -> None:
    conversation_id = await _conversation_id(store)
    with pytest.raises(ValueError):
        await store.record_outbound(conversation_id, "customer", "hi", "answer")  # type: ignore[arg-type]


async def test_unknown_outbox_item_raises_not_found(store: Store, clock) -> None:
    with pytest.raises(NotFound):
        await store.mark_delivered(999, clock.now)
