"""The agent API over HTTP against a real server: the demo bank, SQLite, agents from the
test's config.yml (Ana: support, the default department; Omid: logistics; Bita:
billing and sales) and the admin token."""

from __future__ import annotations

import asyncio
import re

import pytest

CONTRACT_FIELDS = {"id", "channel", "channel_user_id", "customer", "department", "state", "waiting_since"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MANAGER = "I want to talk to a manager"  # a handoff to the default queue (support)
LOST_PARCEL = "My package is lost, where is it?"  # a logistics matter
DELIVERY_TIME = "How long does delivery take?"  # answered by the bot: no department


async def test_without_a_token_or_with_a_wrong_one_every_endpoint_answers_401(desk):
    await desk.customer_writes("sara", MANAGER, name="Sara")
    conversation = await desk.conversation_of("sara")
    calls = [
        ("GET", "/api/me"), ("GET", "/api/conversations"), ("GET", "/api/conversations?state=waiting"),
        ("GET", f"/api/conversations/{conversation}"), ("GET", f"/api/conversations/{conversation}/customer"),
        ("POST", f"/api/conversations/{conversation}/claim"), ("POST", f"/api/conversations/{conversation}/release"),
        ("POST", f"/api/conversations/{conversation}/resolve"), ("POST", f"/api/conversations/{conversation}/messages"),
        ("GET", "/api/no-such-thing"),
    ]
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWRtaW46YWRtaW4="},
                    {"Authorization": "Bearer"}):
        for method, path in calls:
            response = await desk.client.request(method, path, headers=headers, json={"text": "hi"})
            assert response.status == 401, (method, path, headers)
            assert response.content_type == "application/json"
            assert "error" in await response.json()
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await desk.runtime.store.get_conversation(conversation)).state == "waiting"  # nothing happened


async def test_me_names_the_agent_and_its_departments(desk):
    status, me = await desk.call("Bita", "GET", "/api/me")
    assert status == 200
    assert me == {"name": "Bita", "admin": False, "departments": ["billing", "sales"],
                  "department_names": {"billing": "Billing", "sales": "Sales"}, "default_department": "support"}
    status, admin = await desk.call("admin", "GET", "/api/me")
    assert admin["admin"] and set(admin["departments"]) == {"billing", "sales", "logistics", "support"}


async def test_a_manager_request_waits_in_the_default_queue_with_its_waiting_time(desk):
    await desk.customer_writes("sara", MANAGER, name="Sara")
    status, body = await desk.call("Ana", "GET", "/api/conversations?state=waiting")
    assert status == 200
    [item] = body["conversations"]
    assert CONTRACT_FIELDS <= set(item)
    assert item["channel"] == "rest" and item["channel_user_id"] == "sara"
    assert item["customer"]["name"] == "Sara"
    assert item["department"] == "support" and item["state"] == "waiting"
    assert ISO_UTC.match(item["waiting_since"])
    assert isinstance(item["waiting_seconds"], int) and 0 <= item["waiting_seconds"] < 60

    for other in ("Omid", "Bita"):  # not their department
        assert (await desk.call(other, "GET", "/api/conversations?state=waiting"))[1] == {"conversations": []}
    assert len((await desk.call("admin", "GET", "/api/conversations?state=waiting"))[1]["conversations"]) == 1


async def test_the_list_filters_by_state_and_lists_every_open_state_by_default(desk):
    await desk.customer_writes("sara", MANAGER, name="Sara")
    await desk.customer_writes("hamid", DELIVERY_TIME, name="Hamid")
    ids = {"sara": await desk.conversation_of("sara"), "hamid": await desk.conversation_of("hamid")}
    await desk.customer_writes("leyla", MANAGER, name="Leyla")
    leyla = await desk.conversation_of("leyla")
    assert (await desk.call("Ana", "POST", f"/api/conversations/{leyla}/resolve"))[0] == 200

    async def listed(query: str) -> list[str]:
        status, body = await desk.call("Ana", "GET", f"/api/conversations{query}")
        assert status == 200
        return [c["id"] for c in body["conversations"]]

    assert await listed("") == [ids["sara"], ids["hamid"]]  # open ones, the waiting customer first
    assert await listed("?state=bot") == [ids["hamid"]]
    assert set(await listed("?state=waiting,bot")) == {ids["sara"], ids["hamid"]}
    assert await listed("?state=resolved") == [leyla]
    assert await listed("?state=human") == []
    assert await listed("?limit=1") == [ids["sara"]]


async def test_a_conversation_with_no_department_belongs_to_the_default_department(desk):
    await desk.customer_writes("hamid", DELIVERY_TIME, name="Hamid")
    conversation = await desk.conversation_of("hamid")
    assert (await desk.runtime.store.get_conversation(conversation)).department is None
    for agent, visible in (("Ana", True), ("admin", True), ("Omid", False), ("Bita", False)):
        status, body = await desk.call(agent, "GET", "/api/conversations")
        assert [c["id"] for c in body["conversations"]] == ([conversation] if visible else []), agent
        status, _ = await desk.call(agent, "GET", f"/api/conversations/{conversation}")
        assert status == (200 if visible else 404), agent


async def test_another_departments_conversation_is_404_like_one_that_does_not_exist(desk):
    parcel = await desk.handed_off("nima", LOST_PARCEL, "logistics", name="Nima")
    assert (await desk.call("Omid", "GET", f"/api/conversations/{parcel}"))[0] == 200

    for suffix, method in (("", "GET"), ("/customer", "GET"), ("/claim", "POST"), ("/release", "POST"),
                           ("/resolve", "POST"), ("/messages", "POST")):
        outside = await desk.call("Ana", method, f"/api/conversations/{parcel}{suffix}", json={"text": "Hello"})
        missing = await desk.call("Ana", method, f"/api/conversations/no-such-id{suffix}", json={"text": "Hello"})
        assert outside[0] == missing[0] == 404, suffix
        assert set(outside[1]) == {"error"}
    after = await desk.runtime.store.get_conversation(parcel)
    assert after.state == "waiting" and after.assigned_agent is None  # nothing happened
    assert [m.sender for m in await desk.runtime.store.transcript(parcel)] == ["customer", "bot"]


async def test_the_detail_carries_the_transcript_with_who_wrote_what(desk):
    replies = await desk.customer_writes("hamid", DELIVERY_TIME, name="Hamid")
    conversation = await desk.conversation_of("hamid")
    status, body = await desk.call("Ana", "GET", f"/api/conversations/{conversation}")
    assert status == 200
    assert CONTRACT_FIELDS | {"messages"} <= set(body)
    customer, bot = body["messages"]
    assert customer["from"] == "customer" and customer["text"] == DELIVERY_TIME
    assert bot["from"] == "bot" and bot["text"] == replies[0]["text"]
    assert bot["kind"] == "answer" and bot["entry_id"] == "shipping-time" and bot["agent"] is None
    assert all(ISO_UTC.match(m["at"]) for m in body["messages"])
    assert customer["at"] <= bot["at"]


async def test_claim_reply_release_and_resolve(desk):
    await desk.customer_writes("sara", MANAGER, name="Sara")
    conversation = await desk.conversation_of("sara")

    status, claimed = await desk.call("Ana", "POST", f"/api/conversations/{conversation}/claim")
    assert status == 200 and claimed["state"] == "human" and claimed["assigned_agent"] == "Ana"
    assert CONTRACT_FIELDS <= set(claimed)
    assert await desk.customer_writes("sara", "Hello? Anyone there?") == []  # the bot is silent now

    status, message = await desk.call("Ana", "POST", f"/api/conversations/{conversation}/messages",
                                      json={"text": "Hi Sara, Ana here. How can I help?"})
    assert status == 201
    assert message["from"] == "agent" and message["agent"] == "Ana" and ISO_UTC.match(message["at"])
    # REST is a pull channel: the agent's reply comes with the customer's next request.
    got = await desk.customer_writes("sara", "My order is late")
    assert [r["text"] for r in got] == ["Hi Sara, Ana here. How can I help?"]

    status, detail = await desk.call("Ana", "GET", f"/api/conversations/{conversation}")
    assert [m["from"] for m in detail["messages"]] == ["customer", "bot", "customer", "agent", "customer"]

    status, released = await desk.call("Ana", "POST", f"/api/conversations/{conversation}/release")
    assert status == 200 and released["state"] == "bot" and released["assigned_agent"] is None
    back = await desk.customer_writes("sara", DELIVERY_TIME)
    texts = " ".join(r["text"] for r in back)
    assert desk.runtime.responder.bank.entry("shipping-time").answer["en"] in texts  # the bot answers again

    status, resolved = await desk.call("Ana", "POST", f"/api/conversations/{conversation}/resolve")
    assert status == 200 and resolved["state"] == "resolved"
    assert (await desk.call("Ana", "GET", "/api/conversations"))[1] == {"conversations": []}
    status, again = await desk.call("Ana", "POST", f"/api/conversations/{conversation}/resolve")
    assert status == 200 and again["state"] == "resolved"  # safe to retry
    status, refused = await desk.call("Ana", "POST", f"/api/conversations/{conversation}/release")
    assert status == 409 and "resolved" in refused["error"]


async def test_replying_to_a_waiting_conversation_assigns_it_to_the_agent(desk):
    conversation = await desk.handed_off("nima", LOST_PARCEL, "logistics", name="Nima")
    status, _ = await desk.call("Omid", "POST", f"/api/conversations/{conversation}/messages",
                                json={"text": "Hi Nima, I'm looking into it."})
    assert status == 201
    status, detail = await desk.call("Omid", "GET", f"/api/conversations/{conversation}")
    assert detail["state"] == "human" and detail["assigned_agent"] == "Omid"
    ticket = await desk.runtime.store.open_ticket_for(conversation)
    assert ticket is not None and ticket.assigned_agent == "Omid"


async def test_release_of_a_conversation_already_with_the_bot_tells_the_customer_nothing(desk):
    await desk.customer_writes("hamid", DELIVERY_TIME, name="Hamid")
    conversation = await desk.conversation_of("hamid")
    status, body = await desk.call("Ana", "POST", f"/api/conversations/{conversation}/release")
    assert status == 200 and body["state"] == "bot"
    assert len(await desk.runtime.store.transcript(conversation)) == 2


async def test_another_agent_can_take_over_a_claimed_conversation(desk):
    await desk.customer_writes("sara", MANAGER, name="Sara")
    conversation = await desk.conversation_of("sara")
    await desk.call("Ana", "POST", f"/api/conversations/{conversation}/claim")
    status, body = await desk.call("admin", "POST", f"/api/conversations/{conversation}/claim")
    assert status == 200 and body["assigned_agent"] == "admin"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("", "application/json"),
        ("[]", "application/json"),
        ('"hello"', "application/json"),
        ("{}", "application/json"),
        ('{"text": ""}', "application/json"),
        ('{"text": "   "}', "application/json"),
        ('{"text": 42}', "application/json"),
        ('{"text": null}', "application/json"),
        ('{"message": "hi"}', "application/json"),
        ("text=hi", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "application/json"),
        ('{"text": "' + "x" * 5000 + '"}', "application/json"),
    ],
)
async def test_a_malformed_reply_gets_400_with_a_json_error(desk, body, content_type):
    await desk.customer_writes("sara", MANAGER, name="Sara")
    conversation = await desk.conversation_of("sara")
    response = await desk.client.post(f"/api/conversations/{conversation}/messages", data=body,
                                      headers={**desk.auth("Ana"), "Content-Type": content_type})
    assert response.status == 400
    assert set(await response.json()) == {"error"}
    assert (await desk.runtime.store.get_conversation(conversation)).state == "waiting"


@pytest.mark.parametrize("query", ["?state=open", "?state=waiting,closed", "?limit=0", "?limit=abc", "?limit=100000"])
async def test_a_malformed_list_query_gets_400_with_a_json_error(desk, query):
    status, body = await desk.call("Ana", "GET", f"/api/conversations{query}")
    assert status == 400 and set(body) == {"error"}


async def test_unknown_paths_and_methods_get_json_errors(desk):
    assert (await desk.call("Ana", "GET", "/api/tickets"))[0] == 404
    response = await desk.client.delete("/api/conversations", headers=desk.auth("Ana"))
    assert response.status == 405 and "error" in await response.json()
    assert "GET" in response.headers["Allow"]


async def test_the_customer_card_shows_name_channels_and_earlier_conversations(desk):
    await desk.customer_writes("sara", MANAGER, name="Sara")
    first = await desk.conversation_of("sara")
    await desk.call("Ana", "POST", f"/api/conversations/{first}/resolve")
    second = await desk.handed_off("sara", LOST_PARCEL, "logistics")  # a new conversation
    assert second != first

    status, card = await desk.call("Omid", "GET", f"/api/conversations/{second}/customer")
    assert status == 200
    assert card["name"] == "Sara"
    assert card["channels"] == [{"channel": "rest", "channel_user_id": "sara"}]
    assert [c["id"] for c in card["conversations"]] == [second]  # Omid does not see Customer Care's
    assert card["other_conversations"] == 1

    status, card = await desk.call("admin", "GET", f"/api/conversations/{second}/customer")
    assert [c["id"] for c in card["conversations"]] == [second, first] and card["other_conversations"] == 0
    assert card["conversations"][1]["state"] == "resolved"


async def test_an_agent_reply_reaches_the_web_chat_customer_live(desk):
    async with desk.client.ws_connect("/chat/ws") as ws:
        hello = await ws.receive_json(timeout=10)
        assert hello["type"] == "hello"
        await ws.send_json({"type": "message", "text": MANAGER, "name": "Sara"})
        await _frame(ws, lambda f: f["type"] == "message" and f["from"] == "bot")

        status, body = await desk.call("Ana", "GET", "/api/conversations?state=waiting")
        [item] = body["conversations"]
        assert item["id"] == hello["conversation_id"] and item["channel"] == "web"
        status, _ = await desk.call("Ana", "POST", f"/api/conversations/{item['id']}/messages",
                                    json={"text": "Hi Sara, this is Ana."})
        assert status == 201
        frame = await _frame(ws, lambda f: f["type"] == "message" and f["from"] == "agent")
        assert frame["text"] == "Hi Sara, this is Ana."


async def _frame(ws, wanted, timeout: float = 30.0) -> dict:
    async def receive() -> dict:
        while True:
            frame = await ws.receive_json()
            if wanted(frame):
                return frame

    return await asyncio.wait_for(receive(), timeout)
