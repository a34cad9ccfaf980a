"""The Rasa-compatible REST channel: ``POST /webhooks/rest/webhook`` (contract).

Request ``{"sender": "id", "message": "text", "metadata": {"name": "Sara", "message_id": "m1"}}``;
response ``[{"recipient_id": "id", "text": "...", "buttons": [{"title", "payload"}]}]``. REST
cannot push, so it is a *pull* channel: each response carries every reply pending for the
sender's conversation — this message's answer, and anything an agent wrote since.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Self

from aiohttp import web

from bot.messages import Message, Reply

from .base import Connector

log = logging.getLogger("helpline.connectors.rest")


class RestConnector(Connector):
    name = "rest"
    push = False

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> Self:
        return cls()

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/webhooks/rest/webhook", self.webhook)]

    def parse(self, payload: dict[str, Any]) -> list[Message]:
        if not isinstance(payload, dict):
            raise ValueError("body must be a JSON object")
        sender, text = payload.get("sender"), payload.get("message")
        if not isinstance(sender, str | int) or str(sender).strip() == "":
            raise ValueError("'sender' is required (a string)")
        if not isinstance(text, str):
            raise ValueError("'message' is required (a string)")
        metadata = payload.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise ValueError("'metadata' must be an object")
        name = metadata.get("name")
        message_id = metadata.get("message_id")
        return [Message(
            channel=self.name, conversation_id=str(sender), user_id=str(sender), text=text,
            display_name=str(name) if name else None,
            message_id=str(message_id) if message_id is not None else None,
            language=metadata.get("language") if isinstance(metadata.get("language"), str) else None,
            raw=payload,
        )]

    async def webhook(self, request: web.Request) -> web.Response:
        try:
            payload = json.loads(await request.text())
            messages = self.parse(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("rejected REST request: %s", exc)
            return web.json_response({"error": f"bad request: {exc}"}, status=400)
        engine = self.runtime.engine
        replies: list[Reply] = []
        for message in messages:
            handled = await engine.handle(message)
            replies.extend(await engine.collect(handled.conversation_id))
        sender = messages[0].conversation_id
        return web.json_response([_json(sender, r) for r in replies])

    async def send(self, conversation_id: str, reply: Reply) -> None:  # pragma: no cover - pull channel
        raise NotImplementedError("REST is a pull channel: replies go out with the next response")


def _json(sender: str, reply: Reply) -> dict[str, Any]:
    body: dict[str, Any] = {"recipient_id": sender, "text": reply.text}
    if reply.buttons:
        body["buttons"] = [b.as_json() for b in reply.buttons]
    return body
