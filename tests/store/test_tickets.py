"""Tickets of handed-off conversations, and feedback events."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.store import NotFound, Store


async def _conversation_id(store: Store, user: str = "42") -> str:
    return (await store.record_inbound("telegram", user, None, "I want a human")).conversation.id


async def test_open_ticket_is_idempotent(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)

    first = await store.open_ticket(conversation_id, "sales", priority=1)
    again = await store.open_ticket(conversation_id, "logistics")

    assert again == first
    assert (first.state, first.department, first.priority, first.opened_at) == (
        "open",
        "sales",
        1,
        clock.now,
    )


async def test_concurrent_open_ticket_creates_one(store: Store) -> None:
    conversation_id = await _conversation_id(store)

    tickets = await asyncio.gather(*(store.open_ticket(conversation_id, "sales") for _ in range(4)))

    assert len({t.id for t in tickets}) == 1


async def test_ticket_is_claimed_then_resolved(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    opened = await store.open_ticket(conversation_id, "sales")
    clock.advance(minutes=2)

    claimed = await store.claim_ticket(conversation_id, "omid")
    clock.advance(minutes=10)
    resolved = await store.resolve_ticket(conversation_id)

    assert (claimed.id, claimed.state, claimed.assigned_agent) == (opened.id, "claimed", "omid")
    assert claimed.claimed_at == clock.now - timedelta(minutes=10)
    assert resolved is not None and (resolved.state, resolved.resolved_at) == (
        "resolved",
        clock.now,
    )
    assert await store.open_ticket_for(conversation_id) is None
    assert await store.resolve_ticket(conversation_id) is None  # retry: nothing left to resolve


async def test_claim_by_another_agent_reassigns_and_keeps_first_claim_time(
    store: Store, clock
) -> None:
    conversation_id = await _conversation_id(store)
    await store.open_ticket(conversation_id, "sales")
    first = await store.claim_ticket(conversation_id, "omid")
    clock.advance(minutes=1)

    second = await store.claim_ticket(conversation_id, "sara")

    assert (second.assigned_agent, second.claimed_at) == ("sara", first.claimed_at)


async def test_new_ticket_after_resolution(store: Store) -> None:
    conversation_id = await _conversation_id(store)
    first = await store.open_ticket(conversation_id, "sales")
    await store.resolve_ticket(conversation_id)

    second = await store.open_ticket(conversation_id, "logistics")

    assert second.id != first.id and second.department == "logistics"


async def test_claim_without_ticket_raises_not_found(store: Store) -> None:
    conversation_id = await _conversation_id(store)
    with pytest.raises(NotFound):
        await store.claim_ticket(conversation_id, "omid")


async def test_ticket_for_unknown_conversation_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.open_ticket("nope", "sales")


async def test_feedback_counts_by_kind_since(store: Store, clock) -> None:
    conversation_id = await _conversation_id(store)
    reply, _ = await store.record_outbound(
        conversation_id, "bot", "Orders arrive in 2 days", "answer"
    )
    await store.record_feedback(conversation_id, "complaint")
    clock.advance(hours=1)
    since = clock.now
    thanks = await store.record_feedback(conversation_id, "thanks", message_id=reply.id)
    await store.record_feedback(conversation_id, "handoff_request")
    await store.record_feedback(conversation_id, "thanks")

    assert await store.feedback_counts() == {"complaint": 1, "thanks": 2, "handoff_request": 1}
    assert await store.feedback_counts(since=since) == {"thanks": 2, "handoff_request": 1}
    assert (thanks.message_id, thanks.at) == (reply.id, since)


async def test_feedback_on_unknown_conversation_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.record_feedback("nope", "thanks")
