"""Storing customers' messages: customers, conversations, duplicates, restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.store import NotFound, Store


async def test_first_message_creates_customer_and_bot_conversation(store: Store) -> None:
    result = await store.record_inbound(
        "telegram", "42", "u-1", "Where is my order?", display_name="Sara", language="en"
    )

    assert not result.duplicate
    assert result.customer.display_name == "Sara"
    assert result.customer.language == "en"
    assert result.conversation.state == "bot"
    assert result.conversation.customer_name == "Sara"
    assert result.conversation.language == "en"
    assert result.conversation.policy_state == {}
    assert (result.message.direction, result.message.sender) == ("in", "customer")
    assert result.message.text == "Where is my order?"
    assert result.message.processed_at is None
    assert await store.transcript(result.conversation.id) == [result.message]


async def test_duplicate_message_id_is_stored_once(store: Store) -> None:
    first = await store.record_inbound("telegram", "42", "u-1", "hello")
    again = await store.record_inbound("telegram", "42", "u-1", "hello")

    assert again.duplicate
    assert again.message == first.message
    assert again.conversation.id == first.conversation.id
    assert len(await store.transcript(first.conversation.id)) == 1


async def test_concurrent_duplicates_store_one_row(store: Store) -> None:
    results = await asyncio.gather(
        *(store.record_inbound("whatsapp", "98912", "wamid.1", "salam") for _ in range(4))
    )

    assert sorted(r.duplicate for r in results) == [False, True, True, True]
    assert len({r.message.id for r in results}) == 1
    assert len(await store.transcript(results[0].conversation.id)) == 1


async def test_concurrent_first_messages_from_one_handle_share_a_conversation(store: Store) -> None:
    results = await asyncio.gather(
        *(store.record_inbound("web", "visitor-7", f"m-{i}", f"question {i}") for i in range(4))
    )

    assert not any(r.duplicate for r in results)
    assert len({r.conversation.id for r in results}) == 1
    assert len({r.customer.id for r in results}) == 1
    assert len(await store.transcript(results[0].conversation.id)) == 4


async def test_message_without_channel_id_is_never_a_duplicate(store: Store) -> None:
    first = await store.record_inbound("rest", "sender-1", None, "hi")
    second = await store.record_inbound("rest", "sender-1", None, "hi")

    assert not second.duplicate
    assert second.message.id != first.message.id
    assert len(await store.transcript(first.conversation.id)) == 2


async def test_same_message_id_on_another_channel_is_not_a_duplicate(store: Store) -> None:
    await store.record_inbound("telegram", "42", "7", "hi")
    other = await store.record_inbound("whatsapp", "42", "7", "hi")

    assert not other.duplicate


async def test_new_message_after_resolution_opens_new_conversation(store: Store) -> None:
    first = await store.record_inbound("telegram", "42", "u-1", "hi")
    await store.set_state(first.conversation.id, "resolved")

    later = await store.record_inbound("telegram", "42", "u-2", "one more thing")

    assert later.conversation.id != first.conversation.id
    assert later.conversation.state == "bot"
    assert later.customer.id == first.customer.id
    assert (await store.get_conversation(first.conversation.id)).state == "resolved"


async def test_later_messages_join_the_open_conversation(store: Store) -> None:
    first = await store.record_inbound("telegram", "42", "u-1", "hi")
    await store.set_state(first.conversation.id, "human", assigned_agent="omid")

    later = await store.record_inbound("telegram", "42", "u-2", "are you there?")

    assert later.conversation.id == first.conversation.id
    assert later.conversation.state == "human"


async def test_display_name_and_language_update_the_customer(store: Store) -> None:
    await store.record_inbound("telegram", "42", "u-1", "hi", display_name="S.")
    later = await store.record_inbound(
        "telegram", "42", "u-2", "سلام", display_name="Sara", language="fa"
    )
    unnamed = await store.record_inbound("telegram", "42", "u-3", "?")

    assert later.customer.display_name == "Sara"
    assert later.conversation.language == "fa"
    assert unnamed.customer.display_name == "Sara"
    assert unnamed.customer.language == "fa"


async def test_received_at_from_the_channel_is_kept(store: Store, clock) -> None:
    sent = clock.now - timedelta(seconds=30)

    result = await store.record_inbound("telegram", "42", "u-1", "hi", received_at=sent)

    assert result.message.created_at == sent
    assert result.conversation.last_inbound_at == sent
    assert result.conversation.created_at == clock.now


async def test_processed_message_is_no_longer_pending(store: Store, clock) -> None:
    first = await store.record_inbound("telegram", "42", "u-1", "hi")
    second = await store.record_inbound("telegram", "42", "u-2", "hello?")
    await store.mark_processed(first.message.id)
    decided_at = clock.now
    clock.advance(seconds=5)
    await store.mark_processed(first.message.id)  # a retry keeps the first time

    assert [m.id for m in await store.unprocessed_inbound()] == [second.message.id]
    assert (await store.transcript(first.conversation.id))[0].processed_at == decided_at


async def test_mark_processed_of_unknown_message_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.mark_processed(12345)


async def test_unprocessed_inbound_survives_reopen(store: Store, database_url: str, clock) -> None:
    stored = await store.record_inbound("whatsapp", "98912", "wamid.1", "hi")
    await store.close()

    reopened = await Store.open(database_url, clock=clock)
    try:
        pending = await reopened.unprocessed_inbound()
    finally:
        await reopened.close()

    assert pending == [stored.message]


async def test_unprocessed_inbound_lists_oldest_first(store: Store, clock) -> None:
    ids = []
    for i in range(3):
        ids.append((await store.record_inbound("web", f"v{i}", f"m{i}", "hi")).message.id)
        clock.advance(seconds=1)

    assert [m.id for m in await store.unprocessed_inbound()] == ids
    assert [m.id for m in await store.unprocessed_inbound(limit=2)] == ids[:2]


async def test_timestamps_are_utc_aware_on_both_engines(store: Store, clock) -> None:
    tehran = timezone(timedelta(hours=3, minutes=30))
    clock.now = datetime(2026, 11, 23, 12, 30, tzinfo=tehran)
    received = datetime(2026, 11, 23, 12, 29, tzinfo=tehran)

    result = await store.record_inbound("telegram", "42", "u-1", "hi", received_at=received)
    conversation = await store.get_conversation(result.conversation.id)
    [message] = await store.transcript(result.conversation.id)

    for value in (conversation.created_at, conversation.last_inbound_at, message.created_at):
        assert value is not None and value.tzinfo is UTC
    assert conversation.created_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert message.created_at == datetime(2026, 11, 23, 8, 59, tzinfo=UTC)
    assert result.message == message


async def test_naive_datetime_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        await store.record_inbound("telegram", "42", "u-1", "hi", received_at=datetime(2026, 1, 1))
