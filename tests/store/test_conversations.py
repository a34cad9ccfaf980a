"""Conversations as the policy and the agents see them, and customers' cards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store import Conflict, NotFound, Store


async def test_set_state_changes_only_what_it_is_given(store: Store, clock) -> None:
    conversation_id = (
        await store.record_inbound("telegram", "42", "u-1", "manager!")
    ).conversation.id
    waiting = await store.set_state(
        conversation_id, "waiting", department="sales", waiting_since=clock.now
    )
    clock.advance(minutes=3)

    claimed = await store.set_state(conversation_id, "human", assigned_agent="omid")

    assert (waiting.state, waiting.department, waiting.waiting_since) == (
        "waiting",
        "sales",
        clock.now - timedelta(minutes=3),
    )
    assert (claimed.state, claimed.department, claimed.assigned_agent) == ("human", "sales", "omid")
    assert claimed.waiting_since == waiting.waiting_since
    assert claimed.updated_at == clock.now
    released = await store.set_state(
        conversation_id, "bot", assigned_agent=None, waiting_since=None
    )
    assert (released.assigned_agent, released.waiting_since, released.department) == (
        None,
        None,
        "sales",
    )


async def test_unknown_state_is_refused(store: Store) -> None:
    conversation_id = (await store.record_inbound("telegram", "42", "u-1", "hi")).conversation.id
    with pytest.raises(ValueError):
        await store.set_state(conversation_id, "sleeping")  # type: ignore[arg-type]


async def test_unknown_conversation_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.get_conversation("nope")
    with pytest.raises(NotFound):
        await store.set_state("nope", "resolved")
    with pytest.raises(NotFound):
        await store.transcript("nope")


async def test_list_conversations_filters_by_state_and_department(store: Store, clock) -> None:
    ids = {}
    for user, state, department in [
        ("a", "waiting", "sales"),
        ("b", "waiting", "logistics"),
        ("c", "human", "sales"),
        ("d", "bot", None),
    ]:
        ids[user] = (
            await store.record_inbound("web", user, None, "hi", display_name=user.upper())
        ).conversation.id
        if state != "bot":
            await store.set_state(ids[user], state, department=department, waiting_since=clock.now)
        clock.advance(minutes=1)

    waiting = await store.list_conversations(states={"waiting"})
    sales = await store.list_conversations(states={"waiting", "human"}, departments={"sales"})
    everything = await store.list_conversations()

    assert [c.id for c in waiting] == [ids["a"], ids["b"]]
    assert [c.customer_name for c in waiting] == ["A", "B"]
    assert {c.id for c in sales} == {ids["a"], ids["c"]}
    assert {c.id for c in everything} == set(ids.values())
    assert await store.list_conversations(departments=set()) == []


async def test_longest_waiting_conversation_is_listed_first(store: Store, clock) -> None:
    late = (await store.record_inbound("web", "late", None, "hi")).conversation.id
    early = (await store.record_inbound("web", "early", None, "hi")).conversation.id
    await store.set_state(late, "waiting", waiting_since=clock.now)
    await store.set_state(early, "waiting", waiting_since=clock.now - timedelta(minutes=10))

    assert [c.id for c in await store.list_conversations(states={"waiting"})] == [early, late]


async def test_transcript_lists_messages_in_the_order_stored(store: Store) -> None:
    inbound = await store.record_inbound("telegram", "42", "u-1", "hi")
    conversation_id = inbound.conversation.id
    await store.record_outbound(conversation_id, "bot", "Hello!", "smalltalk")
    await store.record_inbound("telegram", "42", "u-2", "where is my order?")
    await store.record_outbound(conversation_id, "agent", "Checking", "agent", agent="omid")

    transcript = await store.transcript(conversation_id)

    assert [(m.sender, m.text) for m in transcript] == [
        ("customer", "hi"),
        ("bot", "Hello!"),
        ("customer", "where is my order?"),
        ("agent", "Checking"),
    ]


async def test_policy_state_round_trips_as_json(store: Store) -> None:
    conversation_id = (await store.record_inbound("telegram", "42", "u-1", "hi")).conversation.id
    state = {
        "pending_clarification": ["shipping-time", "returns"],
        "declined_offers": 2,
        "lang": "fa",
    }

    await store.save_policy_state(conversation_id, state)

    assert (await store.get_conversation(conversation_id)).policy_state == state
    later = await store.record_inbound("telegram", "42", "u-2", "the first one")
    assert later.conversation.policy_state == state


async def test_policy_state_that_is_not_json_is_refused(store: Store) -> None:
    conversation_id = (await store.record_inbound("telegram", "42", "u-1", "hi")).conversation.id
    with pytest.raises(ValueError, match="JSON"):
        await store.save_policy_state(conversation_id, {"when": object()})


async def test_reopening_resolved_conversation_conflicts_with_open_one(store: Store) -> None:
    old = (await store.record_inbound("telegram", "42", "u-1", "hi")).conversation.id
    await store.set_state(old, "resolved")
    await store.record_inbound("telegram", "42", "u-2", "hi again")

    with pytest.raises(Conflict):
        await store.set_state(old, "human")
    assert (await store.get_conversation(old)).state == "resolved"


async def test_customer_with_two_channel_handles_has_one_card(store: Store) -> None:
    telegram = await store.record_inbound("telegram", "42", "u-1", "hi", display_name="Sara")
    whatsapp = await store.record_inbound("whatsapp", "98912", "wamid.1", "salam")

    card = await store.link_handle(telegram.customer.id, "whatsapp", "98912")
    later = await store.record_inbound("whatsapp", "98912", "wamid.2", "any news?")

    assert card.customer.id == telegram.customer.id
    assert {(h.channel, h.channel_user_id) for h in card.handles} == {
        ("telegram", "42"),
        ("whatsapp", "98912"),
    }
    assert {c.id for c in card.conversations} == {
        telegram.conversation.id,
        whatsapp.conversation.id,
    }
    assert later.customer.id == telegram.customer.id
    assert later.conversation.customer_name == "Sara"
    with pytest.raises(NotFound):  # the WhatsApp-only customer was merged away
        await store.customer_card(whatsapp.customer.id)
    assert (
        await store.link_handle(telegram.customer.id, "whatsapp", "98912") == card
    )  # retry: no-op


async def test_linking_a_new_handle_adds_it_to_the_card(store: Store) -> None:
    customer_id = (await store.record_inbound("telegram", "42", "u-1", "hi")).customer.id

    card = await store.link_handle(customer_id, "web", "session-abc")
    first_web = await store.record_inbound("web", "session-abc", None, "hello from the site")

    assert len(card.handles) == 2
    assert first_web.customer.id == customer_id


async def test_customer_card_lists_conversations_newest_first(store: Store, clock) -> None:
    first = await store.record_inbound("telegram", "42", "u-1", "hi")
    await store.set_state(first.conversation.id, "resolved")
    clock.advance(days=1)
    second = await store.record_inbound("telegram", "42", "u-2", "hi again")

    card = await store.customer_card(first.customer.id)

    assert [c.id for c in card.conversations] == [second.conversation.id, first.conversation.id]


async def test_unknown_customer_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.customer_card("nobody")
