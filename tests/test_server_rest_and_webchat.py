"""The server end to end over HTTP and WebSocket: REST webhook (Rasa shape) and web chat."""

from __future__ import annotations

import asyncio

import pytest


async def post(client, sender, text, name=None, message_id=None):
    metadata = {}
    if name:
        metadata["name"] = name
    if message_id:
        metadata["message_id"] = message_id
    response = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata})
    assert response.status == 200
    return await response.json()


async def test_healthz_reports_the_bank_and_store(served):
    response = await served.get("/healthz")
    assert response.status == 200
    assert (await response.json())["entries"] == len(served.runtime.responder.bank.served())


async def test_first_message_is_answered_by_name_with_the_approved_answer(served):
    replies = await post(served, "s1", "How long does delivery take?", name="Sara")
    approved = served.runtime.responder.bank.entry("shipping-time").answer["en"]
    assert replies[0]["recipient_id"] == "s1"
    assert "Sara" in replies[0]["text"] and approved in replies[0]["text"]


async def test_an_untranslated_answer_is_introduced_in_the_customers_language_once_per_conversation(served):
    runtime = served.runtime
    approved = runtime.responder.bank.entry("shipping-time").answer["en"]
    first = await post(served, "s-hy", "Առաքումը քանի՞ օր է տևում", name="Ani")
    assert [r["text"] for r in first] == [runtime.responder.catalogue.personal("answer_untranslated", "hy", "Ani"), approved]
    second = await post(served, "s-hy", "Առաքումը քանի՞ օր է տևում")  # the note was stored with the conversation
    assert [r["text"] for r in second] == [approved]
    metrics = await (await served.get("/metrics")).text()
    assert 'outcome="shipping-time"' not in metrics  # counted as an answer, the note before it notwithstanding


@pytest.mark.parametrize("text", ["I want to talk to a manager", "می‌خوام با مدیر صحبت کنم",
                                  "أريد التحدث مع المدير", "אני רוצה לדבר עם מנהל"])
async def test_manager_request_gets_a_handoff_notice_and_then_silence_until_released(served, text):
    replies = await post(served, "s2", text, name="Sara")
    assert len(replies) == 1
    departments = [name for d in served.runtime.responder.bank.departments for name in (d.name, *d.names.values())]
    assert any(d in replies[0]["text"] for d in departments)  # named in the customer's language
    catalogue = served.runtime.responder.catalogue
    assert any(catalogue.duration(m, lang) in replies[0]["text"]
               for m in (60, 120, 240) for lang in ("en", "fa", "ar", "he"))

    assert await post(served, "s2", "How long does delivery take?") == []  # a person owns it now

    conversations = await served.runtime.store.list_conversations(states={"waiting"})
    assert len(conversations) == 1
    await served.runtime.engine.release(conversations[0].id, "Ana")
    back = await post(served, "s2", "How long does delivery take?")
    texts = [r["text"] for r in back]
    assert any(served.runtime.responder.bank.entry("shipping-time").answer["en"] in t for t in texts)


async def test_same_message_id_is_stored_once_and_answered_once(served):
    first = await post(served, "s3", "How long does delivery take?", message_id="m-1")
    again = await post(served, "s3", "How long does delivery take?", message_id="m-1")
    assert len(first) == 1 and again == []
    conversation = (await served.runtime.store.list_conversations())[0]
    transcript = await served.runtime.store.transcript(conversation.id)
    assert [m.direction for m in transcript] == ["in", "out"]


async def test_clarification_offers_buttons_in_rasa_shape(served):
    engine = served.runtime.engine
    from bot.messages import Message

    handled = await engine.handle(Message("rest", "s4", "s4", "/answer refund-status"))
    assert handled.outcome == "refund-status"


@pytest.mark.parametrize("body", ["{not json", "[]", '{"message": "hi"}', '{"sender": "x"}', '{"sender": "x", "message": 5}'])
async def test_malformed_rest_requests_get_400_with_a_json_error(served, body):
    response = await served.post("/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "error" in await response.json()


async def receive(ws, kind, timeout=30):
    while True:
        frame = await asyncio.wait_for(ws.receive_json(), timeout)
        if frame["type"] == kind:
            return frame


async def test_web_chat_answers_and_an_agent_reply_arrives_live(served):
    ws = await served.ws_connect("/chat/ws")
    hello = await receive(ws, "hello")
    assert hello["conversation_id"] and hello["session"]
    await ws.send_json({"type": "message", "text": "How long does delivery take?", "name": "Sara"})
    await receive(ws, "typing")
    answer = await receive(ws, "message")
    assert answer["from"] == "bot" and "Sara" in answer["text"]

    await served.runtime.engine.agent_reply(hello["conversation_id"], "Ana", "Hello Sara, Ana here.")
    agent = await receive(ws, "message")
    assert agent == {"type": "message", "from": "agent", "text": "Hello Sara, Ana here.", "buttons": []}
    await ws.close()


async def test_web_chat_reconnect_resumes_the_conversation_with_its_history(served):
    ws = await served.ws_connect("/chat/ws")
    hello = await receive(ws, "hello")
    await ws.send_json({"type": "message", "text": "How long does delivery take?"})
    await receive(ws, "message")
    await ws.close()

    again = await served.ws_connect(f"/chat/ws?session={hello['session']}")
    resumed = await receive(again, "hello")
    assert resumed["conversation_id"] == hello["conversation_id"]
    history = await receive(again, "history")
    assert [m["from"] for m in history["messages"]] == ["customer", "bot"]
    await again.close()


async def test_agent_reply_while_the_customer_is_away_arrives_on_reconnect(served):
    ws = await served.ws_connect("/chat/ws")
    hello = await receive(ws, "hello")
    await ws.close()
    await served.runtime.engine.agent_reply(hello["conversation_id"], "Ana", "Sorry for the wait!")
    again = await served.ws_connect(f"/chat/ws?session={hello['session']}")
    await receive(again, "hello")
    message = await receive(again, "message")
    assert message["from"] == "agent" and message["text"] == "Sorry for the wait!"
    await again.close()


async def test_malformed_web_chat_frames_get_an_error_and_the_socket_stays_open(served):
    ws = await served.ws_connect("/chat/ws")
    await receive(ws, "hello")
    for frame in ("not json", '{"type": "dance"}', '{"type": "message", "text": ""}', "[1, 2]"):
        await ws.send_str(frame)
        assert (await receive(ws, "error"))["error"]
    await ws.send_json({"type": "message", "text": "thanks!"})
    assert (await receive(ws, "message"))["from"] == "bot"
    await ws.close()


async def test_media_is_stored_as_a_placeholder_and_answered_with_the_catalogue_phrase(served):
    from bot.messages import Message

    engine = served.runtime.engine
    handled = await engine.handle(Message("rest", "s9", "s9", "", display_name="Sara", message_id="sticker-1", media="sticker"))
    assert handled.outcome == "unsupported"
    transcript = await served.runtime.store.transcript(handled.conversation_id)
    assert (transcript[0].text, transcript[0].kind) == ("[sticker]", "media")
    assert transcript[1].text == served.runtime.responder.catalogue.personal("unsupported_media", "en", "Sara")


async def test_metrics_count_messages_outcomes_handoffs_and_satisfaction(served):
    await post(served, "m1", "How long does delivery take?", name="Sara")
    await post(served, "m1", "thanks!")
    await post(served, "m2", "I want to talk to a manager")
    response = await served.get("/metrics")
    assert response.status == 200
    text = await response.text()
    assert 'helpline_messages_total{channel="rest",duplicate="false"} 3' in text
    assert 'helpline_decisions_total{outcome="answer"} 1' in text
    assert 'helpline_feedback_total{kind="thanks"} 1' in text
    assert 'helpline_feedback_total{kind="handoff_request"} 1' in text
    assert 'reason="requested"} 1' in text
    assert "helpline_decision_seconds_count 3" in text
    assert "helpline_conversations_waiting 1" in text
