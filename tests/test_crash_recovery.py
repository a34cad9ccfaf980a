"""A server killed with SIGKILL while taking messages loses none that it acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(config: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {process.stderr.read().decode()[-2000:]}")
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("server did not become healthy")


async def test_sigkill_while_taking_messages_loses_no_acknowledged_message(tmp_path):
    db = tmp_path / "helpline.db"
    config = tmp_path / "config.yml"
    config.write_text(
        f"bank: {ROOT / 'data' / 'bank'}\nphrases: {ROOT / 'data' / 'phrases.yml'}\n"
        f"model:\n  cache_dir: {ROOT / 'var' / 'cache'}\ndatabase_url: sqlite:///{db}\n"
        "routing:\n  default_department: support\n",
        encoding="utf-8",
    )
    port = free_port()
    server = start_server(config, port)
    acknowledged: list[str] = []
    questions = ["How long does delivery take?", "How do I reset my password?", "Which payment methods do you accept?",
                 "How can I track my order?", "thanks!"]
    try:
        await wait_healthy(port, server)

        async def customer(session: aiohttp.ClientSession, n: int) -> None:
            for i in range(8):
                message_id = f"c{n}-m{i}"
                body = {"sender": f"customer-{n}", "message": questions[(n + i) % len(questions)],
                        "metadata": {"name": f"C{n}", "message_id": message_id}}
                try:
                    async with session.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook", json=body) as response:
                        if response.status == 200:
                            await response.json()
                            acknowledged.append(message_id)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    return  # the server died under us

        async def killer() -> None:
            while len(acknowledged) < 12:
                await asyncio.sleep(0.01)
            server.send_signal(signal.SIGKILL)

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            await asyncio.gather(killer(), *(customer(session, n) for n in range(6)))
        server.wait(timeout=10)
        assert server.returncode == -signal.SIGKILL
        assert len(acknowledged) >= 12

        server = start_server(config, port)  # the restart recovers what was left undecided
        await wait_healthy(port, server)
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=20)

    store = await Store.open(f"sqlite:///{db}")
    try:
        assert await store.unprocessed_inbound() == []  # every stored message was decided
        by_id = {}
        for conversation in await store.list_conversations():
            transcript = await store.transcript(conversation.id)
            for i, message in enumerate(transcript):
                if message.direction == "in":
                    replied = any(m.direction == "out" for m in transcript[i + 1:])
                    by_id[message.channel_message_id] = (message, replied)
        for message_id in acknowledged:
            assert message_id in by_id, f"acknowledged {message_id} is not in the store"
            assert by_id[message_id][0].processed_at is not None
            assert by_id[message_id][1], f"acknowledged {message_id} has no reply stored"
        assert len(by_id) == len(set(by_id))  # stored once each
    finally:
        await store.close()
